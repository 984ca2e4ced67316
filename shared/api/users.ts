import * as z from 'zod';
import { name100, userIdParams, userRead } from '#shared/api/schemas.js';
import { defineRoute } from '#shared/http/route.js';
import {
  createUser,
  deleteUser,
  listUserPage,
  requireUser,
  updateUser,
  userView,
} from '#shared/identity/users.js';

const userFields = z.object({
  first_name: name100.nullish(),
  last_name: name100.nullish(),
  email: z.email().nullish(),
  external_user_id: z.string().max(255).nullish(),
});

const listQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  sort_by: z.enum(['created_at', 'email', 'first_name', 'last_name', 'last_synced_at']).default('created_at'),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
  search: z.string().optional(),
  email: z.email().optional(),
  external_user_id: z.string().optional(),
});

const tag = 'Users';

export const usersRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/users',
    auth: 'API',
    tag,
    summary: 'List users (offset pagination, sorting, search)',
    query: listQuery,
    response: z.object({ items: z.array(userRead), total: z.number(), page: z.number(), limit: z.number() }),
    handle: ({ query }) => listUserPage(query),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/users',
    auth: 'API',
    tag,
    summary: 'Create a user (every field optional; emails are not unique)',
    status: 201,
    body: userFields.default({}),
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
    handle: async ({ params }) => userView(await requireUser(params.user_id)),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/api/v1/users/{user_id}',
    auth: 'DEV',
    tag,
    summary: 'Update a user (only the fields sent change)',
    params: userIdParams,
    body: userFields.default({}),
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
    summary: "List the user's provider connections (tokens are never returned)",
    params: userIdParams,
    response: z.array(z.object({ id: z.uuid(), provider: z.string(), status: z.string() })),
    handle: async () => [],
  }),
];
