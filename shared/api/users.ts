import * as z from 'zod/mini';
import { userPageExample } from '#shared/api/examples.js';
import { name100, userIdParams, userPage, userRead } from '#shared/api/schemas.js';
import { defineRoute, Reply } from '#shared/http/route.js';
import { cappedEmail, cappedString } from '#shared/http/validation.js';
import {
  createUser,
  deleteUser,
  listUserPage,
  readableUserId,
  requireUser,
  updateUser,
  userResponse,
} from '#shared/identity/users.js';
import { PROVIDERS } from '#shared/model/provider.js';
import { connectionViews, disconnect, disconnectAndDeleteData } from '#shared/oauth/connections.js';

const userFields = z.object({
  first_name: z.nullish(name100),
  last_name: z.nullish(name100),
  email: z.nullish(cappedEmail()),
  external_user_id: z.nullish(cappedString(255)),
});

const listQuery = z.object({
  page: z._default(z.coerce.number().check(z.int(), z.gte(1)), 1),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  sort_by: z._default(
    z.enum(['created_at', 'email', 'first_name', 'last_name', 'last_synced_at']),
    'created_at',
  ),
  sort_order: z._default(z.enum(['asc', 'desc']), 'desc'),
  search: z.optional(cappedString(255)),
  email: z.optional(cappedEmail()),
  external_user_id: z.optional(cappedString(255)),
});

const tag = 'Users';

const connectionParams = z.extend(userIdParams, { provider: z.enum(PROVIDERS) });

/** `UserConnectionWithCapabilities` (contract 4.3). */
const connectionRead = z
  .object({
    id: z.uuid(),
    user_id: z.uuid(),
    provider: z.string(),
    provider_user_id: z.nullable(z.string()),
    provider_username: z.nullable(z.string()),
    scope: z.nullable(z.string()),
    status: z.enum(['active', 'revoked', 'expired']),
    /** Why a connection was revoked by the provider's side (a deauthorisation, an API gone); null otherwise. */
    status_reason: z.nullable(z.string()),
    last_synced_at: z.nullable(z.iso.datetime()),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    icon_url: z.nullable(z.string()),
    max_historical_days: z.nullable(z.number().check(z.int())),
    rest_pull: z.boolean(),
    webhook_stream: z.boolean(),
    webhook_ping: z.boolean(),
    webhook_callback: z.boolean(),
    live_sync_mode: z.nullable(z.enum(['pull', 'webhook'])),
    linked_user_ids: z.array(z.uuid()),
  })
  .check(z.meta({ id: 'Connection' }));
const connectionList = z.array(connectionRead).check(z.meta({ id: 'ConnectionList' }));

export const usersRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/users',
    auth: 'API',
    tag,
    summary: 'List users (offset pagination, sorting, search)',
    query: listQuery,
    response: userPage,
    doc: { example: userPageExample },
    handle: ({ query }) => listUserPage(query),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/users',
    auth: 'API',
    tag,
    summary: 'Create a user (every field optional; emails are not unique)',
    status: 201,
    body: z._default(userFields, {}),
    response: userRead,
    handle: ({ body }) => createUser(body),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}',
    auth: 'API',
    tag,
    summary: 'Get a user',
    params: userIdParams,
    response: userRead,
    handle: async ({ params }) => userResponse(await requireUser(params.user_id)),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/api/v1/users/{user_id}',
    auth: 'DEV',
    tag,
    summary: 'Update a user (only the fields sent change)',
    params: userIdParams,
    body: z._default(userFields, {}),
    response: userRead,
    handle: ({ params, body }) => updateUser(params.user_id, body),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/users/{user_id}',
    auth: 'API',
    tag,
    summary: 'Delete a user and every item of their data (GDPR erasure; API key or developer)',
    params: userIdParams,
    response: userRead,
    handle: ({ params }) => deleteUser(params.user_id),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/connections',
    auth: 'API',
    tag: 'Connections',
    summary: "List the user's provider connections with capabilities (tokens are never returned)",
    params: userIdParams,
    response: connectionList,
    // An unknown user has no connections: an empty list, not a 404.
    doc: { errors: [400] },
    handle: async ({ params }) => connectionViews(await readableUserId(params.user_id)),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/users/{user_id}/connections/{provider}',
    auth: 'API',
    tag: 'Connections',
    summary: 'Disconnect a provider: status revoked, stored tokens destroyed (idempotent)',
    params: connectionParams,
    handle: async ({ params }) => {
      await disconnect(params.user_id, params.provider, { atProvider: true });
      return Reply.noContent();
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/users/{user_id}/connections/{provider}/data',
    auth: 'API',
    tag: 'Connections',
    summary: "Disconnect a provider and delete all of the user's data from it (other providers untouched)",
    params: connectionParams,
    handle: async ({ params }) => {
      await disconnectAndDeleteData(params.user_id, params.provider);
      return Reply.noContent();
    },
  }),
];
