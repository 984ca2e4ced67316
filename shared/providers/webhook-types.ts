import type { HealthEvent } from '#shared/model/health-data.js';
import type { ProviderGet, PullResult, WebhookSettings } from '#shared/providers/types.js';

/** The push half of a provider (`ProviderModule.webhook`, shared/providers/module.ts) and its subscriptions. */

/** A webhook request as the verifier sees it: header names lower-cased, the body byte for byte. */
export interface WebhookRequest {
  method: 'GET' | 'POST' | 'HEAD';
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  /** Epoch ms, for timestamp tolerance checks. */
  now: number;
}

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
