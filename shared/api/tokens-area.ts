import * as z from 'zod/mini';
import { teamRoutes } from '#shared/api/team.js';
import { tokensRoutes } from '#shared/api/tokens.js';
import { tokensEnvSchema } from '#shared/config/env.js';
import { invitationEnvSchema } from '#shared/identity/invitation-email.js';

/** The tokens area: developer auth, tokens, API keys, applications, invitation codes, and the team. */
export const tokensAreaRoutes = [...tokensRoutes, ...teamRoutes];

/** Its environment: the bootstrap admin's, and the team invitations' settings. */
export const tokensAreaEnvSchema = z.extend(tokensEnvSchema, invitationEnvSchema.shape);
