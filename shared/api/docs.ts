import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineRoute, Reply } from '#shared/http/route.js';

const JAVASCRIPT = 'application/javascript; charset=utf-8';

/** Files of swagger-ui-dist served under `/docs/`, with their content types. */
export const DOCS_ASSETS = {
  'swagger-ui-bundle.js': JAVASCRIPT,
  'swagger-ui.css': 'text/css; charset=utf-8',
} as const;

type DocsAsset = keyof typeof DOCS_ASSETS;

/** Where lib/api.ts copies DOCS_ASSETS in the meta bundle: they are read from disk, never bundled into the JS. */
export const DOCS_ASSETS_DIR = 'docs-assets';

/**
 * The content security policy of the meta area, which serves the one HTML page of the API: that page loads
 * only its own scripts, styles and `data:` images (Swagger UI's CSS uses some), no inline script, no other
 * origin. Styles need no 'unsafe-inline': Swagger UI sets them through the DOM, which `style-src` does not
 * govern. The JSON areas keep the strict default.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// The empty data: icon spares the browser a /favicon.ico request that would be a 404.
const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Open Wearables API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

// Without `validatorUrl: null` Swagger UI shows a badge image from validator.swagger.io, sending it our URL.
const initScript = `SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', validatorUrl: null });\n`;

// The asset URLs carry no version, so a day rather than forever: an upgrade reaches browsers by the next day.
const CACHE_CONTROL = 'public, max-age=86400';

/** On Lambda the files sit next to the bundle; in the sandbox and the tests, in node_modules. */
function assetsDir(): string {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot) return join(taskRoot, DOCS_ASSETS_DIR);
  return dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')));
}

const loaded = new Map<DocsAsset, { identity: Buffer; gzip: Buffer }>();

function load(file: DocsAsset) {
  let asset = loaded.get(file);
  if (!asset) {
    const identity = readFileSync(join(assetsDir(), file));
    asset = { identity, gzip: gzipSync(identity) };
    loaded.set(file, asset);
  }
  return asset;
}

/** Whether `accept-encoding` lists gzip without `q=0`. */
function acceptsGzip(acceptEncoding = ''): boolean {
  return acceptEncoding.split(',').some((entry) => {
    const [coding, ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    return coding === 'gzip' && !params.some((param) => /^q=0(\.0*)?$/.test(param));
  });
}

// API Gateway HTTP APIs do not compress responses, and the Swagger UI bundle is about 1.5 MB.
function assetReply(file: DocsAsset, acceptEncoding: string | undefined): Reply {
  const { identity, gzip } = load(file);
  const headers = {
    'content-type': DOCS_ASSETS[file],
    'cache-control': CACHE_CONTROL,
    vary: 'accept-encoding',
  };
  return acceptsGzip(acceptEncoding)
    ? new Reply(200, gzip, { ...headers, 'content-encoding': 'gzip' })
    : new Reply(200, identity, headers);
}

export const docsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/docs',
    auth: 'NONE',
    tag: 'Meta',
    summary: 'Interactive API documentation (Swagger UI)',
    doc: { mediaTypes: ['text/html'] },
    handle: async () => Reply.html(docsPage),
  }),
  defineRoute({
    method: 'GET',
    path: '/docs/init.js',
    auth: 'NONE',
    tag: 'Meta',
    summary: 'Script of the documentation page',
    doc: { mediaTypes: [JAVASCRIPT] },
    handle: async () =>
      new Reply(200, initScript, { 'content-type': JAVASCRIPT, 'cache-control': CACHE_CONTROL }),
  }),
  ...(Object.keys(DOCS_ASSETS) as DocsAsset[]).map((file) =>
    defineRoute({
      method: 'GET',
      path: `/docs/${file}`,
      auth: 'NONE',
      tag: 'Meta',
      summary: `Swagger UI file ${file}`,
      doc: { mediaTypes: [DOCS_ASSETS[file]] },
      handle: async ({ headers }) => assetReply(file, headers['accept-encoding']),
    }),
  ),
];
