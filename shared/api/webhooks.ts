import * as z from 'zod/mini';
import { bodyBytes } from '#shared/http/request.js';
import { defineRoute, Reply, type Route, type RouteContext } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import type { WebhookRequest } from '#shared/providers/webhook-types.js';
import { answerChallenge, receiveWebhook, webhookOf } from '#shared/webhooks/ingress.js';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  renewSubscriptions,
  updateSubscription,
} from '#shared/webhooks/subscriptions.js';

const tag = 'Provider webhooks';

/** Any slug: an unknown one gets the contract's 404 text, not a validation error. */
const providerParams = z.object({ provider: cappedString(CAP.id) });
const subscriptionParams = z.extend(providerParams, { subscription_id: cappedString(CAP.id) });
const callbackQuery = z.object({ callback_url: z.optional(z.pipe(cappedString(CAP.url), z.url())) });

/** The challenge parameters every push provider uses (Strava `hub.*`, Oura `verification_token`/`challenge`). */
const challengeQuery = z.object({
  'hub.mode': z.optional(cappedString(CAP.id)),
  'hub.challenge': z.optional(cappedString(CAP.token)),
  'hub.verify_token': z.optional(cappedString(CAP.token)),
  verification_token: z.optional(cappedString(CAP.token)),
  challenge: z.optional(cappedString(CAP.token)),
});

/** A secret in the callback URL, for providers that sign nothing (Withings `?token=`). */
const notificationQuery = z.object({ token: z.optional(cappedString(CAP.token)) });

const accepted = z
  .object({
    status: z
      .string()
      .check(z.describe('accepted; a handshake: ok (Polar PING), verified (Google Health, 201)')),
  })
  .check(z.meta({ id: 'WebhookAccepted' }));

/** Strava echoes `hub.challenge`, Oura `challenge`. */
const challengeAnswer = z
  .union([z.object({ 'hub.challenge': z.string() }), z.object({ challenge: z.string() })])
  .check(z.meta({ id: 'WebhookChallengeAnswer' }));

/** A provider's refusal (signature, token, body): 400/401/403; a path's unknown or push-less provider: 404/501. */
const ingressErrors = (fixed: string | undefined) => (fixed ? [400, 401, 403] : [400, 401, 403, 404, 501]);

/** The provider's own subscription objects, as its API returns them (contract 8.2). */
const providerObject = z
  .record(z.string(), z.unknown())
  .check(z.describe("The provider's own subscription object"));
const SUBSCRIPTION_ERRORS = { errors: [400, 404, 501, 502, 503] };

type AnyContext = RouteContext<unknown, unknown, unknown>;

/** The request as a verifier sees it: the body byte for byte (base64 undone), headers lower-cased. */
function webhookRequest(ctx: AnyContext, method: WebhookRequest['method']): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(ctx.headers)) headers[name.toLowerCase()] = value;
  return {
    method,
    headers,
    query: (ctx.query ?? {}) as Record<string, string | undefined>,
    body: bodyBytes(ctx.event) ?? Buffer.alloc(0),
    now: Date.now(),
  };
}

const reply = (answer: { status: number; body: unknown }) => new Reply(answer.status, answer.body);

/** POST (data) and GET (challenge) of one provider's webhook path; `provider` fixed for the legacy paths. */
function webhookRoutes(path: string, fixed?: string): Route[] {
  const providerOf = (ctx: AnyContext) => fixed ?? (ctx.params as { provider: string }).provider;
  const params = fixed ? {} : { params: providerParams };
  const legacy = fixed ? ` (legacy path of ${fixed})` : '';
  return [
    defineRoute({
      method: 'POST',
      path,
      auth: 'NONE',
      tag,
      summary: `Provider notification, verified over the raw body and queued${legacy}`,
      ...params,
      query: notificationQuery,
      response: accepted,
      doc: { errors: ingressErrors(fixed), otherStatuses: [201] },
      handle: async (ctx) => reply(await receiveWebhook(providerOf(ctx), webhookRequest(ctx, 'POST'))),
    }),
    defineRoute({
      method: 'GET',
      path,
      auth: 'NONE',
      tag,
      summary: `Provider subscription challenge${legacy}`,
      ...params,
      query: challengeQuery,
      response: challengeAnswer,
      doc: { errors: ingressErrors(fixed) },
      handle: async (ctx) => reply(await answerChallenge(providerOf(ctx), webhookRequest(ctx, 'GET'))),
    }),
  ];
}

const serviceHealth = z
  .object({ status: z.literal('ok'), service: z.string() })
  .check(z.meta({ id: 'WebhookServiceHealth' }));

const health = (path: string, service: string) =>
  defineRoute({
    method: 'GET',
    path,
    auth: 'NONE',
    tag,
    summary: `Liveness of the ${service} endpoint`,
    response: serviceHealth,
    handle: async () => ({ status: 'ok', service }),
  });

const subscriptionRoute = <P extends z.ZodMiniType, Q extends z.ZodMiniType | undefined>(
  route: Omit<Route<P, Q>, 'auth' | 'tag'>,
) => defineRoute({ ...route, auth: 'DEV', tag } as Route<P, Q>);

const base = '/api/v1/providers/{provider}/webhooks';

const subscriptionList = z
  .object({ subscriptions: z.array(providerObject) })
  .check(z.meta({ id: 'ProviderSubscriptionList' }));

/** The ingress: unauthenticated by design (the provider's signature or challenge is the check). */
export const webhooksRoutes: Route[] = [
  ...webhookRoutes(base),
  defineRoute({
    method: 'HEAD',
    path: base,
    auth: 'NONE',
    tag,
    summary: 'Reachability probe of a provider webhook endpoint',
    params: providerParams,
    doc: { errors: [400, 404, 501] },
    handle: async ({ params }) => {
      webhookOf(params.provider);
      return new Reply(200);
    },
  }),
  // Garmin's legacy paths take its pushes only (Garmin has no challenge).
  ...webhookRoutes('/api/v1/garmin/webhooks/push', 'garmin').filter((r) => r.method === 'POST'),
  ...webhookRoutes('/api/v1/garmin/webhooks/ping', 'garmin').filter((r) => r.method === 'POST'),
  ...webhookRoutes('/api/v1/oura/webhooks', 'oura'),
  ...webhookRoutes('/api/v1/strava/webhooks', 'strava'),
  ...webhookRoutes('/api/v1/strava/webhook', 'strava'),
  health('/api/v1/strava/webhooks/health', 'strava-webhooks'),
  health('/api/v1/strava/webhook/health', 'strava-webhooks'),
];

/**
 * Provider-side subscription management (contract 3.3, DEV): served by the oauth area, which holds the developer
 * token key and the provider credentials anyway, so the internet-facing ingress function needs neither.
 */
export const webhookSubscriptionRoutes: Route[] = [
  subscriptionRoute({
    method: 'GET',
    path: `${base}/subscriptions`,
    summary: 'List the provider-side webhook subscriptions',
    params: providerParams,
    response: subscriptionList,
    doc: SUBSCRIPTION_ERRORS,
    handle: async ({ params }) => listSubscriptions(params.provider),
  }),
  subscriptionRoute({
    method: 'POST',
    path: `${base}/subscriptions`,
    summary: 'Register the webhook subscription (callback_url defaults to this deployment)',
    params: providerParams,
    query: callbackQuery,
    response: subscriptionList,
    doc: SUBSCRIPTION_ERRORS,
    handle: async ({ params, query }) => createSubscription(params.provider, query.callback_url),
  }),
  subscriptionRoute({
    method: 'POST',
    path: `${base}/subscriptions/renew`,
    summary: 'Renew expiring subscriptions',
    params: providerParams,
    response: z.object({ renewed: z.array(providerObject) }).check(z.meta({ id: 'RenewedSubscriptions' })),
    doc: SUBSCRIPTION_ERRORS,
    handle: async ({ params }) => renewSubscriptions(params.provider),
  }),
  subscriptionRoute({
    method: 'GET',
    path: `${base}/subscriptions/{subscription_id}`,
    summary: 'One subscription (null when absent)',
    params: subscriptionParams,
    response: z
      .object({ subscription: z.nullable(providerObject) })
      .check(z.meta({ id: 'ProviderSubscription' })),
    doc: SUBSCRIPTION_ERRORS,
    handle: async ({ params }) => getSubscription(params.provider, params.subscription_id),
  }),
  subscriptionRoute({
    method: 'PUT',
    path: `${base}/subscriptions/{subscription_id}`,
    summary: "Change a subscription's callback URL",
    params: subscriptionParams,
    query: callbackQuery,
    response: z
      .object({
        updated: z.unknown().check(z.describe("The provider's answer: the subscription, or the new ones")),
      })
      .check(z.meta({ id: 'UpdatedSubscription' })),
    doc: SUBSCRIPTION_ERRORS,
    handle: async ({ params, query }) =>
      updateSubscription(params.provider, params.subscription_id, query.callback_url),
  }),
  subscriptionRoute({
    method: 'DELETE',
    path: `${base}/subscriptions/{subscription_id}`,
    summary: 'Delete a subscription',
    params: subscriptionParams,
    status: 200,
    response: z
      .object({
        deleted: z.object({
          subscription_id: z.string(),
          status: z.string(),
          error: z.optional(z.string()),
        }),
      })
      .check(z.meta({ id: 'DeletedSubscription' })),
    doc: SUBSCRIPTION_ERRORS,
    handle: async ({ params }) => deleteSubscription(params.provider, params.subscription_id),
  }),
];
