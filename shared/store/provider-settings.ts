import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import type { LiveSyncMode } from '#shared/providers/registry.js';
import { db, queryAll } from '#shared/store/client.js';

export const DATA_GRANULARITIES = ['raw', 'hourly', 'daily'] as const;
export type DataGranularity = (typeof DATA_GRANULARITIES)[number];

/** The admin settings of one provider (contract 4.4). Absent settings mean the defaults. */
export interface ProviderSettings {
  provider: string;
  /** Admin toggle; default true. */
  is_enabled: boolean;
  /** null = the provider's default live mode. */
  live_sync_mode: LiveSyncMode | null;
  /** null = the provider's default granularity. */
  data_granularity: DataGranularity | null;
  updated_at: string | null;
}

export type ProviderSettingsPatch = Partial<Pick<ProviderSettings, 'is_enabled' | 'data_granularity'>> & {
  live_sync_mode?: LiveSyncMode;
};

/** All providers' settings share one small partition: the provider list reads it with one query. */
const PARTITION = 'PROVIDERSETTINGS';
const settingsKey = (provider: string) => ({ PK: PARTITION, SK: `PROVIDER#${provider}` });

export const defaultProviderSettings = (provider: string): ProviderSettings => ({
  provider,
  is_enabled: true,
  live_sync_mode: null,
  data_granularity: null,
  updated_at: null,
});

function fromItem(item: Record<string, unknown>): ProviderSettings {
  const provider = item.provider as string;
  return {
    ...defaultProviderSettings(provider),
    ...(typeof item.is_enabled === 'boolean' ? { is_enabled: item.is_enabled } : {}),
    live_sync_mode: (item.live_sync_mode as LiveSyncMode | null | undefined) ?? null,
    data_granularity: (item.data_granularity as DataGranularity | null | undefined) ?? null,
    updated_at: (item.updated_at as string | undefined) ?? null,
  };
}

/** Every provider's stored settings, by provider; providers never configured are absent (use the defaults). */
export async function listProviderSettings(): Promise<Map<string, ProviderSettings>> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': PARTITION },
    ConsistentRead: true,
  });
  return new Map(items.map((item) => [item.provider as string, fromItem(item)]));
}

export async function getProviderSettings(provider: string): Promise<ProviderSettings> {
  return (await listProviderSettings()).get(provider) ?? defaultProviderSettings(provider);
}

/** Sets only the fields present in `patch` (an explicit null granularity resets it to the provider default). */
export async function updateProviderSettings(
  provider: string,
  patch: ProviderSettingsPatch,
): Promise<ProviderSettings> {
  const values: Record<string, unknown> = { ':provider': provider, ':now': nowIso() };
  const names: Record<string, string> = {};
  const sets = ['provider = :provider', 'updated_at = :now'];
  for (const field of ['is_enabled', 'live_sync_mode', 'data_granularity'] as const) {
    if (patch[field] === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = patch[field];
    sets.push(`#${field} = :${field}`);
  }
  const { doc, table } = db();
  const out = await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: settingsKey(provider),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return fromItem(out.Attributes ?? { provider });
}
