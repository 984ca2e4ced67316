import { webhooksRoutes } from '#shared/api/webhooks.js';
import { createHttpHandler } from '#shared/http/handler.js';

export const handler = createHttpHandler(webhooksRoutes);
