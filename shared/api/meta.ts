import * as z from 'zod/mini';
import { docsRoutes } from '#shared/api/docs.js';
import { openApiDocument } from '#shared/api/openapi-document.js';
import { env, metaEnvSchema } from '#shared/config/env.js';
import { defineRoute } from '#shared/http/route.js';
import { coverageMatrix, coverageResponse } from '#shared/providers/coverage.js';

/** The document's outline; its full schema is the OpenAPI 3.1 specification's own. */
const openApiDocumentSchema = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    servers: z.array(z.looseObject({ url: z.string() })),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
    components: z.record(z.string(), z.unknown()),
  })
  .check(z.meta({ id: 'OpenApiDocument' }));

const liveness = z.object({ message: z.string() }).check(z.meta({ id: 'Liveness' }));
const GREETING = { message: 'Server is running!' };

/** Every path of the API (for the 404/405 decision of the `$default` route); read at cold start. */
export const apiPaths = () => Object.keys(openApiDocument().paths);

export const metaRoutes = [
  defineRoute({
    method: 'GET',
    path: '/',
    auth: 'NONE',
    tag: 'Meta',
    summary: 'Liveness (in the sandbox, a browser asking for text/html gets the dashboard instead)',
    response: liveness,
    handle: async () => GREETING,
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/health',
    auth: 'NONE',
    tag: 'Meta',
    summary: 'Liveness',
    response: liveness,
    handle: async () => GREETING,
  }),
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    auth: 'NONE',
    tag: 'Meta',
    summary: 'This API as OpenAPI 3.1',
    response: openApiDocumentSchema,
    handle: async () => ({ ...openApiDocument(), servers: [{ url: env(metaEnvSchema).API_BASE_URL }] }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/meta/coverage',
    auth: 'NONE',
    tag: 'Meta',
    summary: 'Provider data coverage matrix (what each provider delivers, read from its mapping code)',
    response: coverageResponse,
    handle: async () => coverageMatrix(),
  }),
  ...docsRoutes,
];
