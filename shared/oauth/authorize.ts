import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { env } from '#shared/config/env.js';
import type { ProviderConfig } from '#shared/providers/registry.js';

const baseUrlEnv = z.object({ API_BASE_URL: z.url() });

/** The provider-side redirect URI: `${API_BASE_URL}/api/v1/oauth/{provider}/callback` (contract 4.4). */
export const callbackUrl = (provider: string) =>
  `${env(baseUrlEnv).API_BASE_URL.replace(/\/+$/, '')}/api/v1/oauth/${provider}/callback`;

/** Our webhook URL for a provider: where its notifications and a new subscription's callback go (contract 8.2). */
export const webhookUrl = (provider: string) =>
  `${env(baseUrlEnv).API_BASE_URL.replace(/\/+$/, '')}/api/v1/providers/${provider}/webhooks`;

/** base64url(sha256(verifier)), unpadded (RFC 7636 S256). */
export const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** A PKCE verifier of 43 random bytes, URL-safe (58 characters, within RFC 7636's 43..128), and its challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(43).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

/** Google's web-server flow needs these to return a refresh token on every consent (providers.md 4.9). */
const EXTRA_PARAMS: Partial<Record<string, Array<[string, string]>>> = {
  google_health: [
    ['access_type', 'offline'],
    ['include_granted_scopes', 'true'],
    ['prompt', 'consent'],
  ],
};

export interface AuthorizeParams {
  redirectUri: string;
  state: string;
  /** Only for PKCE providers. */
  codeChallenge?: string;
}

/**
 * The consent URL, parameters in the reference's order: `response_type=code`, `client_id`, `redirect_uri`,
 * `state`, the PKCE challenge, then `scope` (omitted when empty). Unlike the reference every value is
 * percent-encoded, `redirect_uri` included (providers.md 3.1 quirk fixed), spaces in the scope as `%20`.
 */
export function buildAuthorizeUrl(config: ProviderConfig, params: AuthorizeParams): string {
  if (!config.authorizeUrl || !config.clientId) {
    throw new Error(`provider ${config.provider} has no authorize URL or client id`);
  }
  const pairs: Array<[string, string]> = [
    ['response_type', 'code'],
    ['client_id', config.clientId],
    ['redirect_uri', params.redirectUri],
    ['state', params.state],
  ];
  if (params.codeChallenge) {
    pairs.push(['code_challenge', params.codeChallenge], ['code_challenge_method', 'S256']);
  }
  if (config.scope.trim() !== '') pairs.push(['scope', config.scope]);
  pairs.push(...(EXTRA_PARAMS[config.provider] ?? []));
  const query = pairs.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  return `${config.authorizeUrl}${config.authorizeUrl.includes('?') ? '&' : '?'}${query}`;
}
