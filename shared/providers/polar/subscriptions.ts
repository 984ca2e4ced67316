import { orNoData, ProviderRequestError } from '#shared/providers/http.js';
import { isObject, textOf } from '#shared/providers/json.js';
import type { SubscriptionApi, SubscriptionContext } from '#shared/providers/webhook-types.js';

/**
 * Polar's webhook (providers.md 4.2): one per application, managed with the client credentials as a Basic
 * authorization header. Creating it makes Polar POST a PING to the URL (answered by our ingress without a
 * signature), then answer with the signing key, `signature_secret_key`, this once only: it is stored sealed under
 * POLAR_WEBHOOK_SECRET, where the ingress finds it (a configured POLAR_WEBHOOK_SECRET still wins). The list never
 * shows the key.
 *
 * Polar refuses a second webhook (409) and cannot show the key of the existing one. So a create that meets one keeps
 * it when it already posts to the requested URL and a key is known here; otherwise the existing webhook is deleted
 * and created again, which yields a new key. A change of URL is a delete and a create for the same reason (and
 * because app requests here have no PATCH).
 */

const WEBHOOKS_PATH = '/v3/webhooks';
export const SUBSCRIBED_EVENTS = [
  'EXERCISE',
  'SLEEP',
  'CONTINUOUS_HEART_RATE',
  'ACTIVITY_SUMMARY',
  'PHYSICAL_INFORMATION',
];

function authorization(context: SubscriptionContext): Record<string, string> {
  const id = context.settings('POLAR_CLIENT_ID');
  const secret = context.settings('POLAR_CLIENT_SECRET');
  if (!id || !secret) throw new Error('POLAR_CLIENT_ID and POLAR_CLIENT_SECRET must be set');
  return { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };
}

async function list(context: SubscriptionContext): Promise<unknown[]> {
  const { status, body } = await context.request('GET', WEBHOOKS_PATH, { headers: authorization(context) });
  // 204 (no webhook) has no body.
  if (body === null) return [];
  const data = isObject(body) ? body.data : undefined;
  if (!Array.isArray(data))
    throw new ProviderRequestError(status, `unexpected webhooks body: ${JSON.stringify(body).slice(0, 300)}`);
  return data;
}

async function get(context: SubscriptionContext, id: string): Promise<unknown | null> {
  return (await list(context)).find((item) => isObject(item) && String(item.id) === id) ?? null;
}

async function remove(context: SubscriptionContext, id: string) {
  // Ids are short hashes; anything else would change the path.
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return { subscription_id: id, status: 'not_found' };
  const answer = await orNoData(
    context.request('DELETE', `${WEBHOOKS_PATH}/${id}`, { headers: authorization(context) }),
  );
  return { subscription_id: id, status: answer === null ? 'not_found' : 'deleted' };
}

/** POST the webhook; its one-time key is stored. False when Polar already has one (409). */
async function register(context: SubscriptionContext, callbackUrl: string): Promise<boolean> {
  let body: unknown;
  try {
    ({ body } = await context.request('POST', WEBHOOKS_PATH, {
      headers: authorization(context),
      json: { events: SUBSCRIBED_EVENTS, url: callbackUrl },
    }));
  } catch (error) {
    if (error instanceof ProviderRequestError && error.status === 409) return false;
    throw error;
  }
  const key = isObject(body) && isObject(body.data) ? textOf(body.data.signature_secret_key) : null;
  if (!key) throw new ProviderRequestError(201, 'the created webhook came without its signature_secret_key');
  await context.storeSecret('POLAR_WEBHOOK_SECRET', key);
  return true;
}

/** The webhook list after creating (or keeping) the application's webhook for `callbackUrl`. */
async function create(context: SubscriptionContext, callbackUrl: string): Promise<unknown[]> {
  if (await register(context, callbackUrl)) return list(context);
  const existing = await list(context);
  const keyKnown = Boolean(context.settings('POLAR_WEBHOOK_SECRET'));
  if (keyKnown && existing.some((item) => isObject(item) && item.url === callbackUrl)) return existing;
  for (const item of existing) if (isObject(item)) await remove(context, String(item.id));
  if (!(await register(context, callbackUrl)))
    throw new ProviderRequestError(409, 'Polar still reports a webhook after deleting it');
  return list(context);
}

export const polarSubscriptions: SubscriptionApi = { list, create, get, delete: remove };
