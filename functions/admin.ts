import { adminRoutes } from '#shared/api/admin.js';
import { createHttpHandler } from '#shared/http/handler.js';

export const handler = createHttpHandler(adminRoutes);
