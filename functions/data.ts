import { dataRoutes } from '#shared/api/data.js';
import { createHttpHandler } from '#shared/http/handler.js';

export const handler = createHttpHandler(dataRoutes);
