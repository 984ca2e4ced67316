import * as z from 'zod/mini';
import {
  attemptsQuery,
  checkedFields,
  createBody,
  endpointParams,
  ownedEndpoint,
  ownerOf,
  patchBody,
  statusOf,
  svixQuery,
  testBody,
} from '#shared/api/outgoing-input.js';
import { sendTestEvent } from '#shared/api/outgoing-test-event.js';
import {
  attemptRead,
  attemptView,
  endpointRead,
  endpointView,
  messageRead,
  messageView,
  svixList,
} from '#shared/api/outgoing-views.js';
import { message } from '#shared/api/schemas.js';
import { eventTypeCatalogue } from '#shared/delivery/catalogue.js';
import { entityNotFound } from '#shared/http/errors.js';
import { defineRoute, Reply } from '#shared/http/route.js';
import { listAttempts } from '#shared/store/webhook-attempts.js';
import {
  createEndpoint,
  deleteEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
} from '#shared/store/webhook-endpoint-management.js';
import { endpointSecret } from '#shared/store/webhook-endpoints.js';
import { listMessages } from '#shared/store/webhook-messages.js';

/** Integrator webhook management (contract 3.1 routes 44-53, 4.15), plus Svix's secret rotation. */
const tag = 'Outgoing webhooks';
const BASE = '/api/v1/webhooks';

export const outgoingRoutes = [
  defineRoute({
    method: 'GET',
    path: `${BASE}/event-types`,
    auth: 'NONE',
    tag,
    summary: 'The outgoing webhook event catalogue; group events list their granular series events',
    response: z
      .array(
        z.object({
          name: z.string(),
          description: z.string(),
          child_events: z.nullable(z.array(z.string())),
        }),
      )
      .check(z.meta({ id: 'WebhookEventTypes' })),
    handle: async () => eventTypeCatalogue(),
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/endpoints`,
    auth: 'DEV',
    tag,
    doc: { errors: [400, 404, 503] },
    summary:
      'Register an endpoint (https, public address; optional event type and user filters; at most 50 per developer)',
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
    doc: { errors: [503] },
    summary: "The calling developer's endpoints",
    response: z.array(endpointRead).check(z.meta({ id: 'WebhookEndpointList' })),
    handle: async ({ caller }) => (await listEndpoints(ownerOf(caller))).map(endpointView),
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/endpoints/{endpoint_id}`,
    auth: 'DEV',
    tag,
    doc: { errors: [400, 404, 503] },
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
    doc: { errors: [400, 404, 503] },
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
    doc: { errors: [400, 404, 503] },
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
    doc: { errors: [400, 404, 503] },
    summary: "The endpoint's current signing secret (Standard Webhooks, `whsec_...`)",
    params: endpointParams,
    response: z.object({ key: z.string() }).check(z.meta({ id: 'WebhookSecret' })),
    handle: async ({ caller, params }) => ({
      key: await endpointSecret(await ownedEndpoint(caller, params.endpoint_id)),
    }),
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/endpoints/{endpoint_id}/secret/rotate`,
    auth: 'DEV',
    tag,
    doc: { errors: [400, 404, 503] },
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
    doc: { errors: [400, 404, 503] },
    summary: 'Delivery attempts to the endpoint, newest first, each with its message (Svix iterator paging)',
    params: endpointParams,
    query: attemptsQuery,
    response: svixList(attemptRead, 'WebhookAttemptPage'),
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
    doc: { errors: [400, 404, 503] },
    summary:
      'Send a test event to this endpoint only (default `workout.created`, else its first filtered type)',
    params: endpointParams,
    body: testBody,
    response: z
      .object({ ...message.shape, message_id: z.string() })
      .check(z.meta({ id: 'WebhookTestResult' })),
    handle: async ({ caller, params, body }) => {
      const endpoint = await ownedEndpoint(caller, params.endpoint_id);
      return sendTestEvent(endpoint, endpoint.owner_id, body?.event_type);
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/messages`,
    auth: 'DEV',
    tag,
    doc: { errors: [400, 503] },
    summary: 'Messages sent (every event, and your test events), newest first (Svix iterator paging)',
    query: svixQuery,
    response: svixList(messageRead, 'WebhookMessagePage'),
    handle: async ({ caller, query }) => {
      const page = await listMessages(ownerOf(caller), query);
      return { ...page, data: page.data.map(messageView) };
    },
  }),
];
