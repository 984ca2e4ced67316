/**
 * Strava webhooks for the fake (providers.md 4.6): the app's one push subscription (`/api/v3/push_subscriptions`
 * with `client_id`/`client_secret` in the query, form or multipart body; creating it first answers the
 * `hub.challenge` GET to the callback) and event POSTs to its callback (plain JSON; Strava documents no signature).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '#test/fakes/oauth-fake.js';
import { stravaError } from '#test/fakes/strava-data.js';
import { postWebhook, type WebhookAnswer } from '#test/fakes/webhook-sender.js';

export interface StravaEvent {
  object_type: 'activity' | 'athlete';
  object_id: number;
  aspect_type: 'create' | 'update' | 'delete';
  updates: Record<string, string>;
  owner_id: number;
  subscription_id: number;
  event_time: number;
}

/** What a test gives `sendEvent`: the rest (`updates`, `subscription_id`, `event_time`) is filled in. */
export type StravaEventInput = Pick<StravaEvent, 'object_type' | 'object_id' | 'aspect_type' | 'owner_id'> &
  Partial<StravaEvent>;

/** The answer is the last attempt's. */
export interface StravaEventDelivery extends WebhookAnswer {
  event: StravaEvent;
  attempts: number;
  /** 200 within Strava's 2 seconds. */
  withinDeadline: boolean;
}

export interface StravaSubscription {
  id: number;
  callbackUrl: string;
  verifyToken: string;
  createdAt: string;
}

export interface StravaChallenge {
  callbackUrl: string;
  challenge: string;
  verifyToken: string;
  status: number;
  body: string;
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface StravaWebhookSettings {
  clientId: string;
  clientSecret: string;
  now: () => number;
  /** Default 2000 (Strava's). */
  challengeTimeoutMs?: number;
  /** Default 30000. */
  eventTimeoutMs?: number;
  /** Extra attempts of an event not answered 200. Default 0. */
  eventRetries?: number;
}

/** `application/x-www-form-urlencoded` or `multipart/form-data` fields. */
function parseForm(contentType: string, raw: string): URLSearchParams {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !boundary) return new URLSearchParams(raw);
  const fields = new URLSearchParams();
  for (const part of raw.split(`--${boundary[1] ?? boundary[2]}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const name = /name="([^"]*)"/i.exec(part.slice(0, split))?.[1];
    if (name !== undefined) fields.set(name, part.slice(split + 4).replace(/\r\n$/, ''));
  }
  return fields;
}

export class StravaWebhooks {
  readonly events: StravaEventDelivery[] = [];
  readonly challenges: StravaChallenge[] = [];
  subscription: StravaSubscription | null = null;
  private nextId = 120_475;

  constructor(private readonly settings: StravaWebhookSettings) {}

  /** `POST /push_subscriptions` without the HTTP: challenge, then 201 `{id}`; 409 when one exists, 400 otherwise. */
  async createSubscription(
    callbackUrl: string,
    verifyToken: string,
  ): Promise<{ status: number; body: unknown }> {
    if (this.subscription)
      return {
        status: 409,
        body: stravaError('Bad Request', 'PushSubscription', 'callback_url', 'already exists'),
      };
    let target: URL;
    try {
      target = new URL(callbackUrl);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('scheme');
    } catch {
      return { status: 400, body: stravaError('Bad Request', 'PushSubscription', 'callback_url', 'invalid') };
    }
    const challenge = randomBytes(12).toString('base64url');
    target.searchParams.set('hub.mode', 'subscribe');
    target.searchParams.set('hub.challenge', challenge);
    target.searchParams.set('hub.verify_token', verifyToken);
    const record: StravaChallenge = {
      callbackUrl,
      challenge,
      verifyToken,
      status: 0,
      body: '',
      ok: false,
      latencyMs: 0,
    };
    this.challenges.push(record);
    const started = Date.now();
    try {
      const response = await fetch(target, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.settings.challengeTimeoutMs ?? 2000),
      });
      record.status = response.status;
      record.body = await response.text();
      let echoed: unknown;
      try {
        echoed = (JSON.parse(record.body) as Record<string, unknown>)['hub.challenge'];
      } catch {
        echoed = undefined;
      }
      record.ok = response.status === 200 && echoed === challenge;
    } catch (error) {
      record.error = String(error);
    }
    record.latencyMs = Date.now() - started;
    if (!record.ok)
      return {
        status: 400,
        body: stravaError('Bad Request', 'PushSubscription', 'callback url', 'not verifiable'),
      };
    const createdAt = new Date(this.settings.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.subscription = { id: this.nextId++, callbackUrl, verifyToken, createdAt };
    return { status: 201, body: { id: this.subscription.id } };
  }

  /** The `/api/v3/push_subscriptions[/{id}]` routes. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, id: string | undefined): Promise<void> {
    const raw = req.method === 'POST' || req.method === 'DELETE' ? await readBody(req) : '';
    const params = new URLSearchParams(url.searchParams);
    for (const [key, value] of parseForm(req.headers['content-type'] ?? '', raw)) params.set(key, value);
    if (
      params.get('client_id') !== this.settings.clientId ||
      params.get('client_secret') !== this.settings.clientSecret
    )
      return sendJson(res, 401, stravaError('Authorization Error', 'Application', 'client_id', 'invalid'));
    const subscription = this.subscription;
    if (id === undefined && req.method === 'GET')
      return sendJson(res, 200, subscription ? [this.view(subscription)] : []);
    if (id === undefined && req.method === 'POST') {
      const callbackUrl = params.get('callback_url');
      const verifyToken = params.get('verify_token');
      if (!callbackUrl)
        return sendJson(res, 400, stravaError('Bad Request', 'PushSubscription', 'callback_url', 'missing'));
      if (!verifyToken)
        return sendJson(res, 400, stravaError('Bad Request', 'PushSubscription', 'verify_token', 'missing'));
      const created = await this.createSubscription(callbackUrl, verifyToken);
      return sendJson(res, created.status, created.body);
    }
    if (id !== undefined && req.method === 'DELETE') {
      if (!subscription || String(subscription.id) !== id)
        return sendJson(res, 404, stravaError('Record Not Found', 'PushSubscription', 'id', 'not found'));
      this.subscription = null;
      res.writeHead(204);
      res.end();
      return;
    }
    sendJson(res, 405, stravaError('Method Not Allowed', 'PushSubscription', 'method', 'invalid'));
  }

  /** POSTs an event to the subscription's callback, retried per `eventRetries` until a 200. */
  async sendEvent(input: StravaEventInput): Promise<StravaEventDelivery> {
    const subscription = this.subscription;
    if (!subscription) throw new Error('no push subscription: create one first');
    const event: StravaEvent = {
      updates: {},
      subscription_id: subscription.id,
      event_time: Math.floor(this.settings.now() / 1000),
      ...input,
    };
    const maxAttempts = 1 + (this.settings.eventRetries ?? 0);
    let attempts = 0;
    let answer: WebhookAnswer;
    do {
      attempts++;
      answer = await postWebhook(subscription.callbackUrl, JSON.stringify(event), {
        timeoutMs: this.settings.eventTimeoutMs,
      });
    } while (answer.status !== 200 && attempts < maxAttempts);
    const withinDeadline = answer.status === 200 && answer.latencyMs <= 2000;
    const delivery: StravaEventDelivery = { event, ...answer, attempts, withinDeadline };
    this.events.push(delivery);
    return delivery;
  }

  private view(subscription: StravaSubscription) {
    return {
      id: subscription.id,
      resource_state: 2,
      application_id: Number(this.settings.clientId) || this.settings.clientId,
      callback_url: subscription.callbackUrl,
      created_at: subscription.createdAt,
      updated_at: subscription.createdAt,
    };
  }
}
