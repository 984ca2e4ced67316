import type { ProviderModule } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';

/** STUB: replaced by the sensorbio integration. */
export const sensorbioModule: ProviderModule = {
  name: 'sensorbio',
  identity: async () => ({ providerUserId: null, providerUsername: null }),
  units: (start, end) => dayChunks(start, end, 30, 'sensorbio'),
  pull: async () => ({ series: [], events: [], scores: [] }),
};
