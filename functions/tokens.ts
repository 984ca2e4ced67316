import { tokensRoutes } from '#shared/api/tokens.js';
import { createHttpHandler } from '#shared/http/handler.js';

export const handler = createHttpHandler(tokensRoutes);
