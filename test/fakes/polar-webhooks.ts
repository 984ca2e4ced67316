/**
 * Polar's app-level webhook for the fake (providers.md 4.2): `/v3/webhooks` with the client credentials as Basic
 * authorization (get, create, patch, delete, activate, deactivate). Creating it (or changing its URL) first POSTs an
 * unsigned `{"timestamp", "event": "PING"}` to the URL, which must answer 200; the create answers the
 * `signature_secret_key` this once. Events are POSTed signed: `Polar-Webhook-Signature` = hex HMAC-SHA256 of the
 * body under that key (or a wrong key, or none, on request).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '#test/fakes/oauth-fake.js';
import { postWebhook, type Signing, signingKey } from '#test/fakes/webhook-sender.js';

export const WEBHOOK_TYPES = [
  'EXERCISE',
  'SLEEP',
  'CONTINUOUS_HEART_RATE',
  'SLEEP_WISE_CIRCADIAN_BEDTIME',
  'SLEEP_WISE_ALERTNESS',
  'ACTIVITY_SUMMARY',
  'PHYSICAL_INFORMATION',
];

export interface PolarWebhook {
  id: string;
  events: string[];
  url: string;
  active: boolean;
  secret: string;
}

export interface PolarDelivery {
  body: string;
  signature: string | null;
  /** 0 when the request failed. */
  status: number;
  response: string;
  latencyMs: number;
  error?: string;
}

/** What a test asks to send: the event and its ids (`timestamp` and `url` are filled in). */
export interface PolarEventInput {
  event: string;
  user_id: number;
  entity_id?: string;
  date?: string;
}

export type SignatureMode = Signing;

export const polarError = (status: number, message: string) => ({
  timestamp: new Date().toISOString(),
  status,
  errorType: status === 404 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : 'BAD_REQUEST',
  message,
  corrId: randomBytes(8).toString('hex'),
});

export const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

export class PolarWebhooks {
  webhook: PolarWebhook | null = null;
  readonly pings: PolarDelivery[] = [];
  readonly deliveries: PolarDelivery[] = [];

  constructor(
    private readonly settings: {
      clientId: string;
      clientSecret: string;
      apiUrl: () => string;
      /** The key every created webhook gets (the demo configures it as POLAR_WEBHOOK_SECRET); default random. */
      secret?: string;
      timeoutMs?: number;
    },
  ) {}

  private authorized(req: IncomingMessage): boolean {
    const expected = `${this.settings.clientId}:${this.settings.clientSecret}`;
    const given = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    return given !== undefined && Buffer.from(given, 'base64').toString('utf8') === expected;
  }

  private async post(url: string, body: string, signature: string | null): Promise<PolarDelivery> {
    const { body: response, ...answer } = await postWebhook(url, body, {
      headers: signature === null ? {} : { 'polar-webhook-signature': signature },
      timeoutMs: this.settings.timeoutMs ?? 10_000,
    });
    return { body, signature, response, ...answer };
  }

  /** The PING; true when the URL answered 200. */
  async ping(url: string): Promise<boolean> {
    const body = JSON.stringify({ timestamp: new Date().toISOString(), event: 'PING' });
    const delivery = await this.post(url, body, null);
    this.pings.push(delivery);
    return delivery.status === 200;
  }

  /** `POST /v3/webhooks` without the HTTP. */
  async create(input: unknown): Promise<{ status: number; body: unknown }> {
    const request = input as { events?: unknown; url?: unknown };
    const events = request?.events;
    const url = request?.url;
    if (
      !Array.isArray(events) ||
      events.length === 0 ||
      !events.every((e) => WEBHOOK_TYPES.includes(String(e))) ||
      typeof url !== 'string' ||
      !/^https?:\/\//.test(url)
    )
      return { status: 400, body: polarError(400, 'events and url are required') };
    if (this.webhook) return { status: 409, body: polarError(409, 'Webhook already exists') };
    if (!(await this.ping(url))) return { status: 400, body: polarError(400, 'Ping to the url failed') };
    const secret = this.settings.secret ?? randomBytes(16).toString('hex');
    this.webhook = {
      id: randomBytes(3).toString('hex'),
      events: events.map(String),
      url,
      active: true,
      secret,
    };
    return {
      status: 201,
      body: { data: { id: this.webhook.id, events: this.webhook.events, url, signature_secret_key: secret } },
    };
  }

  private view(webhook: PolarWebhook) {
    return { id: webhook.id, events: webhook.events, url: webhook.url, active: webhook.active };
  }

  /** The `/v3/webhooks[/...]` routes; `rest` is the path after `/v3/webhooks`. */
  async handle(req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> {
    const raw = await readBody(req);
    if (!this.authorized(req)) return sendJson(res, 401, polarError(401, 'Unauthorized'));
    const method = req.method ?? 'GET';
    const webhook = this.webhook;
    const json = () => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return undefined;
      }
    };
    if (rest === '' && method === 'GET')
      return sendJson(res, 200, { data: webhook ? [this.view(webhook)] : [] });
    if (rest === '' && method === 'POST') {
      const created = await this.create(json());
      return sendJson(res, created.status, created.body);
    }
    if ((rest === '/activate' || rest === '/deactivate') && method === 'POST') {
      if (!webhook) {
        res.writeHead(204).end();
        return;
      }
      webhook.active = rest === '/activate' ? await this.ping(webhook.url) : false;
      return sendJson(res, 200, {});
    }
    const id = rest.slice(1);
    if (!webhook || webhook.id !== id) return sendJson(res, 404, polarError(404, 'Webhook not found'));
    if (method === 'DELETE') {
      this.webhook = null;
      res.writeHead(204).end();
      return;
    }
    if (method === 'PATCH') {
      const patch = (json() ?? {}) as { events?: unknown; url?: unknown };
      if (typeof patch.url === 'string' && patch.url !== webhook.url) {
        if (!(await this.ping(patch.url)))
          return sendJson(res, 400, polarError(400, 'Ping to the url failed'));
        webhook.url = patch.url;
      }
      if (Array.isArray(patch.events)) webhook.events = patch.events.map(String);
      return sendJson(res, 200, { data: [this.view(webhook)] });
    }
    sendJson(res, 405, polarError(405, 'Method not allowed'));
  }

  /** The event body Polar sends: the `url` of the data it announces on our API base. */
  eventBody(input: PolarEventInput): string {
    const base = `${this.settings.apiUrl()}/v3`;
    const url =
      input.event === 'EXERCISE'
        ? `${base}/exercises/${input.entity_id}`
        : input.event === 'SLEEP'
          ? `${base}/users/sleep/${input.date}`
          : input.event === 'CONTINUOUS_HEART_RATE'
            ? `${base}/users/continuous-heart-rate/${input.date}`
            : input.event === 'ACTIVITY_SUMMARY'
              ? `${base}/users/activities/${input.date}`
              : `${base}/users/physical-info`;
    return JSON.stringify({ ...input, timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), url });
  }

  /** POSTs an event to the webhook's URL, signed per `mode`. */
  async send(input: PolarEventInput, mode: SignatureMode = 'valid'): Promise<PolarDelivery> {
    const webhook = this.webhook;
    if (!webhook?.active) throw new Error('no active Polar webhook: create one first');
    const body = this.eventBody(input);
    const key = signingKey(mode, webhook.secret);
    const signature = key === null ? null : sign(key, body);
    const delivery = await this.post(webhook.url, body, signature);
    this.deliveries.push(delivery);
    return delivery;
  }
}
