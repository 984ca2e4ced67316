import { oauthRoutes } from '#shared/api/oauth.js';
import { createHttpHandler } from '#shared/http/handler.js';

export const handler = createHttpHandler(oauthRoutes);
