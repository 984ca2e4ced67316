/** Strava activity streams for the fake (providers.md 4.6): `GET /activities/{id}/streams`. */
import { randomTools, round } from '#test/fakes/random.js';
import type { StravaActivity } from '#test/fakes/strava-data.js';

export const STREAM_TYPES = [
  'time',
  'distance',
  'latlng',
  'altitude',
  'velocity_smooth',
  'heartrate',
  'cadence',
  'watts',
  'temp',
  'moving',
  'grade_smooth',
] as const;

export interface StravaStream {
  type: string;
  data: unknown[];
  series_type: 'distance' | 'time';
  original_size: number;
  resolution: 'low' | 'medium' | 'high';
}

/**
 * The streams of an activity, one point per second (Strava's "high" resolution for a recorded activity):
 * `time` and `distance` always (as Strava adds them), then the requested keys the activity has.
 */
export function streamsOf(activity: StravaActivity, keys: string[]): StravaStream[] {
  if (activity.manual) return [];
  const rng = randomTools(`streams|${activity.id}`);
  const points = Math.max(2, Math.floor(activity.elapsed_time) + 1);
  const speed = (activity.average_speed as number | undefined) ?? 0;
  const hr = (activity.average_heartrate as number | undefined) ?? 0;
  const data: Record<string, unknown[]> = Object.fromEntries(STREAM_TYPES.map((t) => [t, []]));
  let distance = 0;
  const hasGps = Array.isArray(activity.start_latlng) && (activity.start_latlng as unknown[]).length === 2;
  for (let t = 0; t < points; t++) {
    const v = speed > 0 ? Math.max(0, speed + rng.between(-0.3, 0.3)) : 0;
    distance += v;
    data.time!.push(t);
    data.distance!.push(round(distance, 1));
    data.velocity_smooth!.push(round(v, 2));
    data.heartrate!.push(Math.round(hr * (0.8 + 0.2 * Math.min(1, t / 420)) + rng.between(-3, 3)));
    data.cadence!.push(
      Math.round(((activity.average_cadence as number | undefined) ?? 0) + rng.between(-3, 3)),
    );
    data.watts!.push(
      Math.max(0, Math.round(((activity.average_watts as number | undefined) ?? 0) + rng.between(-40, 40))),
    );
    data.altitude!.push(round(100 + 20 * Math.sin(t / 600), 1));
    data.latlng!.push([round(52.2297 + distance / 300_000, 6), round(21.0122 + distance / 500_000, 6)]);
    data.temp!.push(14);
    data.moving!.push(v > 0.3);
    data.grade_smooth!.push(round(rng.between(-2, 2), 1));
  }
  const available = new Set(['time', 'distance', 'moving']);
  if (speed > 0) available.add('velocity_smooth').add('altitude').add('grade_smooth');
  if (activity.has_heartrate) available.add('heartrate');
  if (activity.average_cadence !== undefined) available.add('cadence');
  if (activity.average_watts !== undefined) available.add('watts');
  if (hasGps) available.add('latlng').add('temp');
  const wanted = ['time', 'distance', ...keys.filter((k) => k !== 'time' && k !== 'distance')];
  return wanted
    .filter((key, i) => available.has(key) && wanted.indexOf(key) === i)
    .map((type) => ({
      type,
      data: data[type]!,
      series_type: 'distance',
      original_size: points,
      resolution: 'high',
    }));
}
