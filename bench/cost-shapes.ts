import { writeSeries } from '#shared/ingest/persist.js';
import type { Sample } from '#shared/model/health-data.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import type { Meter } from './cost-meter.js';
import type { BenchSandbox } from './sandbox.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Store-level write units per 1,000 samples for the shapes of issue 12's targets, through persist's writeSeries. */
export async function storeShapes(sandbox: BenchSandbox, meter: Meter) {
  const day = Date.UTC(2026, 10, 2);
  const at = (t: number, value: number, flag: boolean | null = null): Sample => ({
    timestamp: t,
    value,
    zoneOffset: '+01:00',
    isDailyTotal: flag,
  });
  // The week of bench/ingest.ts, three days of it: heart rate every minute (5 s in an hour's workout), steps and
  // energy every 10 s while awake.
  const dense = { heart_rate: [] as Sample[], steps: [] as Sample[], energy: [] as Sample[] };
  for (let t = day; t < day + 3 * DAY; t += MIN) {
    const inWorkout = (t - day) % DAY >= 17 * HOUR && (t - day) % DAY < 18 * HOUR;
    for (let s = t; s < t + MIN; s += inWorkout ? 5000 : MIN)
      dense.heart_rate.push(at(s, inWorkout ? 150 : 62));
    const hour = new Date(t).getUTCHours();
    if (hour >= 7 && hour < 23) {
      for (let s = t; s < t + MIN; s += 10_000) {
        dense.steps.push(at(s, (s / 10_000) % 5, false));
        dense.energy.push(at(s, 0.2, false));
      }
    }
  }
  const sparse = {
    heart_rate: Array.from({ length: 3 * 288 }, (_, i) => at(day + i * 5 * MIN, 60 + (i % 9))),
    skin_temperature_deviation: Array.from({ length: 3 * 288 }, (_, i) =>
      at(day + i * 5 * MIN, (i % 11) / 10),
    ),
    heart_rate_variability_rmssd: Array.from({ length: 3 * 288 }, (_, i) =>
      at(day + i * 5 * MIN, 40 + (i % 5)),
    ),
  };
  const pieces = (series: Record<string, Sample[]>, span: number) => {
    const out: Array<Record<string, Sample[]>> = [];
    for (let from = day; from < day + 3 * DAY; from += span) {
      out.push(
        Object.fromEntries(
          Object.entries(series).map(([k, v]) => [
            k,
            v.filter((s) => s.timestamp >= from && s.timestamp < from + span),
          ]),
        ),
      );
    }
    return out;
  };
  const byCount = (series: Record<string, Sample[]>, size: number) => {
    const all = Object.entries(series)
      .flatMap(([k, v]) => v.map((s) => [k, s] as const))
      .sort((a, b) => a[1].timestamp - b[1].timestamp);
    const out: Array<Record<string, Sample[]>> = [];
    for (let i = 0; i < all.length; i += size) {
      const push: Record<string, Sample[]> = {};
      for (const [k, s] of all.slice(i, i + size)) push[k] = [...(push[k] ?? []), s];
      out.push(push);
    }
    return out;
  };
  const shapes: Array<[string, Array<Record<string, Sample[]>>]> = [
    ['dense Apple Watch (bench ingest), 15-minute pushes', pieces(dense, 15 * MIN)],
    ['dense Apple Watch, 2,000-sample batches', byCount(dense, 2_000)],
    ['sparse provider series (5-minute data), a day per sync', pieces(sparse, DAY)],
    ['sparse provider series, hourly syncs of the new hour', pieces(sparse, HOUR)],
  ];
  const rows = [];
  for (const [shape, pushes] of shapes) {
    const userId = await sandbox.createUser();
    const before = meter.snapshot();
    let samples = 0;
    for (const push of pushes) {
      const series = Object.entries(push)
        .filter(([, v]) => v.length > 0)
        .map(([series, v]) => ({ series: series as never, key: '0123456789abcdef', samples: v }));
      samples += series.reduce((n, s) => n + s.samples.length, 0);
      await writeSeries(userId, series);
    }
    const used = meter.since(before);
    const read = await readSeriesSamples(userId, 'heart_rate', day + DAY, day + 2 * DAY);
    rows.push({
      shape,
      samples,
      'write units / 1,000 samples': ((used.writeUnits / samples) * 1000).toFixed(1),
      'one-day HR read, RCU': read.consumedRcu,
    });
  }
  return rows;
}
