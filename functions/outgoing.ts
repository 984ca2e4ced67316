import { outgoingRoutes } from '#shared/api/outgoing.js';
import { createHttpHandler } from '#shared/http/handler.js';

export const handler = createHttpHandler(outgoingRoutes);
