import type { StageDistribution } from '#shared/seed/profiles.js';
import type { Random } from '#shared/seed/random.js';

export interface Segment {
  stage: 'in_bed' | 'light' | 'deep' | 'rem' | 'awake';
  start: number;
  end: number;
}

const MINUTE = 60_000;
const CYCLE_MINUTES = 90;

/**
 * One session as the SDK sends it: an `in_bed` segment over the whole time, and ~90-minute cycles of light, deep,
 * light, REM and a short wake, with deep sleep front-loaded and REM back-loaded as in real nights. The stage shares
 * are drawn from `distribution`; light sleep is the rest.
 */
export function sleepSession(
  start: number,
  minutes: number,
  distribution: StageDistribution,
  random: Random,
): Segment[] {
  const share = (range: readonly [number, number]) => random.between(range[0], range[1]) / 100;
  const totals = {
    deep: minutes * share(distribution.deep_pct_range),
    rem: minutes * share(distribution.rem_pct_range),
    awake: minutes * share(distribution.awake_pct_range),
  };
  const cycles = Math.max(1, Math.round(minutes / CYCLE_MINUTES));
  const weightSum = (cycles * (cycles + 1)) / 2;
  const segments: Segment[] = [{ stage: 'in_bed', start, end: start + minutes * MINUTE }];
  let at = start;
  const push = (stage: Segment['stage'], length: number) => {
    const whole = Math.round(length);
    if (whole <= 0) return;
    segments.push({ stage, start: at, end: at + whole * MINUTE });
    at += whole * MINUTE;
  };
  for (let c = 0; c < cycles; c++) {
    const deep = (totals.deep * (cycles - c)) / weightSum;
    const rem = (totals.rem * (c + 1)) / weightSum;
    const awake = totals.awake / cycles;
    const remaining = (start + minutes * MINUTE - at) / MINUTE;
    const length = c === cycles - 1 ? remaining : Math.min(remaining, minutes / cycles);
    const light = Math.max(0, length - deep - rem - awake);
    push('light', light / 2);
    push('deep', deep);
    push('light', light / 2);
    push('rem', rem);
    push('awake', Math.min(awake, (start + minutes * MINUTE - at) / MINUTE));
  }
  return segments.filter((segment) => segment.end <= start + minutes * MINUTE);
}
