/**
 * Why a connection cannot give a usable access token, typed so the sync worker can classify them: both are
 * permanent for the connection (retrying the same job cannot succeed; the user has to reconnect), and both
 * have already been recorded on the connection's status when thrown by `freshAccessToken`.
 */
export class ConnectionAuthError extends Error {
  override name = 'ConnectionAuthError';
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(message);
  }
}

/** The provider refused the refresh token (`invalid_grant`), or the connection was disconnected: status `revoked`. */
export class ConnectionRevokedError extends ConnectionAuthError {
  override name = 'ConnectionRevokedError';
}

/** The token expired and could not be refreshed (no refresh token, or the refresh failed otherwise): status `expired`. */
export class ConnectionExpiredError extends ConnectionAuthError {
  override name = 'ConnectionExpiredError';
}

/**
 * Another worker held the refresh lease for longer than this caller was willing to wait (it is refreshing, or it
 * crashed and its lease has not lapsed yet). Transient: retry the job later; the status was not changed.
 */
export class TokenRefreshBusyError extends Error {
  override name = 'TokenRefreshBusyError';
}

/**
 * The token endpoint could not answer (unreachable, a 5xx, a 429): an outage says nothing about the grant, so the
 * status is left as it is and the caller retries later, as for a busy refresh.
 */
export class TokenEndpointUnavailableError extends TokenRefreshBusyError {
  override name = 'TokenEndpointUnavailableError';
}

/** The provider's client id, secret or token URL is not configured: nothing was sent, the status was not changed. */
export class ProviderNotConfiguredError extends Error {
  override name = 'ProviderNotConfiguredError';
  constructor(readonly provider: string) {
    super(
      `Provider '${provider}' is not configured: set ${provider.toUpperCase()}_CLIENT_ID and ${provider.toUpperCase()}_CLIENT_SECRET`,
    );
  }
}

/**
 * A token endpoint answered with an error (status null: no answer at all). `invalidGrant` is the provider saying
 * the code or refresh token is no longer valid (RFC 6749 5.2), as opposed to an outage or a misconfiguration.
 */
export class TokenEndpointError extends Error {
  override name = 'TokenEndpointError';
  constructor(
    readonly status: number | null,
    readonly error: string | null,
    /** The provider's own words (its error and description, or the start of its body): safe to show. */
    readonly providerText: string,
  ) {
    super(providerText);
  }

  get invalidGrant(): boolean {
    return (this.status === 400 || this.status === 401) && this.error === 'invalid_grant';
  }

  /** No answer, a server error or a rate limit: nothing is known about the grant. */
  get unavailable(): boolean {
    return this.status === null || this.status >= 500 || this.status === 429;
  }
}
