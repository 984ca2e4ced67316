import { isObject } from '#shared/providers/json.js';
import type { PullOutput } from '#shared/providers/output.js';
import { positive } from '#shared/providers/values.js';
import { type Outcome, WHOOP_SOURCE } from '#shared/providers/whoop/common.js';

/**
 * The body measurement (`GET /v2/user/measurement/body`: the member's current `height_meter`, `weight_kilogram`)
 * -> `height` (cm) and `weight` (kg) samples at `at`. WHOOP keeps no history of them: the sync stamps them at the
 * UTC day it ran, so a day holds one value and a later sync the same day replaces it.
 */
export function mapBody(body: unknown, at: number, out: PullOutput): Outcome {
  if (!isObject(body)) return 'malformed';
  const height = positive(body.height_meter);
  const weight = positive(body.weight_kilogram);
  if (height === null && weight === null) return 'malformed';
  out.sample(WHOOP_SOURCE, 'height', at, height === null ? null : height * 100, null);
  out.sample(WHOOP_SOURCE, 'weight', at, weight, null);
  return 'mapped';
}
