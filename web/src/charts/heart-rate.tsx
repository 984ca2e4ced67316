import { useMemo, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { api, call } from '../api';
import { DAY_MS, formatNumber, isoDay } from '../format';
import { useLoad } from '../hooks';
import type { TimeSeriesSample } from '../types';
import { ErrorText, Loading, Status } from '../ui/feedback';
import { Field, Select } from '../ui/field';
import { COLORS, Plot, seconds } from './plot';

const RESOLUTIONS = ['raw', '1min', '5min', '15min', '1hour'] as const;
type Resolution = (typeof RESOLUTIONS)[number];
const PERIODS = {
  day: { ms: DAY_MS, resolution: '5min' },
  week: { ms: 7 * DAY_MS, resolution: '1hour' },
} as const;
type Period = keyof typeof PERIODS;
/** Pages of 100 samples read at most for one chart (a week of raw samples can be ten thousand). */
const MAX_PAGES = 50;

/** GET /timeseries?types=heart_rate over the window, following the cursor. */
async function heartRate(userId: string, start: Date, end: Date, resolution: Resolution) {
  const samples: TimeSeriesSample[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = {
      types: ['heart_rate' as const],
      start_time: start.toISOString(),
      end_time: end.toISOString(),
      resolution,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    };
    const answer = await call(
      api().GET('/api/v1/users/{user_id}/timeseries', { params: { path: { user_id: userId }, query } }),
    );
    samples.push(...answer.data);
    cursor = answer.pagination.next_cursor ?? undefined;
    if (!answer.pagination.has_more || !cursor) return { samples, complete: true };
  }
  return { samples, complete: false };
}

/** The window: `period` ending at the end of `endDay` (local time), or now for today. */
function window(period: Period, endDay: string): { start: Date; end: Date } {
  const [year, month, day] = endDay.split('-').map(Number) as [number, number, number];
  const end = new Date(Math.min(Date.now(), new Date(year, month - 1, day + 1).getTime() - 1));
  return { start: new Date(end.getTime() - PERIODS[period].ms), end };
}

function summary(samples: TimeSeriesSample[], complete: boolean): string {
  if (samples.length === 0) return 'No heart-rate samples in this period.';
  const values = samples.map((s) => s.value);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const providers = [...new Set(samples.map((s) => s.source.provider))].join(', ');
  const count = `${formatNumber(samples.length)} samples${complete ? '' : ` (the first ${formatNumber(samples.length)} only)`}`;
  return `${count} from ${providers}: ${formatNumber(Math.min(...values))} to ${formatNumber(Math.max(...values))} bpm, ${formatNumber(mean)} on average.`;
}

const OPTIONS: Omit<uPlot.Options, 'width' | 'height'> = {
  legend: { show: false },
  scales: { x: { time: true } },
  series: [{}, { label: 'Heart rate (bpm)', stroke: COLORS.line, width: 1.5, spanGaps: false }],
  axes: [{}, { label: 'bpm' }],
};

/** Heart rate over a day or a week, at the chosen resolution (each bucket's mean, as the API aggregates it). */
export function HeartRateChart({ userId, version }: { userId: string; version: number }) {
  const [period, setPeriod] = useState<Period>('day');
  const [resolution, setResolution] = useState<Resolution>(PERIODS.day.resolution);
  const [endDay, setEndDay] = useState(isoDay(new Date()));
  const loaded = useLoad(() => {
    const { start, end } = window(period, endDay);
    return heartRate(userId, start, end, resolution);
  }, [userId, period, resolution, endDay, version]);
  const data = useMemo<uPlot.AlignedData>(() => {
    const samples = loaded.data?.samples ?? [];
    return [samples.map((s) => seconds(s.timestamp)), samples.map((s) => s.value)];
  }, [loaded.data]);

  return (
    <section aria-labelledby="heart-rate">
      <h2 id="heart-rate">Heart rate</h2>
      <div class="controls">
        <Select
          label="Period"
          value={period}
          options={[
            ['day', '24 hours'],
            ['week', '7 days'],
          ]}
          onValue={(value) => {
            setPeriod(value as Period);
            setResolution(PERIODS[value as Period].resolution);
          }}
        />
        <Field label="Ending on" type="date" value={endDay} max={isoDay(new Date())} onValue={setEndDay} />
        <Select
          label="Resolution"
          value={resolution}
          options={RESOLUTIONS.map((r) => [r, r === 'raw' ? 'Every sample' : r])}
          onValue={(value) => setResolution(value as Resolution)}
        />
      </div>
      <ErrorText error={loaded.error} />
      {loaded.loading && !loaded.data && <Loading what="heart rate" />}
      {loaded.data && (
        <>
          <Status>{summary(loaded.data.samples, loaded.data.complete)}</Status>
          {loaded.data.samples.length > 0 && (
            <Plot
              label={`Heart rate chart: ${summary(loaded.data.samples, loaded.data.complete)}`}
              options={OPTIONS}
              data={data}
            />
          )}
        </>
      )}
    </section>
  );
}
