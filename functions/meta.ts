import { DOCS_CONTENT_SECURITY_POLICY } from '#shared/api/docs.js';
import { apiPaths, metaRoutes } from '#shared/api/meta.js';
import { createHttpHandler } from '#shared/http/handler.js';

/** Also API Gateway's `$default` route: it knows every path, so it can tell 404 from 405. */
export const handler = createHttpHandler(metaRoutes, {
  knownPaths: apiPaths(),
  contentSecurityPolicy: DOCS_CONTENT_SECURITY_POLICY,
});
