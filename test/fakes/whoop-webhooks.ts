/**
 * WHOOP's webhook deliveries (providers.md 4.4): a POST of `{user_id, id, type, trace_id}` signed with
 * `X-WHOOP-Signature` = base64(HMAC-SHA256(client secret, `X-WHOOP-Signature-Timestamp` + raw body)), the timestamp
 * in epoch ms. The fake can also send a wrongly signed, unsigned or stale one.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { postWebhook, type Signing, signingKey } from '#test/fakes/webhook-sender.js';

export type WhoopEventType =
  | 'workout.updated'
  | 'workout.deleted'
  | 'sleep.updated'
  | 'sleep.deleted'
  | 'recovery.updated'
  | 'recovery.deleted';

export interface WhoopEvent {
  user_id: number;
  id: string;
  type: WhoopEventType;
  trace_id?: string;
}

export interface WhoopDeliveryOptions {
  /** Default `valid`. */
  signature?: Signing;
  /** The signature timestamp, epoch ms. Default: now. */
  timestamp?: number;
  /** Overrides the configured webhook URL. */
  url?: string;
}

export interface WhoopDelivery {
  url: string;
  body: string;
  event: WhoopEvent;
  signature: Signing;
  status: number;
  response: string;
  latencyMs: number;
  error?: string;
}

/** base64(HMAC-SHA256(secret, timestamp + body)). */
export function signWhoopWebhook(secret: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(timestamp).update(body).digest('base64');
}

export class WhoopWebhooks {
  webhookUrl: string | null = null;
  readonly deliveries: WhoopDelivery[] = [];

  constructor(
    private readonly clientSecret: string,
    private readonly now: () => number,
  ) {}

  async send(event: WhoopEvent, options: WhoopDeliveryOptions = {}): Promise<WhoopDelivery> {
    const url = options.url ?? this.webhookUrl;
    if (!url) throw new Error('no WHOOP webhook URL configured (setWebhookUrl)');
    const full = { ...event, trace_id: event.trace_id ?? randomUUID() };
    const body = JSON.stringify(full);
    const timestamp = String(options.timestamp ?? this.now());
    const signature = options.signature ?? 'valid';
    const key = signingKey(signature, this.clientSecret);
    const headers: Record<string, string> =
      key === null
        ? {}
        : {
            'x-whoop-signature': signWhoopWebhook(key, timestamp, body),
            'x-whoop-signature-timestamp': timestamp,
          };
    const { body: response, ...answer } = await postWebhook(url, body, { headers });
    const delivery: WhoopDelivery = { url, body, event: full, signature, response, ...answer };
    this.deliveries.push(delivery);
    return delivery;
  }
}
