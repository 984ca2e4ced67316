import * as z from 'zod';
import { apiEnvSchema } from '#shared/config/env.js';
import { exactlyOneVaultKey, tokenVaultEnvShape, VAULT_KEY_MESSAGE } from '#shared/crypto/token-vault.js';
import { syncQueuesEnv } from '#shared/jobs/queues.js';
import { providersEnvSchema } from '#shared/providers/registry.js';

const envBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 'TRUE', 'FALSE', 'True', 'False'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => ['true', '1', 'yes', 'on'].includes(value.toLowerCase()));

/** The OAuth area's own settings. */
export const oauthSettingsEnvSchema = z.object({
  /** Queue a 90-day historical sync right after a successful connect (contract 7.4; default true). */
  HISTORICAL_SYNC_ON_CONNECT: envBoolean(true),
  /**
   * Comma-separated origins (`https://app.example.com,http://localhost:3000`) that the authorize endpoint accepts
   * as `redirect_uri`. Unset: any redirect_uri is accepted, as in the reference.
   */
  OAUTH_REDIRECT_ALLOWLIST: z.string().optional(),
});

/**
 * The `oauth` API area (authorize, callback, provider settings): the API env, the token vault (it encrypts the
 * tokens of a new connection), the provider credentials and URLs, the sync queue (historical sync on connect),
 * and its own settings.
 */
export const oauthEnvSchema = apiEnvSchema
  .extend(tokenVaultEnvShape.shape)
  .extend(providersEnvSchema.shape)
  .extend(syncQueuesEnv.shape)
  .extend(oauthSettingsEnvSchema.shape)
  .refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE });

export type OAuthEnv = z.infer<typeof oauthEnvSchema>;

/** Origins of `OAUTH_REDIRECT_ALLOWLIST`, normalised; null when unset (everything allowed). */
export function redirectAllowlist(value: string | undefined): Set<string> | null {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  return new Set(
    entries.map((entry) => {
      try {
        return new URL(entry).origin;
      } catch {
        return entry;
      }
    }),
  );
}
