import * as z from 'zod';
import { docsRoutes } from '#shared/api/docs.js';
import openApi from '#shared/api/openapi.json' with { type: 'json' };
import { env, metaEnvSchema } from '#shared/config/env.js';
import { defineRoute } from '#shared/http/route.js';

/** Every path of the API (for the 404/405 decision of the `$default` route). */
export const API_PATHS = Object.keys(openApi.paths);

export const metaRoutes = [
  defineRoute({
    method: 'GET',
    path: '/',
    auth: 'NONE',
    tag: 'Meta',
    summary: 'Liveness',
    response: z.object({ message: z.string() }),
    handle: async () => ({ message: 'Server is running!' }),
  }),
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    auth: 'NONE',
    tag: 'Meta',
    summary: 'This API as OpenAPI 3.1',
    handle: async () => ({ ...openApi, servers: [{ url: env(metaEnvSchema).API_BASE_URL }] }),
  }),
  ...docsRoutes,
];
