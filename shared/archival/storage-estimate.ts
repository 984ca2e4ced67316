import { mapLimited } from '#shared/model/concurrency.js';
import type { ArchivalSettings } from '#shared/store/archival-settings.js';
import { SAMPLED_USERS, sample } from '#shared/store/sampling.js';
import { listArchiveItems } from '#shared/store/series-archive.js';
import { BUCKET_MS, DAY_MS } from '#shared/store/series-layout.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { listUsers } from '#shared/store/users.js';

/**
 * The `storage` of `GET /settings/archival` (contract 4.16 StorageEstimate). DynamoDB has no per-"table" sizes
 * here (one table), so the figures are estimated from what the registries count: live rows are samples (the
 * registry counts), their bytes the raw items' keys (one item per (series, source, hour) with samples) plus about
 * two bytes a sample (store/chunk-codec.ts); archive rows are archived days, their bytes the sizes recorded on the
 * archive items. "Index" bytes are DynamoDB's 100 bytes of per-item overhead. Other items are not counted (0).
 * Like `/dashboard/stats`, past SAMPLED_USERS users a random sample of them is read and the totals scaled up
 * (store/sampling.ts), and the figures are kept CACHE_MS per process: the settings routes stay cheap.
 */

const ITEM_OVERHEAD_BYTES = 100;
const RAW_KEY_BYTES = 70;
const BYTES_PER_SAMPLE = 2;
const USER_CONCURRENCY = 8;
const CACHE_MS = 60_000;

interface UserUsage {
  liveRows: number;
  liveItems: number;
  archiveRows: number;
  archiveItems: number;
  archiveBytes: number;
  first: number;
  last: number;
}

async function usageOf(userId: string): Promise<UserUsage> {
  const [entries, archives] = await Promise.all([listUserSeries(userId), listArchiveItems(userId, 'n, b')]);
  const live = entries.filter((e) => e.count > 0);
  return {
    liveRows: live.reduce((total, e) => total + e.count, 0),
    liveItems: live.reduce(
      (total, e) => total + Math.min(e.count, Math.floor((e.last - e.first) / BUCKET_MS) + 1),
      0,
    ),
    archiveRows: archives.reduce((total, a) => total + (a.n as number), 0),
    archiveItems: archives.length,
    archiveBytes: archives.reduce((total, a) => total + (a.b as number), 0),
    first: Math.min(...live.map((e) => e.first)),
    last: Math.max(...live.map((e) => e.last)),
  };
}

/** Like the reference: "512 B", "1.50 KB", ... */
export function prettyBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  for (const unit of units) {
    if (Math.abs(n) < 1024) return unit === 'B' ? `${n} B` : `${n.toFixed(2)} ${unit}`;
    n /= 1024;
  }
  return `${n.toFixed(2)} PB`;
}

export const growthClass = (settings: ArchivalSettings) =>
  settings.delete_after_days !== null
    ? 'bounded'
    : settings.archive_after_days !== null
      ? 'linear_efficient'
      : 'linear';

/** Every user's usage added up, from a sample of at most `sampleSize` users scaled up. */
async function totalUsage(sampleSize: number): Promise<UserUsage> {
  const ids = (await listUsers()).map((u) => u.id);
  const read = ids.length > sampleSize ? sample(ids, sampleSize) : ids;
  const usages = await mapLimited(read, USER_CONCURRENCY, usageOf);
  const scale = read.length === 0 ? 0 : ids.length / read.length;
  const sum = (pick: (u: UserUsage) => number) =>
    Math.round(usages.reduce((total, u) => total + pick(u), 0) * scale);
  return {
    liveRows: sum((u) => u.liveRows),
    liveItems: sum((u) => u.liveItems),
    archiveRows: sum((u) => u.archiveRows),
    archiveItems: sum((u) => u.archiveItems),
    archiveBytes: sum((u) => u.archiveBytes),
    first: Math.min(...usages.map((u) => u.first)),
    last: Math.max(...usages.map((u) => u.last)),
  };
}

let cached: { until: number; usage: Promise<UserUsage> } | undefined;

function cachedUsage(now: number, sampleSize: number): Promise<UserUsage> {
  if (!cached || cached.until <= now) {
    const usage = totalUsage(sampleSize);
    cached = { until: now + CACHE_MS, usage };
    usage.catch(() => {
      cached = undefined;
    });
  }
  return cached.usage;
}

/** Tests: the next estimate measures again. */
export const forgetStorageEstimate = () => {
  cached = undefined;
};

export async function storageEstimate(
  settings: ArchivalSettings,
  { now = Date.now(), sampleSize = SAMPLED_USERS }: { now?: number; sampleSize?: number } = {},
) {
  const usage = await cachedUsage(now, sampleSize);
  const liveRows = usage.liveRows;
  const liveData = usage.liveItems * RAW_KEY_BYTES + liveRows * BYTES_PER_SAMPLE;
  const liveIndex = usage.liveItems * ITEM_OVERHEAD_BYTES;
  const archiveRows = usage.archiveRows;
  const archiveData = usage.archiveBytes;
  const archiveIndex = usage.archiveItems * ITEM_OVERHEAD_BYTES;
  const { first, last } = usage;
  const other = 0;
  const total = liveData + liveIndex + archiveData + archiveIndex + other;
  const perRow = (bytes: number, rows: number) => (rows === 0 ? 0 : Math.round((bytes / rows) * 10) / 10);
  return {
    live_data_bytes: liveData,
    live_index_bytes: liveIndex,
    archive_data_bytes: archiveData,
    archive_index_bytes: archiveIndex,
    other_tables_bytes: other,
    total_bytes: total,
    live_row_count: liveRows,
    archive_row_count: archiveRows,
    avg_bytes_per_live_row: perRow(liveData + liveIndex, liveRows),
    avg_bytes_per_archive_row: perRow(archiveData + archiveIndex, archiveRows),
    live_data_span_days: liveRows > 0 ? Math.max(1, Math.floor((last - first) / DAY_MS)) : 0,
    live_total_pretty: prettyBytes(liveData + liveIndex),
    live_data_pretty: prettyBytes(liveData),
    live_index_pretty: prettyBytes(liveIndex),
    archive_total_pretty: prettyBytes(archiveData + archiveIndex),
    archive_data_pretty: prettyBytes(archiveData),
    archive_index_pretty: prettyBytes(archiveIndex),
    other_tables_pretty: prettyBytes(other),
    total_pretty: prettyBytes(total),
    growth_class: growthClass(settings),
  };
}
