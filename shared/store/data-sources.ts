import type { SourceRef } from '#shared/model/health-data.js';
import { canonicalProvider, type ProviderName } from '#shared/model/provider.js';
import { type DeviceType, inferDeviceType, sourceIdentity } from '#shared/model/sources.js';
import { nowIso } from '#shared/model/time.js';
import { keyId, queryAll, type ReadOptions } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { sameItem, storedItems } from '#shared/store/unchanged.js';
import { putForUser } from '#shared/store/user-guard.js';

/** A (provider, device, writer) combination of one user: the provenance every sample and event points at. */
export interface DataSourceRecord {
  id: string;
  key: string;
  user_id: string;
  provider: ProviderName;
  device_model: string | null;
  software_version: string | null;
  source: string | null;
  device_type: DeviceType;
  original_source_name: string | null;
  created_at: string;
}

export const dataSourceSk = (key: string) => `SOURCE#${key}`;

export function toDataSource(userId: string, source: SourceRef): DataSourceRecord {
  const { key, id } = sourceIdentity(userId, source);
  return {
    id,
    key,
    user_id: userId,
    provider: source.provider,
    device_model: source.deviceModel,
    software_version: source.softwareVersion,
    source: source.sourceName,
    device_type: inferDeviceType(source.deviceModel, source.sourceName),
    original_source_name: source.originalSourceName,
    created_at: nowIso(),
  };
}

/**
 * Registers one user's sources idempotently (never for a deleted user: UserGone). Identity is derived from the
 * source itself, so a rewrite of an existing source only refreshes descriptive fields (`created_at` stays);
 * concurrent writers agree on id and key. Every push and sync names its sources again: those stored as they are
 * are not rewritten (nothing is written, so the user guard has nothing to hold back; a new or changed source is
 * written under it as before).
 */
export async function saveDataSources(
  userId: string,
  records: DataSourceRecord[],
  reads?: ReadOptions,
): Promise<void> {
  const unique = [...new Map(records.map((r) => [r.key, r])).values()];
  const items = unique.map((r) => ({
    PK: keys.userPartition(userId),
    SK: dataSourceSk(r.key),
    ...r,
    user_id: userId,
  }));
  const stored = await storedItems(
    items.map(({ PK, SK }) => ({ PK, SK })),
    reads,
  );
  const changed = items.flatMap((item) => {
    const previous = stored.get(keyId(item));
    const next = previous ? { ...item, created_at: previous.created_at as string } : item;
    return sameItem(previous, next) ? [] : [next];
  });
  if (changed.length > 0) await putForUser(userId, changed);
}

/** A source stored before the `google` -> `health_connect` split reads as the Health Connect source it is. */
function fromItem({ PK, SK, ...rest }: Record<string, unknown>): DataSourceRecord {
  const record = rest as unknown as DataSourceRecord;
  return { ...record, provider: canonicalProvider(record.provider) };
}

export async function listDataSources(userId: string): Promise<DataSourceRecord[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':sk': 'SOURCE#' },
    ConsistentRead: true,
  });
  return items.map(fromItem);
}

/** The user's sources by key, for rendering `SourceMetadata`. */
export async function dataSourcesByKey(userId: string): Promise<Map<string, DataSourceRecord>> {
  return new Map((await listDataSources(userId)).map((s) => [s.key, s]));
}

/** The provenance of a stored source, as the ingest layer describes it. */
export const sourceRefOf = (record: DataSourceRecord): SourceRef => ({
  provider: record.provider,
  deviceModel: record.device_model,
  sourceName: record.source,
  softwareVersion: record.software_version,
  originalSourceName: record.original_source_name,
});
