import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import { api, call } from '../api';
import { DAY_MS, formatNumber, isoDay } from '../format';
import { useLoad } from '../hooks';
import { ErrorText, Loading, Status } from '../ui/feedback';
import { COLORS, Plot } from './plot';

const DAYS = 30;

const OPTIONS: Omit<uPlot.Options, 'width' | 'height'> = {
  legend: { show: false },
  // Half a day either side, so the first and last bars are whole; the bars stand on zero.
  scales: {
    x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] },
    y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] },
  },
  series: [
    {},
    {
      label: 'Steps',
      stroke: COLORS.bar,
      fill: COLORS.fill,
      paths: uPlot.paths.bars!({ size: [0.7, 40] }),
      points: { show: false },
    },
  ],
  axes: [{}, { label: 'steps', size: 60 }],
};

/** Local midnight of a `YYYY-MM-DD` day, in epoch seconds. */
const daySeconds = (day: string) => {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, date).getTime() / 1000;
};

/** Steps per day over the last 30 days (GET /summaries/activity: one best source per day). */
export function StepsChart({ userId, version }: { userId: string; version: number }) {
  const loaded = useLoad(async () => {
    const today = new Date();
    const query = {
      start_date: isoDay(new Date(today.getTime() - (DAYS - 1) * DAY_MS)),
      end_date: isoDay(today),
      limit: 400,
    };
    const answer = await call(
      api().GET('/api/v1/users/{user_id}/summaries/activity', {
        params: { path: { user_id: userId }, query },
      }),
    );
    return answer.data.filter((day) => day.steps !== null);
  }, [userId, version]);
  const data = useMemo<uPlot.AlignedData>(() => {
    const days = loaded.data ?? [];
    return [days.map((d) => daySeconds(d.date)), days.map((d) => d.steps)];
  }, [loaded.data]);

  const days = loaded.data ?? [];
  const total = days.reduce((sum, day) => sum + (day.steps ?? 0), 0);
  const text =
    days.length === 0
      ? `No step counts in the last ${DAYS} days.`
      : `${days.length} days with steps in the last ${DAYS}: ${formatNumber(total / days.length)} a day on average, ${formatNumber(Math.max(...days.map((d) => d.steps ?? 0)))} at most.`;

  return (
    <section aria-labelledby="steps">
      <h2 id="steps">Steps per day</h2>
      <ErrorText error={loaded.error} />
      {loaded.loading && !loaded.data && <Loading what="steps" />}
      {loaded.data && <Status>{text}</Status>}
      {days.length > 0 && <Plot label={`Steps per day chart: ${text}`} options={OPTIONS} data={data} />}
    </section>
  );
}
