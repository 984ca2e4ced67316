import * as z from 'zod';
import {
  attemptRead,
  attemptView,
  endpointRead,
  endpointView,
  messageRead,
  messageView,
  svixList,
} from '#shared/api/outgoing-views.js';
import { dateTimeParam } from '#shared/api/params.js';
import { message, uuid } from '#shared/api/schemas.js';
import { env } from '#shared/config/env.js';
import { eventTypeCatalogue, isEventType } from '#shared/delivery/catalogue.js';
import { outgoingAreaEnvSchema } from '#shared/delivery/env.js';
import { newId } from '#shared/delivery/ids.js';
import { deliveryJob } from '#shared/delivery/types.js';
import { checkEndpointUrl } from '#shared/delivery/url-guard.js';
import { badRequest, entityNotFound, HttpError, unauthorized } from '#shared/http/errors.js';
import { type Caller, defineRoute, Reply } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { sendJob } from '#shared/jobs/send.js';
import { logger } from '#shared/observability.js';
import { getUser } from '#shared/store/users.js';
import {
  createEndpoint,
  deleteEndpoint,
  type EndpointPatch,
  endpointSecret,
  getOwnedEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
  type WebhookEndpoint,
} from '#shared/store/webhook-endpoints.js';
import {
  ATTEMPT_STATUS,
  type AttemptStatus,
  listAttempts,
  listMessages,
  markDispatched,
  messageOf,
  putMessage,
  setDeliveryState,
} from '#shared/store/webhook-messages.js';

/** Integrator webhook management (contract 3.1 routes 44-53, 4.15), plus Svix's secret rotation. */
const tag = 'Outgoing webhooks';
const BASE = '/api/v1/webhooks';
const NOT_ENABLED =
  'Outgoing webhooks are not enabled (set OUTGOING_WEBHOOKS_ENABLED=true in the backend environment).';
const DEFAULT_TEST_EVENT = 'workout.created';
const settings = () => env(outgoingAreaEnvSchema);

/** The calling developer's id, once outgoing webhooks are known to be on (auth first: a 401 wins over the 503). */
function ownerOf(caller: Caller): string {
  if (caller.kind !== 'developer') throw unauthorized('Could not validate credentials', true);
  if (!settings().OUTGOING_WEBHOOKS_ENABLED) throw new HttpError(503, NOT_ENABLED);
  return caller.developer.id;
}

async function ownedEndpoint(caller: Caller, id: string): Promise<WebhookEndpoint> {
  const endpoint = await getOwnedEndpoint(ownerOf(caller), id);
  if (!endpoint) throw entityNotFound('Endpoint', id);
  return endpoint;
}

const endpointParams = z.object({ endpoint_id: cappedString(CAP.id) });
const eventType = cappedString(CAP.name);
const fields = {
  url: cappedString(CAP.url),
  description: cappedString(CAP.text).nullish(),
  /** null or empty: every event type. */
  filter_types: z.array(eventType).max(200).nullish(),
  /** null: every user's events. */
  user_id: uuid().nullish(),
};
const createBody = z.object(fields);
const patchBody = z.object({ ...fields, url: fields.url.optional(), disabled: z.boolean().optional() });

/** The body's fields checked against the URL guard, the catalogue and the users; absent ones stay absent. */
async function checkedFields(body: z.infer<typeof patchBody>): Promise<EndpointPatch> {
  const patch: EndpointPatch = {};
  if (body.url !== undefined) {
    const problem = checkEndpointUrl(body.url, { allowPrivate: settings().WEBHOOK_ALLOW_PRIVATE });
    if (problem) throw badRequest(`Invalid endpoint URL: ${problem}.`);
    patch.url = body.url;
  }
  if (body.description !== undefined) patch.description = body.description ?? '';
  if (body.filter_types !== undefined) {
    const unknown = body.filter_types?.find((type) => !isEventType(type));
    if (unknown !== undefined) throw badRequest(`Unknown event type: '${unknown}'.`);
    patch.filter_types = body.filter_types?.length ? [...new Set(body.filter_types)] : null;
  }
  if (body.user_id !== undefined) {
    if (body.user_id !== null && !(await getUser(body.user_id))) throw entityNotFound('User', body.user_id);
    patch.user_id = body.user_id;
  }
  if (body.disabled !== undefined) patch.disabled = body.disabled;
  return patch;
}

const svixQuery = z.object({
  limit: z.coerce.number().int().min(1).max(250).default(50),
  iterator: cappedString(CAP.token).optional(),
  before: dateTimeParam().optional(),
  after: dateTimeParam().optional(),
});
const attemptsQuery = svixQuery.extend({
  status: z.enum(['0', '1', '2', '3']).optional(),
  event_types: z.preprocess(
    (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
    z.array(eventType).max(100),
  ),
});
const statusOf = (code: string | undefined) =>
  (Object.keys(ATTEMPT_STATUS) as AttemptStatus[]).find((status) => String(ATTEMPT_STATUS[status]) === code);

const testBody = z.object({ event_type: eventType.optional() }).nullish();

/** A test message of `type` to this endpoint alone, queued as a manual delivery. */
async function sendTest(endpoint: WebhookEndpoint, ownerId: string, requested: string | undefined) {
  let type = requested ?? DEFAULT_TEST_EVENT;
  if (!isEventType(type)) throw badRequest(`Unknown event type: '${type}'.`);
  if (endpoint.filter_types && !endpoint.filter_types.includes(type)) type = endpoint.filter_types[0]!;
  const now = Date.now();
  const data = { test: true, endpoint_id: endpoint.id, message: 'This is a test event from Open Wearables.' };
  const event = { id: newId('test'), type, userId: null, timestamp: new Date(now).toISOString(), data };
  const test = { ...messageOf(event), owner_id: ownerId };
  try {
    const retentionDays = settings().WEBHOOK_RETENTION_DAYS;
    await putMessage(test, retentionDays, now);
    await setDeliveryState(
      endpoint.id,
      test.id,
      { status: 'pending', attempts: 0, next_at: now },
      retentionDays,
      now,
    );
    await sendJob('webhookDeliveries', deliveryJob, {
      endpoint_id: endpoint.id,
      message_id: test.id,
      user_id: null,
      attempt: 1,
      due_at: now,
      trigger: 'manual',
    });
    await markDispatched(null, test.id);
  } catch (error) {
    logger.error('test event not sent', { error: error as Error, endpointId: endpoint.id });
    throw new HttpError(500, 'Failed to send test event.');
  }
  return { message: 'Test event sent successfully.', message_id: test.id };
}

export const outgoingRoutes = [
  defineRoute({
    method: 'GET',
    path: `${BASE}/event-types`,
    auth: 'NONE',
    tag,
    summary: 'The outgoing webhook event catalogue; group events list their granular series events',
    response: z.array(
      z.object({ name: z.string(), description: z.string(), child_events: z.array(z.string()).nullable() }),
    ),
    handle: async () => eventTypeCatalogue(),
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/endpoints`,
    auth: 'DEV',
    tag,
    summary: 'Register an endpoint (https, public address; optional event type and user filters)',
    status: 201,
    body: createBody,
    response: endpointRead,
    handle: async ({ caller, body }) => {
      const ownerId = ownerOf(caller);
      const checked = await checkedFields(body);
      const endpoint = await createEndpoint(ownerId, {
        url: body.url,
        description: checked.description ?? '',
        filter_types: checked.filter_types ?? null,
        user_id: checked.user_id ?? null,
      });
      return endpointView(endpoint);
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/endpoints`,
    auth: 'DEV',
    tag,
    summary: "The calling developer's endpoints",
    response: z.array(endpointRead),
    handle: async ({ caller }) => (await listEndpoints(ownerOf(caller))).map(endpointView),
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/endpoints/{endpoint_id}`,
    auth: 'DEV',
    tag,
    summary: 'Get an endpoint',
    params: endpointParams,
    response: endpointRead,
    handle: async ({ caller, params }) => endpointView(await ownedEndpoint(caller, params.endpoint_id)),
  }),
  defineRoute({
    method: 'PATCH',
    path: `${BASE}/endpoints/{endpoint_id}`,
    auth: 'DEV',
    tag,
    summary:
      'Update an endpoint (only the fields sent; `user_id: null` removes the user filter; `disabled: false` re-enables)',
    params: endpointParams,
    body: patchBody,
    response: endpointRead,
    handle: async ({ caller, params, body }) => {
      const ownerId = ownerOf(caller);
      const updated = await updateEndpoint(ownerId, params.endpoint_id, await checkedFields(body));
      if (!updated) throw entityNotFound('Endpoint', params.endpoint_id);
      return endpointView(updated);
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${BASE}/endpoints/{endpoint_id}`,
    auth: 'DEV',
    tag,
    summary: 'Delete an endpoint (deliveries still queued for it are dropped)',
    params: endpointParams,
    handle: async ({ caller, params }) => {
      if (!(await deleteEndpoint(ownerOf(caller), params.endpoint_id))) {
        throw entityNotFound('Endpoint', params.endpoint_id);
      }
      return Reply.noContent();
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/endpoints/{endpoint_id}/secret`,
    auth: 'DEV',
    tag,
    summary: "The endpoint's current signing secret (Standard Webhooks, `whsec_...`)",
    params: endpointParams,
    response: z.object({ key: z.string() }),
    handle: async ({ caller, params }) => ({
      key: await endpointSecret(await ownedEndpoint(caller, params.endpoint_id)),
    }),
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/endpoints/{endpoint_id}/secret/rotate`,
    auth: 'DEV',
    tag,
    summary: 'Rotate the signing secret: the previous one keeps signing (a second signature) for 24 hours',
    params: endpointParams,
    handle: async ({ caller, params }) => {
      if (!(await rotateEndpointSecret(ownerOf(caller), params.endpoint_id))) {
        throw entityNotFound('Endpoint', params.endpoint_id);
      }
      return Reply.noContent();
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/endpoints/{endpoint_id}/attempts`,
    auth: 'DEV',
    tag,
    summary: 'Delivery attempts to the endpoint, newest first, each with its message (Svix iterator paging)',
    params: endpointParams,
    query: attemptsQuery,
    response: svixList(attemptRead),
    handle: async ({ caller, params, query }) => {
      const endpoint = await ownedEndpoint(caller, params.endpoint_id);
      const { status, event_types: eventTypes, ...paging } = query;
      const page = await listAttempts(endpoint.id, paging, { status: statusOf(status), eventTypes });
      return { ...page, data: page.data.map(attemptView) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/endpoints/{endpoint_id}/test`,
    auth: 'DEV',
    tag,
    summary:
      'Send a test event to this endpoint only (default `workout.created`, else its first filtered type)',
    params: endpointParams,
    body: testBody,
    response: message.extend({ message_id: z.string() }),
    handle: async ({ caller, params, body }) => {
      const endpoint = await ownedEndpoint(caller, params.endpoint_id);
      return sendTest(endpoint, endpoint.owner_id, body?.event_type);
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/messages`,
    auth: 'DEV',
    tag,
    summary: 'Messages sent (every event, and your test events), newest first (Svix iterator paging)',
    query: svixQuery,
    response: svixList(messageRead),
    handle: async ({ caller, query }) => {
      const page = await listMessages(ownerOf(caller), query);
      return { ...page, data: page.data.map(messageView) };
    },
  }),
];
