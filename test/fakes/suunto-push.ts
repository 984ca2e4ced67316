/**
 * How the fake Suunto notifies (providers.md 4.3): one JSON POST per event to the URL configured in the portal,
 * `X-HMAC-SHA256-Signature` = hex HMAC-SHA256 of the exact body under the notification secret. Every delivery is
 * recorded with its answer and latency (Suunto wants the answer within 2 s).
 */
import { createHmac } from 'node:crypto';
import { postWebhook, type WebhookAnswer } from '#test/fakes/webhook-sender.js';

export type SignatureMode = 'valid' | 'invalid' | 'none';

export interface SuuntoDelivery extends WebhookAnswer {
  type: string;
  username: string | null;
  /** Answered 2xx within Suunto's 2 seconds. */
  withinDeadline: boolean;
  signature: SignatureMode;
}

export const signSuunto = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('hex');

export class SuuntoPusher {
  readonly deliveries: SuuntoDelivery[] = [];

  constructor(
    public webhookUrl: string | null,
    readonly secret: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** POSTs `payload` (an object, or a raw string sent as is) signed per `signature`. */
  async send(payload: unknown, signature: SignatureMode = 'valid'): Promise<SuuntoDelivery> {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const fields =
      typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    const headers: Record<string, string> = {};
    if (signature !== 'none')
      headers['x-hmac-sha256-signature'] = signSuunto(
        signature === 'valid' ? this.secret : `${this.secret}-not`,
        body,
      );
    const answer = await postWebhook(this.webhookUrl, body, { headers, timeoutMs: this.timeoutMs });
    const delivery: SuuntoDelivery = {
      type: String(fields.type ?? ''),
      username: typeof fields.username === 'string' ? fields.username : null,
      signature,
      ...answer,
      withinDeadline: answer.status >= 200 && answer.status < 300 && answer.latencyMs <= 2000,
    };
    this.deliveries.push(delivery);
    return delivery;
  }
}
