import { importRoutes } from '#shared/api/imports.js';
import { sdkRoutes } from '#shared/api/sdk.js';
import { createHttpHandler } from '#shared/http/handler.js';

export const handler = createHttpHandler([...sdkRoutes, ...importRoutes]);
