import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure } from '#shared/store/client.js';

/**
 * App-wide request budgets of the providers, one item per provider, shared by every worker (providers.md 6, risk
 * 6): a per-process sleep cannot see the other Lambdas. Two kinds:
 *
 * - a token bucket (`takeTokens`): `perMinute` tokens refilled continuously; taking some is a conditional write on
 *   the previous state, so two workers never spend the same token;
 * - reported usage (`readUsage`/`recordUsage`): the provider's own counters from its response headers (Strava's
 *   15-minute and daily windows), recorded by whoever saw them last and checked by everyone before a request.
 */

export const budgetKey = (provider: string) => ({ PK: `RATEBUDGET#${provider}`, SK: 'BUDGET' });
const TAKE_ATTEMPTS = 20;

/** What a take got: `taken` tokens (at least one), or none and the epoch ms when one will be available. */
export type Take = { taken: number; retryAt: 0 } | { taken: 0; retryAt: number };

/**
 * Takes tokens from a bucket holding at most `capacity` (default: a minute's worth) and refilled at `perMinute`:
 * one, or up to `upTo` while the bucket is more than half full (a worker about to make several requests spends one
 * write on them; a bucket in demand hands them out one at a time, so none sit unused with a worker that may not
 * need them). The write is conditional on the item's `version`, so two workers can never both spend the state they
 * read; `at` never moves back, so a worker whose clock lags cannot count the same refill twice.
 */
export async function takeTokens(
  provider: string,
  perMinute: number,
  now = Date.now(),
  capacity = perMinute,
  upTo = 1,
): Promise<Take> {
  const { doc, table } = db();
  const msPerToken = 60_000 / perMinute;
  for (let attempt = 0; attempt < TAKE_ATTEMPTS; attempt++) {
    const out = await doc.send(
      new GetCommand({ TableName: table, Key: budgetKey(provider), ConsistentRead: true }),
    );
    const previous = out.Item as { tokens: number; at: number; version?: number } | undefined;
    const at = previous ? Math.max(previous.at, now) : now;
    const tokens = previous
      ? Math.min(capacity, previous.tokens + Math.max(0, now - previous.at) / msPerToken)
      : capacity;
    if (tokens < 1) {
      return { taken: 0, retryAt: Math.max(now, previous!.at) + Math.ceil((1 - tokens) * msPerToken) };
    }
    const taken = Math.max(1, Math.min(upTo, Math.floor(tokens - capacity / 2)));
    const version = previous?.version ?? 0;
    try {
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: { ...budgetKey(provider), tokens: tokens - taken, at, version: version + 1 },
          ConditionExpression: previous
            ? previous.version === undefined
              ? 'attribute_not_exists(version)'
              : 'version = :version'
            : 'attribute_not_exists(PK)',
          ...(previous?.version !== undefined ? { ExpressionAttributeValues: { ':version': version } } : {}),
        }),
      );
      return { taken, retryAt: 0 };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Another worker took a token meanwhile: read again.
    }
  }
  // Heavy contention: behave as if the bucket were empty for one token's time.
  return { taken: 0, retryAt: now + Math.ceil(msPerToken) };
}

/** One window of reported usage (e.g. Strava's 15 minutes, or its day): its start (epoch ms), limit and usage. */
export interface UsageWindow {
  start: number;
  limit: number;
  usage: number;
}

export async function readUsage(
  provider: string,
  names: readonly string[],
): Promise<Record<string, UsageWindow>> {
  const { doc, table } = db();
  const out = await doc.send(new GetCommand({ TableName: table, Key: budgetKey(provider) }));
  const windows: Record<string, UsageWindow> = {};
  for (const name of names) {
    const window = out.Item?.[`usage_${name}`] as UsageWindow | undefined;
    if (window) windows[name] = window;
  }
  return windows;
}

/**
 * Records one window's reported usage unless a later report is already there (the same window with a higher
 * usage, or a newer window): responses arriving out of order never lower the count. One write per response.
 */
export async function recordUsage(provider: string, name: string, window: UsageWindow): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: budgetKey(provider),
        UpdateExpression: 'SET #w = :window',
        ConditionExpression:
          'attribute_not_exists(#w) OR #w.#start < :start OR (#w.#start = :start AND #w.#usage <= :usage)',
        ExpressionAttributeNames: { '#w': `usage_${name}`, '#start': 'start', '#usage': 'usage' },
        ExpressionAttributeValues: { ':window': window, ':start': window.start, ':usage': window.usage },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
