import { teamRoutes } from '#shared/api/team.js';
import { tokensRoutes } from '#shared/api/tokens.js';

/** The tokens area: developer auth, tokens, API keys, applications, invitation codes, and the team. */
export const tokensAreaRoutes = [...tokensRoutes, ...teamRoutes];
