import { syncRoutes } from '#shared/api/sync.js';
import { createHttpHandler } from '#shared/http/handler.js';

export const handler = createHttpHandler(syncRoutes);
