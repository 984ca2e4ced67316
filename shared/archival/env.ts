import * as z from 'zod/mini';
import { baseEnvSchema } from '#shared/config/env.js';
import { queueProducerEnv } from '#shared/jobs/queue-env.js';

/** The archival worker: the table, and its own queue for the continuations of a run. */
export const archivalWorkerEnvSchema = z.extend(baseEnvSchema, queueProducerEnv.archival.shape);
