import type * as z from 'zod/mini';
import type { dataSourceList } from '#shared/data/schemas.js';
import { listDataSources } from '#shared/store/data-sources.js';

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** `GET /users/{id}/data-sources` (contract 4.11). */
export async function listDataSourceViews(userId: string): Promise<z.output<typeof dataSourceList>> {
  const records = await listDataSources(userId);
  const items = records.map((r) => {
    const label = r.device_model ?? r.original_source_name;
    return {
      id: r.id,
      user_id: r.user_id,
      provider: r.provider,
      user_connection_id: null,
      device_model: r.device_model,
      software_version: r.software_version,
      source: r.source,
      device_type: r.device_type,
      original_source_name: r.original_source_name,
      display_name: label ? `${capitalised(r.provider)} - ${label}` : 'Unknown Source',
    };
  });
  return { items, total: items.length };
}
