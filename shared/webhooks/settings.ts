import { providerVariables } from '#shared/providers/registry.js';
import type { WebhookSettings } from '#shared/providers/types.js';
import { readAppSecret, storeAppSecret } from '#shared/store/app-secrets.js';

/** Secrets a provider returns when its webhook is created (store/app-secrets.ts); a configured variable wins. */
export const STORED_SECRETS = ['POLAR_WEBHOOK_SECRET'] as const;

const CACHE_MS = 60_000;
let cached: { at: number; values: Map<string, string> } | undefined;
const prefixOf = (provider: string) => `${provider.toUpperCase()}_`;

/** A found secret is cached; a missing one is not (the PING of a webhook being created precedes its key). */
async function storedSecret(name: string): Promise<string | undefined> {
  if (!cached || Date.now() - cached.at >= CACHE_MS) cached = { at: Date.now(), values: new Map() };
  const known = cached.values.get(name);
  if (known !== undefined) return known;
  const value = await readAppSecret(name);
  if (value) cached.values.set(name, value);
  return value;
}

/** Forgets the cached secrets (after a new one was stored here, and in tests). */
export const forgetStoredSecrets = () => {
  cached = undefined;
};

/**
 * What a provider's webhook verifier reads: the provider variables (credentials secret, then env), then the app
 * secrets stored for that provider. A stored one is read only when no value is configured, and cached a minute.
 */
export async function webhookSettings(provider: string): Promise<WebhookSettings> {
  const variables = await providerVariables();
  const stored = new Map<string, string>();
  for (const name of STORED_SECRETS) {
    if (!name.startsWith(prefixOf(provider)) || variables(name) !== undefined) continue;
    const value = await storedSecret(name);
    if (value) stored.set(name, value);
  }
  return (name) => variables(name) ?? stored.get(name);
}

/** The context's `storeSecret`: sealed in the table, visible to the next `webhookSettings()` of this process. */
export async function storeWebhookSecret(name: string, value: string): Promise<void> {
  await storeAppSecret(name, value);
  forgetStoredSecrets();
}
