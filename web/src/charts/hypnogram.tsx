import { useMemo, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { api, call } from '../api';
import { DAY_MS, formatDate, formatDateTime, formatDuration } from '../format';
import { useLoad } from '../hooks';
import type { SleepSession } from '../types';
import { ErrorText, Loading, Status } from '../ui/feedback';
import { Select } from '../ui/field';
import { COLORS, Plot, seconds } from './plot';

const DAYS = 14;
/** Hypnogram rows, deepest at the bottom. `sleeping` (asleep, stage unknown) is drawn as light sleep. */
const LEVELS = ['Deep', 'Light', 'REM', 'Awake'];
const LEVEL_OF: Record<string, number> = { deep: 0, light: 1, sleeping: 1, rem: 2, awake: 3, in_bed: 3 };

const OPTIONS: Omit<uPlot.Options, 'width' | 'height'> = {
  legend: { show: false },
  scales: { x: { time: true }, y: { range: [-0.5, 3.5] } },
  series: [
    {},
    {
      label: 'Sleep stage',
      stroke: COLORS.stage,
      width: 2,
      paths: uPlot.paths.stepped!({ align: 1 }),
      points: { show: false },
    },
  ],
  axes: [{}, { splits: () => [0, 1, 2, 3], values: (_u, splits) => splits.map((v) => LEVELS[v] ?? '') }],
};

/** The stage steps of a night: one point per interval start, and the last interval's end. */
function stagePoints(session: SleepSession): uPlot.AlignedData {
  const intervals = (session.sleep_stage_intervals ?? []).filter((i) => LEVEL_OF[i.stage] !== undefined);
  const x = intervals.map((i) => seconds(i.start_time));
  const y: Array<number | null> = intervals.map((i) => LEVEL_OF[i.stage]!);
  const last = intervals.at(-1);
  if (last) {
    x.push(seconds(last.end_time));
    y.push(LEVEL_OF[last.stage]!);
  }
  return [x, y];
}

function describe(night: SleepSession): string {
  const { deep_minutes, light_minutes, rem_minutes, awake_minutes } = night.stages;
  const asleep = night.sleep_duration_seconds ?? (deep_minutes + light_minutes + rem_minutes) * 60;
  return (
    `${formatDateTime(night.start_time)} to ${formatDateTime(night.end_time)}: ${formatDuration(asleep)} asleep ` +
    `(deep ${formatDuration(deep_minutes * 60)}, light ${formatDuration(light_minutes * 60)}, ` +
    `REM ${formatDuration(rem_minutes * 60)}, awake ${formatDuration(awake_minutes * 60)}), from ${night.source.provider}.`
  );
}

/** Sleep stages of one night as a hypnogram (GET /events/sleep over the last two weeks, newest first). */
export function Hypnogram({ userId, version }: { userId: string; version: number }) {
  const loaded = useLoad(async () => {
    const end = new Date();
    const query = {
      start_date: new Date(end.getTime() - DAYS * DAY_MS).toISOString(),
      end_date: end.toISOString(),
      limit: 50,
    };
    const answer = await call(
      api().GET('/api/v1/users/{user_id}/events/sleep', { params: { path: { user_id: userId }, query } }),
    );
    return answer.data;
  }, [userId, version]);
  const [chosen, setChosen] = useState<string>();
  const nights = loaded.data ?? [];
  const night = nights.find((n) => n.id === chosen) ?? nights.find((n) => !n.is_nap) ?? nights[0];
  const data = useMemo(() => (night ? stagePoints(night) : undefined), [night]);

  return (
    <section aria-labelledby="sleep">
      <h2 id="sleep">Sleep stages</h2>
      <ErrorText error={loaded.error} />
      {loaded.loading && !loaded.data && <Loading what="sleep" />}
      {loaded.data && nights.length === 0 && <Status>No sleep in the last {DAYS} days.</Status>}
      {night && (
        <>
          <div class="controls">
            <Select
              label="Night"
              value={night.id}
              options={nights.map((n) => [n.id, `${formatDate(n.end_time)}${n.is_nap ? ' (nap)' : ''}`])}
              onValue={setChosen}
            />
          </div>
          <Status>{describe(night)}</Status>
          {data && data[0].length > 0 ? (
            <Plot label={`Hypnogram: ${describe(night)}`} options={OPTIONS} data={data} />
          ) : (
            <p>This night has no stage-by-stage detail.</p>
          )}
        </>
      )}
    </section>
  );
}
