import { allRoutes } from '#shared/api/index.js';
import { DOCS_CONTENT_SECURITY_POLICY, metaRoutes } from '#shared/api/meta.js';
import { createHttpHandler } from '#shared/http/handler.js';

/** Also API Gateway's `$default` route: it knows every route, so it can tell 404 from 405. */
export const handler = createHttpHandler(metaRoutes, {
  knownRoutes: allRoutes,
  contentSecurityPolicy: DOCS_CONTENT_SECURITY_POLICY,
});
