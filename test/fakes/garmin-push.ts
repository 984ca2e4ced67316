/**
 * How the fake Garmin delivers pushes (providers.md 4.1): JSON POSTs to one webhook URL with `garmin-client-id`,
 * large sets split into several POSTs, ping mode (items carrying a `callbackURL` to the fake's pull route instead of
 * data), delayed work for the asynchronous backfill answers, and a record of every delivery.
 */
import { randomBytes } from 'node:crypto';
import {
  type GarminPushKey,
  type GarminSummary,
  summaryTimeSeconds,
  summaryTypeOf,
} from '#test/fakes/garmin-data.js';
import { postWebhook } from '#test/fakes/webhook-sender.js';

export interface GarminPushResult {
  status: number;
  body: string;
  /** Network failure, timeout or no webhook URL; `status` is 0 then. */
  error?: string;
}

export interface GarminDelivery extends GarminPushResult {
  reason: 'backfill' | 'data' | 'deregistration' | 'permissions' | 'raw';
  /** Push keys and item counts of the body. */
  counts: Record<string, number>;
  sentAt: number;
  latencyMs: number;
  ping: boolean;
}

export interface PushOptions {
  /** Extra or replaced headers. */
  headers?: Record<string, string>;
  /** The `garmin-client-id` value; null leaves the header out. Default the client id. */
  clientIdHeader?: string | null;
}

export interface GarminPusherSettings {
  clientId: string;
  webhookUrl?: string;
  pingMode?: boolean;
  /** Items per POST. Default 100. */
  maxItemsPerPush?: number;
  /** Default 30000 (Garmin's timeout). */
  pushTimeoutMs?: number;
  /** Where the fake listens (for ping callback URLs). */
  baseUrl: () => string;
}

export class GarminPusher {
  readonly deliveries: GarminDelivery[] = [];
  /** Ping-mode callback tokens -> what the callback answers. */
  readonly pullTokens = new Map<string, { userId: string; items: GarminSummary[] }>();
  webhookUrl: string | null;
  pingMode: boolean;
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly settings: GarminPusherSettings) {
    this.webhookUrl = settings.webhookUrl ?? null;
    this.pingMode = settings.pingMode ?? false;
  }

  /** Counts the promise until it settles (see `idle`). */
  track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }

  /** Runs `work` after `delayMs`; `idle` waits for it, `cancel` drops it. */
  later(delayMs: number, work: () => Promise<unknown>): void {
    let release!: () => void;
    this.track(
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.track(work().catch(() => undefined)).finally(release);
    }, delayMs);
    this.timers.set(timer, release);
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  cancel(): void {
    for (const [timer, release] of this.timers) {
      clearTimeout(timer);
      release();
    }
    this.timers.clear();
  }

  /** One POST of any body to the webhook URL, recorded. */
  async post(
    payload: unknown,
    reason: GarminDelivery['reason'],
    options: PushOptions = {},
  ): Promise<GarminPushResult> {
    const counts: Record<string, number> = {};
    let ping = false;
    if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
      for (const [key, value] of Object.entries(payload)) {
        counts[key] = Array.isArray(value) ? value.length : 1;
        if (
          Array.isArray(value) &&
          value.some((item) => item && typeof item === 'object' && 'callbackURL' in item)
        )
          ping = true;
      }
    }
    const clientHeader =
      options.clientIdHeader === undefined ? this.settings.clientId : options.clientIdHeader;
    const sentAt = Date.now();
    const { latencyMs, ...result } = await postWebhook(
      this.webhookUrl,
      typeof payload === 'string' ? payload : JSON.stringify(payload),
      {
        headers: {
          ...(clientHeader === null ? {} : { 'garmin-client-id': clientHeader }),
          ...options.headers,
        },
        timeoutMs: this.settings.pushTimeoutMs,
      },
    );
    this.deliveries.push({ ...result, reason, counts, sentAt, latencyMs, ping });
    return result;
  }

  /** Summaries under their push key, in chunks; in ping mode one callback item per chunk. The last answer. */
  async pushData(
    userId: string,
    key: GarminPushKey,
    items: GarminSummary[],
    reason: 'backfill' | 'data',
  ): Promise<GarminPushResult> {
    if (items.length === 0) return this.post({ [key]: [] }, reason);
    const size = this.settings.maxItemsPerPush ?? 100;
    let last: GarminPushResult = { status: 0, body: '' };
    for (let i = 0; i < items.length; i += size) {
      const chunk = items.slice(i, i + size);
      last = await this.post({ [key]: this.pingMode ? [this.pingItem(userId, key, chunk)] : chunk }, reason);
    }
    return last;
  }

  private pingItem(userId: string, key: GarminPushKey, items: GarminSummary[]): GarminSummary {
    const token = randomBytes(16).toString('hex');
    this.pullTokens.set(token, { userId, items });
    const times = items.map((item) => summaryTimeSeconds(item) ?? 0);
    const start = Math.min(...times);
    const end = Math.max(...times) + 1;
    const callback = new URL(`/wellness-api/rest/${summaryTypeOf(key)}`, this.settings.baseUrl());
    callback.searchParams.set('uploadStartTimeInSeconds', String(start));
    callback.searchParams.set('uploadEndTimeInSeconds', String(end));
    callback.searchParams.set('token', token);
    return {
      userId,
      uploadStartTimeInSeconds: start,
      uploadEndTimeInSeconds: end,
      callbackURL: callback.toString(),
    };
  }
}
