import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject, textOf } from '#shared/providers/json.js';
import type { SubscriptionApi, SubscriptionContext } from '#shared/providers/webhook-types.js';

/**
 * Oura webhook subscriptions (providers.md 4.5): app-level, authenticated with the `x-client-id` and
 * `x-client-secret` headers, one subscription per (data type, event type). Oura verifies the callback with a GET
 * challenge carrying our verification token before it answers a create. Subscriptions expire (about 90 days):
 * `renew` extends those expiring within 30 days, run daily by the `renewOura` schedule.
 */

const SUBSCRIPTIONS_PATH = '/v2/webhook/subscription';
const RENEW_WITHIN_MS = 30 * 86_400_000;

/** What we store: creates and updates of every document type, and deletes of the ones with an identity. */
export const SUBSCRIBED: ReadonlyArray<{ data_type: string; event_type: string }> = [
  'workout',
  'sleep',
  'daily_sleep',
  'daily_readiness',
  'daily_activity',
  'daily_spo2',
  'daily_cardiovascular_age',
  'vo2_max',
].flatMap((data_type) => [
  { data_type, event_type: 'create' },
  { data_type, event_type: 'update' },
  ...(data_type === 'workout' || data_type === 'sleep' ? [{ data_type, event_type: 'delete' }] : []),
]);

function headers(context: SubscriptionContext): Record<string, string> {
  const id = context.settings('OURA_CLIENT_ID');
  const secret = context.settings('OURA_CLIENT_SECRET');
  if (!id || !secret) throw new Error('OURA_CLIENT_ID and OURA_CLIENT_SECRET must be set');
  return { 'x-client-id': id, 'x-client-secret': secret };
}

function verificationToken(context: SubscriptionContext): string {
  const token = context.settings('OURA_WEBHOOK_VERIFICATION_TOKEN');
  if (!token) throw new Error('OURA_WEBHOOK_VERIFICATION_TOKEN must be set: Oura sends it in the challenge');
  return token;
}

/** Subscription ids go into a request path. */
const validId = (id: string) => /^[A-Za-z0-9_-]{1,128}$/.test(id);

/** Oura answers 404, or 403 on some routes, for a subscription that is not the app's. */
const notFound = (error: unknown) =>
  error instanceof ProviderRequestError && (error.status === 404 || error.status === 403);

async function list(context: SubscriptionContext): Promise<unknown[]> {
  const { status, body } = await context.request('GET', SUBSCRIPTIONS_PATH, { headers: headers(context) });
  if (!Array.isArray(body))
    throw new ProviderRequestError(
      status,
      `unexpected subscriptions body: ${JSON.stringify(body).slice(0, 300)}`,
    );
  return body;
}

const sameSubscription = (item: unknown, callbackUrl: string, wanted: (typeof SUBSCRIBED)[number]) =>
  isObject(item) &&
  item.callback_url === callbackUrl &&
  item.data_type === wanted.data_type &&
  item.event_type === wanted.event_type;

/** The list after creating what is missing for `callbackUrl`; 409 (exists) counts as created. */
async function create(context: SubscriptionContext, callbackUrl: string): Promise<unknown[]> {
  const token = verificationToken(context);
  const existing = await list(context);
  for (const wanted of SUBSCRIBED) {
    if (existing.some((item) => sameSubscription(item, callbackUrl, wanted))) continue;
    try {
      await context.request('POST', SUBSCRIPTIONS_PATH, {
        headers: headers(context),
        json: { callback_url: callbackUrl, verification_token: token, ...wanted },
      });
    } catch (error) {
      if (!(error instanceof ProviderRequestError && error.status === 409)) throw error;
    }
  }
  return list(context);
}

async function get(context: SubscriptionContext, id: string): Promise<unknown | null> {
  if (!validId(id)) return null;
  try {
    return (await context.request('GET', `${SUBSCRIPTIONS_PATH}/${id}`, { headers: headers(context) })).body;
  } catch (error) {
    if (notFound(error)) return null;
    throw error;
  }
}

async function remove(context: SubscriptionContext, id: string) {
  if (!validId(id)) return { subscription_id: id, status: 'not_found' };
  try {
    await context.request('DELETE', `${SUBSCRIPTIONS_PATH}/${id}`, { headers: headers(context) });
  } catch (error) {
    if (notFound(error)) return { subscription_id: id, status: 'not_found' };
    throw error;
  }
  return { subscription_id: id, status: 'deleted' };
}

/** A new callback for one subscription (Oura challenges it again). */
async function update(context: SubscriptionContext, id: string, callbackUrl: string): Promise<unknown> {
  if (!validId(id)) throw new ProviderRequestError(404, `no subscription ${id}`);
  const { body } = await context.request('PUT', `${SUBSCRIPTIONS_PATH}/${id}`, {
    headers: headers(context),
    json: { callback_url: callbackUrl, verification_token: verificationToken(context) },
  });
  return body;
}

/**
 * Renews every subscription expiring within 30 days (or without a readable expiry); the renewed ones as Oura returns
 * them. One failing renewal does not stop the others; the first failure is thrown once all were tried.
 */
async function renew(context: SubscriptionContext): Promise<unknown[]> {
  const due = (await list(context)).filter((item) => {
    if (!isObject(item) || !validId(String(item.id ?? ''))) return false;
    const expires = Date.parse(textOf(item.expiration_time) ?? '');
    return !Number.isFinite(expires) || expires - Date.now() < RENEW_WITHIN_MS;
  });
  const renewed: unknown[] = [];
  let failure: unknown = null;
  for (const item of due) {
    const id = String((item as { id: unknown }).id);
    try {
      const { body } = await context.request('PUT', `${SUBSCRIPTIONS_PATH}/renew/${id}`, {
        headers: headers(context),
      });
      renewed.push(body);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure) throw failure;
  return renewed;
}

export const ouraSubscriptions: SubscriptionApi = { list, create, get, delete: remove, update, renew };
