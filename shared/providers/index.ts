import type { ProviderName } from '#shared/model/provider.js';
import { fitbit } from '#shared/providers/fitbit/index.js';
import type { PullProvider } from '#shared/providers/types.js';
import { ultrahuman } from '#shared/providers/ultrahuman/index.js';

/** Implemented pull providers; each other provider of the registry becomes a folder here when it is built. */
export const pullProviders: Partial<Record<ProviderName, PullProvider>> = { fitbit, ultrahuman };
