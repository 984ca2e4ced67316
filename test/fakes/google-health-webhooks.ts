/**
 * The Google Health API's side of webhooks, for the fake (providers.md 4.9): the project's subscriber, created only
 * after the endpoint passes the verification handshake (`{"type":"verification"}` POSTed with the subscriber's
 * `Authorization` value, which must answer 201, and without it, which must answer 401 or 403), and notifications:
 * a JSON array of `{"data": {...}}` items POSTed with that `Authorization`.
 */

export interface GoogleNotificationInput {
  healthUserId: string;
  dataType: string;
  operation: 'UPSERT' | 'DELETE';
  /** Epoch ms `[start, end]` of each changed interval. */
  intervals: Array<[number, number]>;
}

export interface GoogleVerification {
  endpointUri: string;
  withAuthorization: number;
  withoutAuthorization: number;
  ok: boolean;
  error?: string;
}

export interface GoogleDelivery {
  items: unknown[];
  status: number;
  body: string;
  latencyMs: number;
  error?: string;
}

export interface GoogleSubscriber {
  endpointUri: string;
  /** The exact `Authorization` value sent: `Bearer <GOOGLE_HEALTH_WEBHOOK_SECRET>`. */
  authorization: string;
}

const SUBSCRIBER_ID = 'open-wearables';

export const notificationItem = (input: GoogleNotificationInput) => ({
  data: {
    healthUserId: input.healthUserId,
    operation: input.operation,
    dataType: input.dataType,
    intervals: input.intervals.map(([start, end]) => ({
      physicalTimeInterval: {
        startTime: new Date(start).toISOString(),
        endTime: new Date(end).toISOString(),
      },
    })),
    clientProvidedSubscriptionName: SUBSCRIBER_ID,
    version: '1',
  },
});

async function post(url: string, body: string, authorization: string | null, timeoutMs = 30_000) {
  const started = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: await response.text(), latencyMs: Date.now() - started };
}

export class GoogleHealthNotifier {
  subscriber: GoogleSubscriber | null = null;
  readonly verifications: GoogleVerification[] = [];
  readonly deliveries: GoogleDelivery[] = [];

  /**
   * What `projects.subscribers.create` does: the two verification POSTs, then the subscriber (its `Authorization`
   * is `Bearer <secret>`). Resolves with the verification; the subscriber is set only when it passed.
   */
  async createSubscriber(endpointUri: string, secret: string): Promise<GoogleVerification> {
    const authorization = `Bearer ${secret}`;
    const body = JSON.stringify({ type: 'verification' });
    const record: GoogleVerification = {
      endpointUri,
      withAuthorization: 0,
      withoutAuthorization: 0,
      ok: false,
    };
    try {
      record.withAuthorization = (await post(endpointUri, body, authorization)).status;
      record.withoutAuthorization = (await post(endpointUri, body, null)).status;
      record.ok = record.withAuthorization === 201 && [401, 403].includes(record.withoutAuthorization);
    } catch (error) {
      record.error = String(error);
    }
    this.verifications.push(record);
    if (record.ok) this.subscriber = { endpointUri, authorization };
    return record;
  }

  /**
   * POSTs the items as one JSON array to the subscriber, with its `Authorization` unless `authorization` overrides
   * it (null: none; another value: a wrongly authorized request).
   */
  async send(
    items: GoogleNotificationInput[] | unknown[],
    options: { authorization?: string | null; endpointUri?: string } = {},
  ): Promise<GoogleDelivery> {
    const endpointUri = options.endpointUri ?? this.subscriber?.endpointUri;
    if (!endpointUri) throw new Error('no subscriber: createSubscriber first (or pass endpointUri)');
    const authorization =
      options.authorization === undefined ? (this.subscriber?.authorization ?? null) : options.authorization;
    const body = items.map((item) =>
      item && typeof item === 'object' && 'intervals' in item
        ? notificationItem(item as GoogleNotificationInput)
        : item,
    );
    const delivery: GoogleDelivery = { items: body, status: 0, body: '', latencyMs: 0 };
    try {
      Object.assign(delivery, await post(endpointUri, JSON.stringify(body), authorization));
    } catch (error) {
      delivery.error = String(error);
    }
    this.deliveries.push(delivery);
    return delivery;
  }
}
