import { adminRoutes } from '#shared/api/admin.js';
import { adminAreaEnvSchema } from '#shared/api/admin-env.js';
import { dataRoutes } from '#shared/api/data.js';
import { importRoutes } from '#shared/api/imports.js';
import { metaRoutes } from '#shared/api/meta.js';
import { oauthRoutes } from '#shared/api/oauth.js';
import { outgoingRoutes } from '#shared/api/outgoing.js';
import { sdkRoutes } from '#shared/api/sdk.js';
import { syncRoutes } from '#shared/api/sync.js';
import { tokensAreaEnvSchema, tokensAreaRoutes } from '#shared/api/tokens-area.js';
import { usersRoutes } from '#shared/api/users.js';
import { webhooksRoutes } from '#shared/api/webhooks.js';
import { apiEnvSchema, metaEnvSchema } from '#shared/config/env.js';
import { outgoingAreaEnvSchema } from '#shared/delivery/env.js';
import type { Route } from '#shared/http/route.js';
import { sdkAreaEnvSchema } from '#shared/imports/env.js';
import { oauthEnvSchema, usersEnvSchema } from '#shared/oauth/env.js';
import { syncAreaEnvSchema } from '#shared/sync/env.js';
import { webhooksAreaEnvSchema } from '#shared/webhooks/env.js';

/**
 * API areas: one Lambda each (functions/<area>.ts), all routes of an area served by it. The CDK stack,
 * the sandbox, the OpenAPI document and the auth-matrix test all walk this registry.
 */
export const apiAreas = {
  users: usersRoutes,
  tokens: tokensAreaRoutes,
  sdk: [...sdkRoutes, ...importRoutes],
  data: dataRoutes,
  meta: metaRoutes,
  oauth: oauthRoutes,
  sync: syncRoutes,
  webhooks: webhooksRoutes,
  outgoing: outgoingRoutes,
  admin: adminRoutes,
} satisfies Record<string, Route[]>;

export type ApiArea = keyof typeof apiAreas;

/** Each area's environment schema: what its Lambda is given (lib/api.ts) and validates at cold start. */
export const apiAreaEnv = {
  users: usersEnvSchema,
  tokens: tokensAreaEnvSchema,
  sdk: sdkAreaEnvSchema,
  data: apiEnvSchema,
  meta: metaEnvSchema,
  oauth: oauthEnvSchema,
  sync: syncAreaEnvSchema,
  webhooks: webhooksAreaEnvSchema,
  outgoing: outgoingAreaEnvSchema,
  admin: adminAreaEnvSchema,
} satisfies Record<ApiArea, unknown>;

/** The area that also receives API Gateway's `$default` route (unknown paths and methods). */
export const FALLBACK_AREA: ApiArea = 'meta';

export const allRoutes: Route[] = Object.values(apiAreas).flat();
