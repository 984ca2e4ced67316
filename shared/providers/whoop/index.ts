import { type ProviderModule, WebhookRejected } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';

/** STUB: replaced by the whoop integration. */
export const whoopModule: ProviderModule = {
  name: 'whoop',
  identity: async () => ({ providerUserId: null, providerUsername: null }),
  units: (start, end) => dayChunks(start, end, 30, 'whoop'),
  pull: async () => ({ series: [], events: [], scores: [] }),
  webhook: {
    settings: [],
    verify() {
      throw new WebhookRejected(401, 'not implemented yet');
    },
    parse: () => [],
    handle: async () => ({ samples: 0, events: 0, scores: 0, skipped: 0 }),
  },
};
