import { isObject } from '#shared/providers/json.js';
import { componentsOf, type PullOutput } from '#shared/providers/output.js';
import { zoneOf } from '#shared/providers/time.js';
import { nonNegative, positive } from '#shared/providers/values.js';
import { instantOf, kcalOf, type Outcome, scoreOf, WHOOP_SCORE } from '#shared/providers/whoop/common.js';

/**
 * A physiological cycle (`GET /v2/cycle`: one WHOOP "day", from falling asleep to the next time) -> the day's strain
 * as a `strain` score at the cycle's start, with the day's energy (kJ -> kcal) and average / maximum heart rate as
 * components. The current cycle has no `end` yet and its strain grows during the day: each pull replaces the score
 * (same category and time).
 */
export function mapCycle(record: unknown, out: PullOutput): Outcome {
  if (!isObject(record)) return 'malformed';
  const start = instantOf(record.start);
  if (start === null) return 'malformed';
  const score = scoreOf(record);
  if (!score) return 'unscored';
  const strain = nonNegative(score.strain);
  if (strain === null) return 'malformed';
  out.score({
    ...WHOOP_SCORE,
    category: 'strain',
    value: strain,
    recordedAt: start,
    zoneOffset: zoneOf(record.timezone_offset),
    components: componentsOf({
      energy_kcal: kcalOf(nonNegative(score.kilojoule)),
      average_heart_rate: positive(score.average_heart_rate),
      max_heart_rate: positive(score.max_heart_rate),
    }),
  });
  return 'mapped';
}
