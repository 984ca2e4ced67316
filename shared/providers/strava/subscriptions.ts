import { orNoData, ProviderRequestError } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import type { SubscriptionApi, SubscriptionContext } from '#shared/providers/webhook-types.js';

/**
 * Strava push subscriptions (providers.md 4.6): one per application, managed with the client credentials in the
 * query (list, delete) or the form (create). Creating one makes Strava call our GET challenge before it answers,
 * with the verify token sent here. Subscriptions do not expire, and a callback cannot be changed in place (the
 * route deletes and creates).
 */

const SUBSCRIPTIONS_PATH = '/push_subscriptions';

function credentials(context: SubscriptionContext) {
  const client_id = context.settings('STRAVA_CLIENT_ID');
  const client_secret = context.settings('STRAVA_CLIENT_SECRET');
  if (!client_id || !client_secret) throw new Error('STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET must be set');
  return { client_id, client_secret };
}

async function list(context: SubscriptionContext): Promise<unknown[]> {
  const { status, body } = await context.request('GET', SUBSCRIPTIONS_PATH, { query: credentials(context) });
  if (!Array.isArray(body))
    throw new ProviderRequestError(
      status,
      `unexpected subscriptions body: ${JSON.stringify(body).slice(0, 300)}`,
    );
  return body;
}

/** The list after creating; 409 means the application already has its subscription. */
async function create(context: SubscriptionContext, callbackUrl: string): Promise<unknown[]> {
  const verifyToken = context.settings('STRAVA_WEBHOOK_VERIFY_TOKEN');
  if (!verifyToken)
    throw new Error('STRAVA_WEBHOOK_VERIFY_TOKEN must be set: Strava checks it in the challenge');
  try {
    await context.request('POST', SUBSCRIPTIONS_PATH, {
      form: { ...credentials(context), callback_url: callbackUrl, verify_token: verifyToken },
    });
  } catch (error) {
    if (!(error instanceof ProviderRequestError && error.status === 409)) throw error;
  }
  return list(context);
}

async function get(context: SubscriptionContext, id: string): Promise<unknown | null> {
  return (await list(context)).find((item) => isObject(item) && String(item.id) === id) ?? null;
}

async function remove(context: SubscriptionContext, id: string) {
  // Ids are numbers; anything else would change the path.
  if (!/^\d+$/.test(id)) return { subscription_id: id, status: 'not_found' };
  const answer = await orNoData(
    context.request('DELETE', `${SUBSCRIPTIONS_PATH}/${id}`, { query: credentials(context) }),
  );
  return { subscription_id: id, status: answer === null ? 'not_found' : 'deleted' };
}

export const stravaSubscriptions: SubscriptionApi = { list, create, get, delete: remove };
