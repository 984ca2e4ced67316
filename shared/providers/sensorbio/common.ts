import { accountSource } from '#shared/providers/output.js';

/** The API names no device; the reference writes "Sensor Bio" as source name and no device model. */
export const SENSORBIO_SOURCE = accountSource('sensorbio', 'Sensor Bio');
