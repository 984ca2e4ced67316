import type { HealthEvent, HealthScore, SeriesSamples } from '#shared/model/health-data.js';

/** OAuth 2.0 authorization-code settings of a cloud provider (providers.md 3.1, 3.6). */
export interface OAuthSpec {
  authorizeUrl: string;
  tokenUrl: string;
  /** Client credentials in a Basic header, or as form fields of the token request. */
  clientAuth: 'basic' | 'body';
  pkce: boolean;
  defaultScope: string;
  /** Form fields every token request carries besides the grant's (Withings `action=requesttoken`). */
  tokenFields?: Record<string, string>;
  /** The token answer comes wrapped in an envelope instead of as RFC 6749's bare JSON (Withings). */
  tokenEnvelope?: TokenEnvelope;
}

/** Inclusive ranges `[from, to]` of a provider's status codes. */
export type StatusRanges = ReadonlyArray<readonly [number, number]>;

/**
 * A `{status, body}` token answer: `status` 0 with the token fields in `body`, or an error status with a message
 * in `error`. `refused` statuses say the code or refresh token is no longer valid (RFC 6749's `invalid_grant`: a
 * refresh refused so revokes the connection), `unavailable` ones that the provider cannot answer now (an outage:
 * retried later, the connection left as it is); any other status is a plain failure.
 */
export interface TokenEnvelope {
  refused: StatusRanges;
  unavailable: StatusRanges;
}

/** Tokens of one connection; never returned by the API, stored encrypted. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms. */
  expiresAt: number;
  scope: string | null;
  /** Provider extras of the token response (Fitbit `user_id`, Polar `x_user_id`, ...). */
  extras: Record<string, unknown>;
}

export interface ProviderIdentity {
  providerUserId: string | null;
  providerUsername: string | null;
  /** What the user granted, when the provider reports it apart from the token (Garmin's permissions). */
  scope?: string | null;
}

/** What one pull unit produced, in the unified model. */
export interface PullResult {
  series: SeriesSamples[];
  events: HealthEvent[];
  scores: HealthScore[];
}

/** A resumable piece of a sync window: the worker checkpoints after each one. */
export interface SyncUnit {
  /** Stable label, e.g. `2024-01-15` or `activities:2024-01-01`. */
  key: string;
  start: number;
  end: number;
}

/** A provider call other than a plain GET: Withings' form POSTs, Google's rollUp, Polar's user registration. */
export interface ProviderCallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
}

/**
 * Authenticated JSON call against the provider's data API (a GET unless `options` says otherwise); the decoded
 * body, null when empty. Errors are classified (see http.ts).
 */
export type ProviderGet = (
  pathOrUrl: string,
  query?: Record<string, string | number>,
  options?: ProviderCallOptions,
) => Promise<unknown>;

/**
 * What a provider's connect and disconnect hooks get: the new (or departing) connection's user and account, a
 * client authenticated as that user, the provider settings, and our webhook URL for the provider.
 */
export interface ConnectionContext {
  userId: string;
  providerUserId: string | null;
  get: ProviderGet;
  tokens: TokenSet;
  settings: WebhookSettings;
  /** `${API_BASE_URL}/api/v1/providers/<provider>/webhooks`. */
  webhookUrl: string;
}

/** How a provider's events are identified: by time span (the reference's key) or by the provider's own id. */
export type EventIdentity = 'span' | 'external';

/** The query of `GET /providers/{p}/users/{id}/workouts` (contract 4.6), validated; each provider maps its part. */
export interface WorkoutListQuery {
  /** Epoch seconds; 0: from the start (Suunto `since`). */
  since: number;
  limit: number;
  offset: number;
  filterByModificationTime: boolean;
  samples: boolean;
  zones: boolean;
  route: boolean;
  /** `summary_start_time` / `summary_end_time`, epoch ms. */
  start?: number;
  end?: number;
}

/** The query of one workout: Polar's inclusions. */
export type WorkoutDetailQuery = Pick<WorkoutListQuery, 'samples' | 'zones' | 'route'>;

/**
 * The vendor passthrough: the provider's raw JSON fetched live as the user. Errors are thrown as `get` throws them
 * (http.ts); `get` absent: the provider has no way to fetch one workout by its id.
 */
export interface WorkoutApi {
  list(get: ProviderGet, query: WorkoutListQuery): Promise<unknown>;
  get?(get: ProviderGet, id: string, query: WorkoutDetailQuery): Promise<unknown>;
}

/**
 * A provider's app-wide limits. `bucket`: a token bucket refilled at `perMinute` requests in the table, taken
 * before each request. `headers`: the provider reports usage in response headers (Strava `X-RateLimit-Usage`), recorded in
 * the table and honoured before each request by every worker.
 */
export type RequestBudget =
  | {
      kind: 'bucket';
      perMinute: number;
      /**
       * Tokens the bucket holds (default `perMinute`). A full bucket plus a minute of refill lets `capacity +
       * perMinute` requests through in one minute: a provider counting per minute (Withings, WHOOP, Garmin) wants a
       * small burst so that the sum stays under its limit.
       */
      burst?: number;
    }
  | { kind: 'headers' };

/** A provider's webhook settings by variable name (`GARMIN_CLIENT_ID`, `STRAVA_WEBHOOK_VERIFY_TOKEN`, ...). */
export type WebhookSettings = (name: string) => string | undefined;
