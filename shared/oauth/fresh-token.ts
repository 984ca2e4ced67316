import { randomUUID } from 'node:crypto';
import { decryptTokens, encryptTokens } from '#shared/crypto/token-vault.js';
import { emitCommitted } from '#shared/delivery/emit.js';
import { connectionRevoked } from '#shared/delivery/payloads.js';
import {
  ConnectionExpiredError,
  ConnectionRevokedError,
  TokenEndpointError,
  TokenEndpointUnavailableError,
  TokenRefreshBusyError,
} from '#shared/oauth/errors.js';
import { acquireRefreshLease, markRefreshFailure, releaseRefreshLease } from '#shared/oauth/refresh-lease.js';
import { refreshTokenSet } from '#shared/oauth/token-endpoint.js';
import { isIntegrated, type ProviderConfig, providerConfig } from '#shared/providers/registry.js';
import type { TokenSet } from '#shared/providers/types.js';
import { type Connection, getConnection, replaceTokens } from '#shared/store/connections.js';

/** Refresh before a provider call when the token expires within 5 minutes (contract 7.5). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export interface FreshTokenOptions {
  /** How long a refresher holds the lease: longer than a token request may take (default 30 s). */
  leaseMs?: number;
  /** How long a caller waits for another worker's refresh before giving up (default 35 s). */
  waitMs?: number;
  /** Pause between re-reads while another worker refreshes (default 150 ms, jittered). */
  pollMs?: number;
  /** Default: `providerConfig(connection.provider)`. */
  config?: ProviderConfig;
}

export interface FreshTokens {
  tokens: TokenSet;
  /** The connection as stored with these tokens. */
  connection: Connection;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The stored tokens when they are usable for another 5 minutes; throws for connections that cannot be used. */
async function usableTokens(connection: Connection): Promise<TokenSet | undefined> {
  const { provider } = connection;
  if (connection.status === 'revoked') {
    throw new ConnectionRevokedError(
      provider,
      `Connection to ${provider} was revoked; reconnection required`,
    );
  }
  if (connection.status === 'expired') {
    throw new ConnectionExpiredError(
      provider,
      `Connection to ${provider} has expired; reconnection required`,
    );
  }
  if (!connection.tokens) {
    throw new ConnectionRevokedError(
      provider,
      `No access token available for ${provider} (SDK-based provider?)`,
    );
  }
  const expiresAt = connection.token_expires_at;
  if (expiresAt !== null && expiresAt < Date.now() + REFRESH_MARGIN_MS) return undefined;
  return decryptTokens(connection.tokens, bindingOf(connection));
}

/** The stored tokens are sealed to their connection. */
const bindingOf = (connection: Connection) => ({ userId: connection.user_id, provider: connection.provider });

async function reread(connection: Connection): Promise<Connection> {
  const latest = await getConnection(connection.user_id, connection.provider);
  if (!latest) {
    throw new ConnectionRevokedError(connection.provider, `User not connected to ${connection.provider}`);
  }
  return latest;
}

/**
 * Refreshes `latest` (read while holding the lease). Undefined when the outcome must not be used: the tokens
 * changed under us (a reconnect or disconnect), so the caller re-reads instead of using its own result.
 */
async function refreshHeld(latest: Connection, options: FreshTokenOptions): Promise<FreshTokens | undefined> {
  const { provider } = latest;
  const current = await decryptTokens(latest.tokens!, bindingOf(latest));
  const fail = async (status: 'revoked' | 'expired', message: string) => {
    if (!(await markRefreshFailure(latest, status))) return undefined;
    // The status is committed and a retry finds it no longer active: the event cannot be re-emitted by failing.
    if (latest.status === 'active') await emitCommitted(connectionRevoked(latest, 'refresh_failed'));
    throw status === 'revoked'
      ? new ConnectionRevokedError(provider, message)
      : new ConnectionExpiredError(provider, message);
  };
  if (!current.refreshToken) {
    return fail('expired', `Token expired and no refresh token available for ${provider}`);
  }
  if (!isIntegrated(provider)) return fail('expired', `No token endpoint known for ${provider}`);
  const config = options.config ?? (await providerConfig(provider));
  let refreshed: TokenSet;
  try {
    refreshed = await refreshTokenSet(config, current.refreshToken);
  } catch (error) {
    if (!(error instanceof TokenEndpointError)) throw error;
    if (error.invalidGrant) {
      return fail('revoked', `Refresh token rejected for ${provider}; reconnection required`);
    }
    if (error.unavailable) {
      throw new TokenEndpointUnavailableError(
        `${provider} token endpoint unavailable, refresh will be retried: ${error.providerText}`,
      );
    }
    return fail('expired', `Token refresh failed for ${provider}: ${error.providerText}`);
  }
  const tokens: TokenSet = {
    ...refreshed,
    scope: refreshed.scope ?? current.scope,
    extras: { ...current.extras, ...refreshed.extras },
  };
  const blob = await encryptTokens(tokens, bindingOf(latest));
  if (!(await replaceTokens(latest, blob, tokens.expiresAt, tokens.scope))) return undefined;
  return {
    tokens,
    connection: {
      ...latest,
      tokens: blob,
      token_expires_at: tokens.expiresAt,
      scope: tokens.scope ?? latest.scope,
      token_version: latest.token_version + 1,
    },
  };
}

/**
 * Usable tokens for a connection, refreshing first when they expire within 5 minutes. Exactly one refresh per
 * expiry across concurrent workers: a worker refreshes only while holding the connection's refresh lease, and
 * re-reads the connection after taking it (someone may have refreshed meanwhile); the others wait and re-read.
 * The result is stored compare-and-swap on `token_version`; a refresh whose store loses is never used.
 *
 * Throws `ConnectionRevokedError` (invalid_grant: status set to `revoked`), `ConnectionExpiredError` (another
 * refusal by the token endpoint, or no refresh token: status set to `expired`), `TokenRefreshBusyError` (waited too
 * long, or `TokenEndpointUnavailableError`: the endpoint was unreachable, failed or rate-limited; transient, the
 * status is unchanged), `ProviderNotConfiguredError` (no client credentials; nothing changed).
 */
export async function freshTokens(
  connection: Connection,
  options: FreshTokenOptions = {},
): Promise<FreshTokens> {
  const leaseMs = options.leaseMs ?? 30_000;
  const waitMs = options.waitMs ?? leaseMs + 5_000;
  const pollMs = options.pollMs ?? 150;
  const deadline = Date.now() + waitMs;
  const owner = randomUUID();
  let current = connection;
  for (;;) {
    const ready = await usableTokens(current);
    if (ready) return { tokens: ready, connection: current };
    if (Date.now() > deadline) {
      throw new TokenRefreshBusyError(`another worker is refreshing the ${current.provider} token`);
    }
    if (await acquireRefreshLease(current, owner, Date.now() + leaseMs)) {
      try {
        const latest = await reread(current);
        const already = await usableTokens(latest);
        if (already) return { tokens: already, connection: latest };
        const refreshed = await refreshHeld(latest, options);
        if (refreshed) return refreshed;
      } finally {
        await releaseRefreshLease(current, owner);
      }
    } else {
      await sleep(pollMs * (0.5 + Math.random()));
    }
    current = await reread(current);
  }
}

/** A usable access token for the connection (see `freshTokens`). */
export async function freshAccessToken(
  connection: Connection,
  options: FreshTokenOptions = {},
): Promise<string> {
  return (await freshTokens(connection, options)).tokens.accessToken;
}
