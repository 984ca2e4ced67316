import { metaRoutes } from '#shared/api/meta.js';
import { tokensRoutes } from '#shared/api/tokens.js';
import { usersRoutes } from '#shared/api/users.js';
import type { Route } from '#shared/http/route.js';

/**
 * API areas: one Lambda each (functions/<area>.ts), all routes of an area served by it. The CDK stack,
 * the sandbox, the OpenAPI document and the auth-matrix test all walk this registry.
 */
export const apiAreas = {
  users: usersRoutes,
  tokens: tokensRoutes,
  meta: metaRoutes,
} satisfies Record<string, Route[]>;

export type ApiArea = keyof typeof apiAreas;

/** The area that also receives API Gateway's `$default` route (unknown paths and methods). */
export const FALLBACK_AREA: ApiArea = 'meta';

export const allRoutes: Route[] = Object.values(apiAreas).flat();
