import { encryptTokens } from '#shared/crypto/token-vault.js';
import { emitCommitted } from '#shared/delivery/emit.js';
import { connectionCreated } from '#shared/delivery/payloads.js';
import { badRequest } from '#shared/http/errors.js';
import { requireUser } from '#shared/identity/users.js';
import type { ProviderName } from '#shared/model/provider.js';
import { nowIso } from '#shared/model/time.js';
import { buildAuthorizeUrl, callbackUrl, pkcePair, webhookUrl } from '#shared/oauth/authorize.js';
import { oauthSettings, redirectAllowlist } from '#shared/oauth/env.js';
import { TokenEndpointError } from '#shared/oauth/errors.js';
import { exchangeCode } from '#shared/oauth/token-endpoint.js';
import { logger } from '#shared/observability.js';
import { userClient } from '#shared/providers/client.js';
import { providerHooks } from '#shared/providers/hooks.js';
import { ProviderRequestError } from '#shared/providers/http.js';
import {
  isIntegrated,
  PROVIDER_INFO,
  type ProviderConfig,
  providerConfig,
  providerVariables,
} from '#shared/providers/registry.js';
import type { ProviderIdentity, TokenSet } from '#shared/providers/types.js';
import { upsertConnection } from '#shared/store/connections.js';
import { consumeState, createState } from '#shared/store/oauth-state.js';
import { queueHistoricalSync } from '#shared/sync/enqueue.js';

/** Days of history pulled right after a connect (contract 7.4). */
export const HISTORICAL_DAYS_ON_CONNECT = 90;

export const ERROR_PAGE = '/api/v1/oauth/error';
export const SUCCESS_PAGE = '/api/v1/oauth/success';

/** The provider's OAuth settings, or the contract's 400s: no OAuth at all, or no credentials configured. */
async function oauthConfig(provider: ProviderName): Promise<ProviderConfig> {
  if (!isIntegrated(provider) || !PROVIDER_INFO[provider].oauth) {
    throw badRequest(`Provider '${provider}' does not support OAuth`);
  }
  const config = await providerConfig(provider);
  if (!config.configured || !config.authorizeUrl || !config.tokenUrl) {
    const prefix = provider.toUpperCase();
    throw badRequest(
      `Provider '${provider}' is not configured: set ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET`,
    );
  }
  return config;
}

/** Fitbit takes no new connections once its API is gone (FITBIT_SUNSET, default true): the detail says where to go. */
function refuseSunset(provider: ProviderName): void {
  if (provider !== 'fitbit' || !oauthSettings().FITBIT_SUNSET) return;
  throw badRequest(`New Fitbit connections are refused: ${PROVIDER_INFO.fitbit.deprecation?.message}`);
}

const hasControlCharacter = (text: string) =>
  [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);

/**
 * The redirect_uri (where the browser goes after the callback) must be an absolute http(s) URL without control
 * characters, of an allowed origin when `OAUTH_REDIRECT_ALLOWLIST` is set.
 */
function checkRedirect(redirectUri: string | undefined): void {
  if (redirectUri === undefined) return;
  if (hasControlCharacter(redirectUri)) throw badRequest('redirect_uri must not contain control characters');
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw badRequest('redirect_uri must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badRequest('redirect_uri must be an absolute http(s) URL');
  }
  const allowed = redirectAllowlist(oauthSettings().OAUTH_REDIRECT_ALLOWLIST);
  if (allowed && !allowed.has(url.origin))
    throw badRequest(`redirect_uri origin '${url.origin}' is not allowed`);
}

/** GET /oauth/{provider}/authorize: a state bound to the user (and PKCE verifier), and the consent URL. */
export async function startAuthorization(provider: ProviderName, userId: string, redirectUri?: string) {
  refuseSunset(provider);
  const config = await oauthConfig(provider);
  await requireUser(userId);
  checkRedirect(redirectUri);
  const pkce = config.info.oauth?.pkce ? pkcePair() : undefined;
  const state = await createState({
    user_id: userId,
    provider,
    redirect_uri: redirectUri ?? null,
    ...(pkce ? { code_verifier: pkce.verifier } : {}),
  });
  const authorization_url = buildAuthorizeUrl(config, {
    redirectUri: callbackUrl(provider),
    state,
    ...(pkce ? { codeChallenge: pkce.challenge } : {}),
  });
  return { authorization_url, state };
}

const idText = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;

/**
 * The provider account: through the provider implementation when there is one, else from the token response
 * (Fitbit `user_id`, Polar `x_user_id`). A failing lookup does not fail the connect: the account id is then
 * unknown (null) until a later reconnect.
 */
async function identityOf(config: ProviderConfig, tokens: TokenSet): Promise<ProviderIdentity> {
  const fromTokens: ProviderIdentity = {
    providerUserId: idText(tokens.extras.user_id) ?? idText(tokens.extras.x_user_id),
    providerUsername: null,
  };
  const implementation = providerHooks[config.provider];
  if (!implementation || !config.apiBaseUrl) return fromTokens;
  try {
    // Outside the app-wide budget: two requests while the user waits in the browser, and an identity lost to a spent
    // budget would leave a push connection that no webhook can find.
    const found = await implementation.identity(
      await userClient(config.provider, tokens.accessToken, { budgeted: false }),
      tokens,
    );
    return {
      providerUserId: found.providerUserId ?? fromTokens.providerUserId,
      providerUsername: found.providerUsername,
      scope: found.scope ?? null,
    };
  } catch (error) {
    logger.warn('provider identity lookup failed', {
      provider: config.provider,
      error: (error as Error).name,
      error_message: (error as Error).message.slice(0, 200),
    });
    return fromTokens;
  }
}

/**
 * The provider's own set-up of a new connection (Polar's user registration, Withings' notification subscriptions).
 * A provider that refuses it fails the connect with its words: the user would otherwise hold a connection that
 * never delivers data.
 */
async function providerSetUp(
  config: ProviderConfig,
  userId: string,
  identity: ProviderIdentity,
  tokens: TokenSet,
): Promise<void> {
  const implementation = providerHooks[config.provider];
  if (!implementation?.connected) return;
  try {
    await implementation.connected({
      userId,
      providerUserId: identity.providerUserId,
      get: await userClient(config.provider, tokens.accessToken, { budgeted: false }),
      tokens,
      settings: await providerVariables(),
      webhookUrl: webhookUrl(config.provider),
    });
  } catch (error) {
    logger.warn('provider set-up of a new connection failed', {
      provider: config.provider,
      error: (error as Error).name,
    });
    const detail =
      error instanceof ProviderRequestError
        ? `${config.provider} answered ${error.status}: ${error.body.slice(0, 200)}`
        : (error as Error).message.slice(0, 200);
    throw badRequest(`Failed to set up the ${config.provider} connection: ${detail}`);
  }
}

export interface CallbackQuery {
  code?: string | undefined;
  state?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
}

const errorPage = (message: string) => `${ERROR_PAGE}?${new URLSearchParams({ message })}`;

/**
 * GET /oauth/{provider}/callback (contract 4.4): the location to 303 the browser to, or an HttpError with the
 * contract's texts. On success the tokens are stored encrypted, the connection is active with
 * `last_synced_at = now`, and (by default) a 90-day historical sync is queued.
 */
export async function completeAuthorization(provider: ProviderName, query: CallbackQuery): Promise<string> {
  if (query.error) {
    return errorPage(`${query.error}: ${query.error_description || 'Unknown error'}`);
  }
  if (!query.code || !query.state) return errorPage('Missing OAuth parameters');
  const state = await consumeState(query.state);
  if (!state) throw badRequest('Invalid or expired state parameter');
  if (state.provider !== provider) throw badRequest('Provider mismatch in state');
  refuseSunset(provider);
  const config = await oauthConfig(provider);
  // The user may have been erased since the authorize call: never recreate items in an erased partition.
  await requireUser(state.user_id);

  let tokens: TokenSet;
  try {
    tokens = await exchangeCode(config, query.code, state.code_verifier);
  } catch (error) {
    if (error instanceof TokenEndpointError) {
      throw badRequest(`Failed to exchange authorization code: ${error.providerText}`);
    }
    throw error;
  }
  const identity = await identityOf(config, tokens);
  await providerSetUp(config, state.user_id, identity, tokens);
  const connection = await upsertConnection(state.user_id, provider, {
    provider_user_id: identity.providerUserId,
    provider_username: identity.providerUsername,
    scope: identity.scope ?? tokens.scope ?? (config.scope || null),
    tokens: await encryptTokens(tokens, { userId: state.user_id, provider }),
    token_expires_at: tokens.expiresAt,
    last_synced_at: nowIso(),
  });
  // The connection is made: a lost event is logged, never a failed browser flow.
  await emitCommitted(connectionCreated(connection));

  if (oauthSettings().HISTORICAL_SYNC_ON_CONNECT) {
    try {
      await queueHistoricalSync(state.user_id, provider, HISTORICAL_DAYS_ON_CONNECT);
    } catch (error) {
      // The connection is made; the periodic sync still picks it up. Do not fail the user's browser flow.
      logger.error('queueing the historical sync after connect failed', {
        provider,
        error: (error as Error).name,
      });
    }
  }
  return state.redirect_uri ?? `${SUCCESS_PAGE}?${new URLSearchParams({ provider, user_id: state.user_id })}`;
}
