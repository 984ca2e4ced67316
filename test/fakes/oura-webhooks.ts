/**
 * Oura webhooks for the fake (providers.md 4.5): the subscription API at `/v2/webhook/subscription` with the
 * app's `x-client-id` / `x-client-secret` headers (list, create after the GET challenge to the callback, get,
 * update, renew, delete; subscriptions expire), and signed event POSTs to the callbacks: `x-oura-timestamp` (Unix
 * seconds) and `x-oura-signature`, the upper-case hex HMAC-SHA256 of timestamp + body under the client secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '#test/fakes/oauth-fake.js';
import { ouraId } from '#test/fakes/oura-data.js';
import { postWebhook, type Signing, signingKey, type WebhookAnswer } from '#test/fakes/webhook-sender.js';

export type { Signing } from '#test/fakes/webhook-sender.js';

/** Oura's webhook data types (its `vO2_max` collection is `vo2_max` here). */
export const OURA_WEBHOOK_DATA_TYPES = [
  'tag',
  'enhanced_tag',
  'workout',
  'session',
  'sleep',
  'daily_sleep',
  'daily_readiness',
  'daily_activity',
  'daily_spo2',
  'sleep_time',
  'rest_mode_period',
  'ring_configuration',
  'daily_stress',
  'daily_resilience',
  'daily_cardiovascular_age',
  'vo2_max',
  'meal',
];
const EVENT_TYPES = ['create', 'update', 'delete'];

export interface OuraEvent {
  event_type: 'create' | 'update' | 'delete';
  data_type: string;
  object_id: string;
  user_id: string;
  event_time: string;
}

export interface OuraSubscription {
  id: string;
  callback_url: string;
  verification_token: string;
  event_type: string;
  data_type: string;
  expiration_time: string;
}

export interface OuraChallenge {
  callbackUrl: string;
  challenge: string;
  status: number;
  body: string;
  ok: boolean;
  error?: string;
}

export interface OuraDelivery extends WebhookAnswer {
  url: string;
  event: OuraEvent;
}

export const ouraProblem = (status: number, title: string, detail?: string) => ({
  status,
  title,
  ...(detail ? { detail } : {}),
});

export interface OuraWebhookSettings {
  clientId: string;
  clientSecret: string;
  now: () => number;
  /** Lifetime of a subscription (and of a renewal), days. */
  subscriptionDays: number;
  challengeTimeoutMs: number;
}

export class OuraWebhooks {
  readonly subscriptions = new Map<string, OuraSubscription>();
  readonly challenges: OuraChallenge[] = [];
  readonly deliveries: OuraDelivery[] = [];

  constructor(private readonly settings: OuraWebhookSettings) {}

  signature(timestamp: string, body: string, key = this.settings.clientSecret): string {
    return createHmac('sha256', key)
      .update(timestamp + body)
      .digest('hex')
      .toUpperCase();
  }

  /** POSTs `event` to `url`, signed as `signing` says, at `timestamp` (Unix seconds, default now). */
  async sendWebhook(
    url: string,
    event: OuraEvent,
    options: { signing?: Signing; timestamp?: number } = {},
  ): Promise<OuraDelivery> {
    const body = JSON.stringify(event);
    const timestamp = String(options.timestamp ?? Math.floor(this.settings.now() / 1000));
    const key = signingKey(options.signing ?? 'valid', this.settings.clientSecret);
    const headers: Record<string, string> =
      key === null
        ? {}
        : { 'x-oura-timestamp': timestamp, 'x-oura-signature': this.signature(timestamp, body, key) };
    const delivery: OuraDelivery = { url, event, ...(await postWebhook(url, body, { headers })) };
    this.deliveries.push(delivery);
    return delivery;
  }

  /** Sends `event` to every live subscription of its data type and event type. */
  async notify(event: Omit<OuraEvent, 'event_time'> & { event_time?: string }): Promise<OuraDelivery[]> {
    const full: OuraEvent = { event_time: new Date(this.settings.now()).toISOString(), ...event };
    const targets = [...this.subscriptions.values()].filter(
      (s) => s.data_type === full.data_type && s.event_type === full.event_type && !this.expired(s),
    );
    return Promise.all(targets.map((s) => this.sendWebhook(s.callback_url, full)));
  }

  expired(subscription: OuraSubscription): boolean {
    return Date.parse(subscription.expiration_time) <= this.settings.now();
  }

  /** `GET {callback}?verification_token=…&challenge=…`, which must answer 200 `{"challenge": "<same>"}`. */
  async challenge(callbackUrl: string, token: string): Promise<boolean> {
    const challenge = randomBytes(12).toString('base64url');
    const record: OuraChallenge = { callbackUrl, challenge, status: 0, body: '', ok: false };
    this.challenges.push(record);
    try {
      const target = new URL(callbackUrl);
      target.searchParams.set('verification_token', token);
      target.searchParams.set('challenge', challenge);
      const response = await fetch(target, { signal: AbortSignal.timeout(this.settings.challengeTimeoutMs) });
      record.status = response.status;
      record.body = await response.text();
      record.ok = response.status === 200 && JSON.parse(record.body)?.challenge === challenge;
    } catch (error) {
      record.error = String(error);
    }
    return record.ok;
  }

  private expiry = () =>
    new Date(this.settings.now() + this.settings.subscriptionDays * 86_400_000)
      .toISOString()
      .replace('Z', '+00:00');

  private view = ({ verification_token: _, ...subscription }: OuraSubscription) => subscription;

  /** `POST /v2/webhook/subscription` without the HTTP. */
  async create(input: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const { callback_url, verification_token, event_type, data_type } = input;
    if (
      typeof callback_url !== 'string' ||
      typeof verification_token !== 'string' ||
      !EVENT_TYPES.includes(event_type as string) ||
      !OURA_WEBHOOK_DATA_TYPES.includes(data_type as string)
    )
      return { status: 422, body: ouraProblem(422, 'Validation Error') };
    const duplicate = [...this.subscriptions.values()].some(
      (s) => s.callback_url === callback_url && s.event_type === event_type && s.data_type === data_type,
    );
    if (duplicate) return { status: 409, body: ouraProblem(409, 'Conflict', 'subscription exists') };
    if (!(await this.challenge(callback_url, verification_token)))
      return { status: 400, body: ouraProblem(400, 'Bad Request', 'callback verification failed') };
    const subscription: OuraSubscription = {
      id: ouraId('subscription', callback_url, event_type, data_type, this.subscriptions.size, Math.random()),
      callback_url,
      verification_token,
      event_type: event_type as string,
      data_type: data_type as string,
      expiration_time: this.expiry(),
    };
    this.subscriptions.set(subscription.id, subscription);
    return { status: 201, body: this.view(subscription) };
  }

  /** The `/v2/webhook/subscription[/renew]/{id}` routes; `rest` is the path after `/v2/webhook/subscription`. */
  async handle(req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> {
    if (
      req.headers['x-client-id'] !== this.settings.clientId ||
      req.headers['x-client-secret'] !== this.settings.clientSecret
    )
      return sendJson(res, 401, ouraProblem(401, 'Unauthorized', 'invalid client credentials'));
    const raw = await readBody(req);
    let input: Record<string, unknown> = {};
    try {
      input = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return sendJson(res, 422, ouraProblem(422, 'Validation Error', 'body is not JSON'));
    }
    const renew = /^\/renew\/([\w-]+)$/.exec(rest);
    const id = renew?.[1] ?? /^\/([\w-]+)$/.exec(rest)?.[1];
    if (rest === '' && req.method === 'GET')
      return sendJson(res, 200, [...this.subscriptions.values()].map(this.view));
    if (rest === '' && req.method === 'POST') {
      const created = await this.create(input);
      return sendJson(res, created.status, created.body);
    }
    const subscription = id ? this.subscriptions.get(id) : undefined;
    if (!subscription) return sendJson(res, 404, ouraProblem(404, 'Not Found', 'no such subscription'));
    if (renew && req.method === 'PUT') {
      subscription.expiration_time = this.expiry();
      return sendJson(res, 200, this.view(subscription));
    }
    if (req.method === 'GET') return sendJson(res, 200, this.view(subscription));
    if (req.method === 'DELETE') {
      this.subscriptions.delete(subscription.id);
      res.writeHead(204);
      return void res.end();
    }
    if (req.method === 'PUT') return this.update(res, subscription, input);
    sendJson(res, 405, ouraProblem(405, 'Method Not Allowed'));
  }

  private async update(res: ServerResponse, subscription: OuraSubscription, input: Record<string, unknown>) {
    if (typeof input.verification_token !== 'string')
      return sendJson(res, 422, ouraProblem(422, 'Validation Error', 'verification_token is required'));
    const callback = typeof input.callback_url === 'string' ? input.callback_url : subscription.callback_url;
    if (callback !== subscription.callback_url && !(await this.challenge(callback, input.verification_token)))
      return sendJson(res, 400, ouraProblem(400, 'Bad Request', 'callback verification failed'));
    Object.assign(subscription, {
      callback_url: callback,
      verification_token: input.verification_token,
      ...(EVENT_TYPES.includes(input.event_type as string) ? { event_type: input.event_type } : {}),
      ...(OURA_WEBHOOK_DATA_TYPES.includes(input.data_type as string) ? { data_type: input.data_type } : {}),
    });
    sendJson(res, 200, this.view(subscription));
  }
}
