import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod';
import { baseEnvSchema } from '#shared/config/env.js';

const retentionValues = Object.values(RetentionDays).filter(
  (days): days is RetentionDays => typeof days === 'number' && days !== RetentionDays.INFINITE,
);

/** `-c key=value` arrives as a string, cdk.json values keep their JSON type: numbers are coerced. */
const contextSchema = z.object({
  stage: z.string().regex(/^[a-z0-9]{1,20}$/, 'stage must be 1-20 lowercase letters or digits'),
  adminEmail: z.email().default('admin@admin.com'),
  logRetentionDays: z.coerce
    .number()
    .refine((days) => retentionValues.includes(days), {
      message: `logRetentionDays must be one of ${retentionValues.join(', ')}`,
    })
    .default(30)
    .transform((days) => days as RetentionDays),
  logLevel: baseEnvSchema.shape.POWERTOOLS_LOG_LEVEL.unwrap().default('INFO'),
  /** Public base URL when the API sits behind a custom domain; the execute-api URL otherwise. */
  apiBaseUrl: z.url().optional(),
  apiThrottleRateLimit: z.coerce.number().positive().default(100),
  apiThrottleBurstLimit: z.coerce.number().int().positive().default(200),
});

export type AppConfig = z.infer<typeof contextSchema>;
export type AppContext = z.input<typeof contextSchema>;

/** Reads and validates the app settings from CDK context; a bad value fails before any construct exists. */
export function readConfig(node: Node): AppConfig {
  const raw = Object.fromEntries(
    Object.keys(contextSchema.shape).map((key) => [key, node.tryGetContext(key)]),
  );
  const result = contextSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid CDK context: ${problems}`);
  }
  return result.data;
}
