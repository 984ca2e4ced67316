import type { HealthEvent, HealthScore, SeriesSamples } from '#shared/model/health-data.js';
import type { ProviderName } from '#shared/model/provider.js';

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

/**
 * One provider integration: one folder `shared/providers/<name>/` exporting this, plus one line in index.ts. The
 * sync engine (shared/sync) drives `units`/`pull`; the webhook ingress (shared/webhooks) drives `webhook`.
 */
export interface ProviderModule {
  name: ProviderName;
  /** The provider's account id and name for the connection (after the code exchange). */
  identity(get: ProviderGet, tokens: TokenSet): Promise<ProviderIdentity>;
  /** Splits `[start, end)` into units fetched and saved one at a time. */
  units(start: number, end: number): SyncUnit[];
  /** Fetches one unit and maps it to the unified model (a push provider may only request a backfill here). */
  pull(get: ProviderGet, unit: SyncUnit): Promise<PullResult>;
  /**
   * `external`: an event is the provider's record (`externalId`), so a revision whose times changed replaces it
   * and a delete notification finds it. Default `span` (source, start, end), as the reference keys events.
   */
  eventIdentity?: EventIdentity;
  /** App-wide request budget shared by every worker (providers.md 6, risk 6). */
  budget?: RequestBudget;
  /** Push delivery: verifier, parser and handler of the provider's webhooks. */
  webhook?: WebhookProvider;
  /** Headers every data call carries besides the bearer token (Suunto's `Ocp-Apim-Subscription-Key`). */
  requestHeaders?(settings: WebhookSettings): Record<string, string>;
  /**
   * After the code exchange and the identity lookup, before the connection is stored: what the provider needs done
   * for a new user (Polar's mandatory registration, Withings' notification subscriptions). A throw fails the connect
   * with a 400 naming the provider's error, so a user never holds a connection that cannot deliver data.
   */
  connected?(context: ConnectionContext): Promise<void>;
  /** The provider's own workout API, passed through raw (contract 4.6); absent: no workout API (501). */
  workouts?: WorkoutApi;
  /**
   * Before an API disconnect clears the tokens: provider-side deregistration (Polar's user delete, Withings'
   * unsubscribe). Best effort: failures are logged, the disconnect goes on. Not called when the provider itself
   * revoked the access (a deauthorisation webhook, a refused refresh).
   */
  disconnecting?(context: ConnectionContext): Promise<void>;
}

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

/** A webhook request as the verifier sees it: header names lower-cased, the body byte for byte. */
export interface WebhookRequest {
  method: 'GET' | 'POST' | 'HEAD';
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  /** Epoch ms, for timestamp tolerance checks. */
  now: number;
}

/** A provider's webhook settings by variable name (`GARMIN_CLIENT_ID`, `STRAVA_WEBHOOK_VERIFY_TOKEN`, ...). */
export type WebhookSettings = (name: string) => string | undefined;

/** An answer the ingress sends without queuing anything (a challenge, a PING, a verification handshake). */
export interface WebhookAnswer {
  status: number;
  body: unknown;
}

/** Refusal of a webhook request: `status` 400/401/403 with the contract's detail text. Never queued. */
export class WebhookRejected extends Error {
  override name = 'WebhookRejected';
  constructor(
    readonly status: 400 | 401 | 403,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** One unit of work for one provider account, parsed from a verified body; JSON-serialisable (it is queued). */
export interface WebhookNotification {
  /** The provider's user id (Garmin `userId`, Strava `owner_id`), as a string. */
  providerUserId: string;
  /** What it is about, for logs and the sync status (`activities`, `activity.create`, `deregistration`, ...). */
  kind: string;
  payload: unknown;
}

/** What the worker offers a provider's handler for one notification and one of our users linked to the account. */
export interface NotificationContext {
  userId: string;
  /** The connection's scope (Garmin: its permissions, space-joined). */
  scope: string | null;
  /** Authenticated GET as this user (token refreshed as needed, the provider's budget honoured). */
  get: ProviderGet;
  /** Saves mapped data through the ingest layer (idempotent). */
  save(result: PullResult): Promise<void>;
  /** Removes the event the provider deleted, by its external id; false when there was none. */
  removeEvent(category: HealthEvent['category'], externalId: string): Promise<boolean>;
  /** The user revoked access at the provider (Garmin deregistration, Strava deauthorisation). */
  revoke(reason: string): Promise<void>;
  /** The user changed the permissions granted (Garmin `userPermissionsChange`). */
  setScope(scope: string): Promise<void>;
  /** Data of these summary types arrived (a pending backfill of them is done). */
  arrived(types: string[]): Promise<void>;
}

/** What handling one notification did, for the sync status and the logs. */
export interface HandledNotification {
  samples: number;
  events: number;
  scores: number;
  /** Items skipped as unusable (counted, never failing the notification). */
  skipped: number;
}

/**
 * The push half of a provider. The HTTP function calls `challenge` (GET) or `verify` then `parse` (POST) and
 * queues the raw body; the worker parses it again and calls `handle` once per linked user. `verify` and `parse`
 * must not do I/O: the provider's deadline (Strava 2 s) is for the whole request.
 */
export interface WebhookProvider {
  /** Settings the verifier reads (the ingress resolves them from env or the credentials secret). */
  settings: readonly string[];
  /**
   * The verified raw body as `parse` takes it. Default: JSON (a body that is not JSON is a 400). Withings posts
   * form-encoded notifications. Throws WebhookRejected(400).
   */
  decode?(body: Buffer): unknown;
  /** GET subscription challenge; absent = the provider has none (501). */
  challenge?(request: WebhookRequest, settings: WebhookSettings): WebhookAnswer;
  /** Checks authenticity over the raw body (constant time); throws WebhookRejected. */
  verify(request: WebhookRequest, settings: WebhookSettings): void;
  /**
   * The verified body (JSON-decoded) as notifications, or an answer that needs no queuing. Throws
   * WebhookRejected(400) for a body of the wrong shape.
   */
  parse(body: unknown): WebhookNotification[] | WebhookAnswer;
  handle(context: NotificationContext, notification: WebhookNotification): Promise<HandledNotification>;
  /** Provider-side subscription management (contract 3.3, routes 98-103), where the provider has an API. */
  subscriptions?: SubscriptionApi;
}

/** An app-level (client credentials) request to the provider's API; 4xx/5xx are thrown as in http.ts. */
export type AppRequest = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  pathOrUrl: string,
  options?: {
    query?: Record<string, string | number>;
    form?: Record<string, string>;
    json?: unknown;
    /** App credentials the provider wants as headers (Oura `x-client-id`, Polar's Basic authorization). */
    headers?: Record<string, string>;
  },
) => Promise<{ status: number; body: unknown }>;

export interface SubscriptionContext {
  request: AppRequest;
  settings: WebhookSettings;
  /**
   * Stores a secret the provider returned once (Polar's webhook signing key), encrypted, where `settings` finds it
   * under `name` from then on (an explicitly configured variable of that name still wins).
   */
  storeSecret(name: string, value: string): Promise<void>;
}

/** Subscription management; each returns the provider's own objects (contract 8.2 lists their shapes). */
export interface SubscriptionApi {
  list(context: SubscriptionContext): Promise<unknown[]>;
  create(context: SubscriptionContext, callbackUrl: string): Promise<unknown[]>;
  get(context: SubscriptionContext, id: string): Promise<unknown | null>;
  delete(
    context: SubscriptionContext,
    id: string,
  ): Promise<{ subscription_id: string; status: string; error?: string }>;
  /** Providers whose subscriptions expire (Oura); absent = nothing to renew. */
  renew?(context: SubscriptionContext): Promise<unknown[]>;
  /** Absent = update is delete + create. */
  update?(context: SubscriptionContext, id: string, callbackUrl: string): Promise<unknown>;
}
