import { HttpError } from '#shared/http/errors.js';
import type { ProviderName } from '#shared/model/provider.js';
import {
  ConnectionAuthError,
  ProviderNotConfiguredError,
  TokenRefreshBusyError,
} from '#shared/oauth/errors.js';
import { freshTokens } from '#shared/oauth/fresh-token.js';
import { logger } from '#shared/observability.js';
import { userClient } from '#shared/providers/client.js';
import {
  PermissionDeniedError,
  ProviderGoneError,
  ProviderRequestError,
  RateLimitedError,
  TransientProviderError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import { isIntegrated, PROVIDER_INFO } from '#shared/providers/registry.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { type Connection, getConnection } from '#shared/store/connections.js';
import { apiGoneReason } from '#shared/sync/run-handover.js';
import { refreshRejectedTokens } from '#shared/sync/tokens.js';

/** Provider statuses passed on as they are: the caller's request (an id, a parameter) is what the provider refused. */
const PASSED_ON = new Set([400, 403, 404, 422]);

const nameOf = (provider: ProviderName) => (isIntegrated(provider) ? PROVIDER_INFO[provider].name : provider);

/**
 * The user's connection to the provider; a 401 unless it is active (contract 4.5: the reference's token lookup
 * answers 401 `User not connected to <p>`; a 404 stays the provider's own answer).
 */
export async function activeConnection(userId: string, provider: ProviderName): Promise<Connection> {
  const connection = await getConnection(userId, provider);
  if (connection?.status !== 'active') {
    throw new HttpError(
      401,
      connection
        ? `Connection to ${provider} is ${connection.status}; reconnection required`
        : `User not connected to ${provider}`,
    );
  }
  return connection;
}

/**
 * `call` as the user against the provider's API, live (the API's vendor passthrough): the connection's token,
 * refreshed near its expiry, and refreshed once more when the provider refuses it, as the sync worker does; within
 * the provider's app-wide budget. Every failure is an HttpError with the provider's words, never a 500.
 */
export async function callAsUser<T>(
  userId: string,
  provider: ProviderName,
  call: (get: ProviderGet) => Promise<T>,
): Promise<T> {
  const connection = await activeConnection(userId, provider);
  try {
    let current = await freshTokens(connection);
    try {
      return await call(await userClient(provider, current.tokens.accessToken));
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      current = await refreshRejectedTokens(current.connection);
      return await call(await userClient(provider, current.tokens.accessToken));
    }
  } catch (error) {
    throw providerHttpError(provider, error);
  }
}

/** The status and detail a provider-side failure answers with (an HttpError, e.g. a 400 of the hook, is kept). */
export function providerHttpError(provider: ProviderName, error: unknown): HttpError {
  const name = nameOf(provider);
  if (error instanceof HttpError) return error;
  if (error instanceof ConnectionAuthError) return new HttpError(401, error.message);
  if (error instanceof UnauthorizedError) {
    return new HttpError(401, `${name} authorization expired. Please re-authorize.`);
  }
  if (error instanceof PermissionDeniedError)
    return new HttpError(403, `${name} API error: ${error.message}`);
  if (error instanceof RateLimitedError) {
    const seconds = Math.max(1, Math.ceil((error.retryAt - Date.now()) / 1000));
    return new HttpError(429, `${name} rate limit reached; retry in ${seconds} s`, {
      'retry-after': String(seconds),
    });
  }
  if (error instanceof ProviderGoneError) return new HttpError(502, apiGoneReason(provider));
  if (error instanceof ProviderRequestError) {
    const body = error.body.slice(0, 300);
    return new HttpError(PASSED_ON.has(error.status) ? error.status : 502, `${name} API error: ${body}`);
  }
  if (error instanceof TokenRefreshBusyError) {
    return new HttpError(503, `The ${name} token is being refreshed; retry shortly`, { 'retry-after': '5' });
  }
  if (error instanceof ProviderNotConfiguredError) return new HttpError(503, error.message);
  if (error instanceof TransientProviderError) {
    return new HttpError(502, `${name} is unavailable: ${error.message}`);
  }
  logger.error('provider passthrough failed', { provider, error: error as Error });
  return new HttpError(502, `Failed to fetch data from ${name}`);
}
