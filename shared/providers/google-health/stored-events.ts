import type { HealthEvent } from '#shared/model/health-data.js';
import { UNKNOWN_SOURCE } from '#shared/model/sources.js';
import { queryEvents } from '#shared/store/events.js';

/**
 * The external ids of the user's stored Google Health sessions of one data type starting in `[start, end)`: what a
 * DELETE notification may have removed. A notification names a time window, not the records, and the webhook
 * context cannot list stored events, so this reads them here. Google's point names (`users/me/dataTypes/exercise/
 * dataPoints/<id>`) mark them; an id of another provider would not match `removeEvent` anyway, which is scoped to
 * this provider.
 */
export async function storedSessionIds(
  userId: string,
  category: HealthEvent['category'],
  dataType: string,
  start: number,
  end: number,
): Promise<string[]> {
  const marker = `/dataTypes/${dataType}/dataPoints/`;
  const events = await queryEvents(userId, category, start, end, () => UNKNOWN_SOURCE);
  return events.flatMap((event) => (event.externalId?.includes(marker) ? [event.externalId] : []));
}
