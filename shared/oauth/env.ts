import * as z from 'zod/mini';
import { apiEnvSchema, commaList, EnvironmentError, env, envBoolean } from '#shared/config/env.js';
import { setting } from '#shared/config/settings.js';
import { exactlyOneVaultKey, tokenVaultEnvShape, VAULT_KEY_MESSAGE } from '#shared/crypto/token-vault.js';
import { queueProducerEnv, syncQueuesEnv } from '#shared/jobs/queue-env.js';
import { providersEnvSchema } from '#shared/providers/registry.js';

/** The OAuth area's own settings. */
export const oauthSettingsEnvSchema = z.object({
  // Contract 7.4 (default true).
  HISTORICAL_SYNC_ON_CONNECT: setting(
    envBoolean(true),
    'queue a historical sync (90 days) right after a successful connect',
  ),
  /**
   * Google shut the Fitbit Web API down on 2026-11-02: new Fitbit connections are refused (authorize and callback
   * answer 400 naming google_health). `false` lets them through, for tests, the demo and a Fitbit-compatible server.
   */
  FITBIT_SUNSET: setting(
    envBoolean(true),
    'new Fitbit connections are refused (the Fitbit Web API is gone); `false` for the demo and tests',
  ),
  /**
   * Comma-separated origins (`https://app.example.com,http://localhost:3000`) that the authorize endpoint accepts
   * as `redirect_uri`. Unset: any redirect_uri is accepted, as in the reference. At most 1,024 characters (some 25
   * origins): the oauth function's environment also holds a queue URL per provider, and Lambda refuses one over 4 KB.
   */
  OAUTH_REDIRECT_ALLOWLIST: setting(
    z.optional(z.string().check(z.maxLength(1024))),
    'comma-separated origins a `redirect_uri` of `/oauth/{provider}/authorize` must belong to (at most 1,024 characters)',
  ),
  /**
   * The reference's unauthenticated `GET /oauth/{provider}/authorize` (default false: API key or developer token
   * required). Only with `OAUTH_REDIRECT_ALLOWLIST`, or anyone could send a user's consent anywhere.
   */
  OAUTH_PUBLIC_AUTHORIZE: setting(
    envBoolean(false),
    '`true` makes `/oauth/{provider}/authorize` public, as in the reference (needs the allow-list)',
  ),
});

const PUBLIC_NEEDS_ALLOWLIST = 'OAUTH_PUBLIC_AUTHORIZE=true requires OAUTH_REDIRECT_ALLOWLIST';
const allowlistIfPublic = (settings: {
  OAUTH_PUBLIC_AUTHORIZE?: unknown;
  OAUTH_REDIRECT_ALLOWLIST?: unknown;
}) =>
  settings.OAUTH_PUBLIC_AUTHORIZE !== true ||
  redirectAllowlist(settings.OAUTH_REDIRECT_ALLOWLIST as string | undefined) !== null;

/** The OAuth settings, with their cross-field rule (also checked at synth through `oauthEnvSchema`). */
export function oauthSettings() {
  const settings = env(oauthSettingsEnvSchema);
  if (!allowlistIfPublic(settings))
    throw new EnvironmentError(`Invalid environment: ${PUBLIC_NEEDS_ALLOWLIST}`);
  return settings;
}

/**
 * The `oauth` API area (authorize, callback, provider settings): the API env, the token vault (it encrypts the
 * tokens of a new connection), the provider credentials and URLs, the sync queue (historical sync on connect),
 * and its own settings.
 */
export const oauthEnvSchema = z
  .extend(apiEnvSchema, {
    ...tokenVaultEnvShape.shape,
    ...providersEnvSchema.shape,
    ...syncQueuesEnv.shape,
    ...oauthSettingsEnvSchema.shape,
  })
  .check(
    z.refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE }),
    z.refine(allowlistIfPublic, { message: PUBLIC_NEEDS_ALLOWLIST }),
  );

export type OAuthEnv = z.infer<typeof oauthEnvSchema>;

/** Origins of `OAUTH_REDIRECT_ALLOWLIST`, normalised; null when unset (everything allowed). */
export function redirectAllowlist(value: string | undefined): Set<string> | null {
  const entries = commaList(value ?? '');
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

/**
 * The users area: large erasures go to the erasure queue; a disconnect opens the connection's tokens (token vault,
 * provider credentials) for the provider's deregistration.
 */
export const usersEnvSchema = z
  .extend(apiEnvSchema, {
    ...queueProducerEnv.erasure.shape,
    ...tokenVaultEnvShape.shape,
    ...providersEnvSchema.shape,
  })
  .check(z.refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE }));
