import { apiEnvSchema } from '#shared/config/env.js';

/** The admin area's environment: the API's, plus what its routes queue or read. */
export const adminAreaEnvSchema = apiEnvSchema;
