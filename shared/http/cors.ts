/** CORS of the HTTP API; lib/api.ts configures API Gateway with it and the sandbox emulates it. */
export const CORS_ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'x-open-wearables-api-key',
  'x-api-key',
  'content-encoding',
];
export const CORS_MAX_AGE_SECONDS = 3600;
