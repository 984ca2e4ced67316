import type { Route } from '#shared/http/route.js';

/** Team management (contract 4.16): developers and invitations. Served by the tokens area. */
export const teamRoutes: Route[] = [];
