import { usersRoutes } from '#shared/api/users.js';
import { createHttpHandler } from '#shared/http/handler.js';

export const handler = createHttpHandler(usersRoutes);
