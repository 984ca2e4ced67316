import * as z from 'zod';
import openApi from '#shared/api/openapi.json' with { type: 'json' };
import { apiEnvSchema, env } from '#shared/config/env.js';
import { defineRoute, Reply } from '#shared/http/route.js';

const CDN = 'https://cdn.jsdelivr.net';
const SWAGGER_UI = `${CDN}/npm/swagger-ui-dist@5`;

/**
 * The meta area serves the one HTML page of the API (Swagger UI from a CDN), so its content security policy
 * allows exactly that page's sources; the JSON areas keep the strict default.
 */
export const DOCS_CONTENT_SECURITY_POLICY = {
  'default-src': "'none'",
  'script-src': `${CDN} 'unsafe-inline'`,
  'style-src': `${CDN} 'unsafe-inline'`,
  'img-src': `'self' data: ${CDN}`,
  'connect-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
  sandbox: false,
  'report-to': false,
  'require-trusted-types-for': false,
  'upgrade-insecure-requests': false,
} satisfies Record<string, string | false>;

const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Open Wearables API</title>
<link rel="stylesheet" href="${SWAGGER_UI}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });</script>
</body>
</html>`;

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
    handle: async () => ({ ...openApi, servers: [{ url: env(apiEnvSchema).API_BASE_URL }] }),
  }),
  defineRoute({
    method: 'GET',
    path: '/docs',
    auth: 'NONE',
    tag: 'Meta',
    summary: 'Interactive API documentation (Swagger UI)',
    handle: async () => Reply.html(docsPage),
  }),
];
