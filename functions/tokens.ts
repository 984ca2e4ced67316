import { tokensAreaRoutes } from '#shared/api/tokens-area.js';
import { createHttpHandler } from '#shared/http/handler.js';

export const handler = createHttpHandler(tokensAreaRoutes);
