import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

const HEIGHT = 240;

/**
 * A uPlot chart filling its container's width. `label` is the chart's accessible name: the canvas itself is not
 * readable, so every chart also states its numbers in text next to it.
 */
export function Plot({
  label,
  options,
  data,
}: {
  label: string;
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
}) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const width = () => Math.max(280, element.clientWidth);
    const chart = new uPlot({ ...options, width: width(), height: HEIGHT }, data, element);
    const observer = new ResizeObserver(() => chart.setSize({ width: width(), height: HEIGHT }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [options, data]);
  return <div class="plot" role="img" aria-label={label} ref={container} />;
}

export const COLORS = { line: '#c0392b', bar: '#2e86c1', fill: 'rgba(46, 134, 193, 0.25)', stage: '#6c3483' };

/** Epoch seconds, uPlot's time unit. */
export const seconds = (iso: string) => new Date(iso).getTime() / 1000;
