import {
  canonicalProvider,
  type ProviderName,
  SDK_PROVIDERS,
  type SdkProvider,
} from '#shared/model/provider.js';
import { INTEGRATED_PROVIDERS, PROVIDER_INFO } from '#shared/providers/registry.js';
import type { SeedProfile } from '#shared/seed/profiles.js';
import type { Random } from '#shared/seed/random.js';

/**
 * Where a seeded user's data comes from. Seeding goes through the mobile SDK ingest path (a cloud provider would need
 * a real account and tokens), so each chosen provider becomes a channel of SDK pushes: an SDK provider pushes as
 * itself (and so becomes a connection), a cloud provider's data arrives the way HealthKit carries a third-party
 * app's data: pushed as `apple`, with that provider's app as the source (a data source, not a connection).
 */
export interface Channel {
  /** The provider asked for. */
  label: ProviderName;
  /** The SDK provider the pushes name. */
  provider: SdkProvider;
  /** `SourceInfo` of every item (contract 6.2). */
  source: Record<string, string>;
}

const SDK_SOURCES: Record<SdkProvider, Record<string, string>> = {
  apple: {
    name: 'Apple Watch',
    bundleIdentifier: 'com.apple.health',
    deviceModel: 'Watch7,1',
    productType: 'Watch7,1',
  },
  health_connect: { appId: 'com.google.android.apps.fitness', name: 'Fit', deviceModel: 'Pixel Watch 2' },
  samsung: { appId: 'com.sec.android.app.shealth', name: 'Samsung Health', deviceModel: 'SM-R960' },
};

const isSdk = (provider: ProviderName): provider is SdkProvider =>
  (SDK_PROVIDERS as readonly string[]).includes(provider);

function channelOf(label: ProviderName): Channel {
  if (isSdk(label)) return { label, provider: label, source: SDK_SOURCES[label] };
  const name = (PROVIDER_INFO as Partial<Record<ProviderName, { name: string }>>)[label]?.name ?? label;
  return {
    label,
    provider: 'apple',
    source: { name, bundleIdentifier: `com.${label.replace(/_/g, '')}.app` },
  };
}

/** The providers asked for (deduplicated), else `num_connections` picked at random from the integrated ones. */
export function channelsFor(profile: SeedProfile, random: Random): Channel[] {
  if (profile.providers?.length) return [...new Set(profile.providers.map(canonicalProvider))].map(channelOf);
  const pool: ProviderName[] = [...INTEGRATED_PROVIDERS];
  const chosen: ProviderName[] = [];
  while (chosen.length < profile.num_connections && pool.length > 0) {
    chosen.push(...pool.splice(Math.floor(random.next() * pool.length), 1));
  }
  return chosen.map(channelOf);
}
