import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod';
import { baseEnvSchema } from '#shared/config/env.js';
import { QUEUES } from '#shared/jobs/queues.js';
import { SCHEDULES } from '#shared/jobs/schedules.js';
import { type ScopedFunction, WRITE_SCOPES } from '#shared/store/write-scopes.js';

const retentionValues = Object.values(RetentionDays).filter(
  (days): days is RetentionDays => typeof days === 'number' && days !== RetentionDays.INFINITE,
);

/** Reserved concurrency of each API function: what one area may take of the account's concurrency. */
const API_RESERVED: Record<string, number> = {
  users: 20,
  tokens: 20,
  // The mobile push: every phone of every user, in bursts; the mobile ingress's authorizer sees the same.
  sdk: 100,
  'sdk-authorizer': 100,
  data: 50,
  meta: 10,
  oauth: 20,
  sync: 10,
  // Provider webhooks come in bursts (Garmin batches, a backfill arriving) and must be answered in 2 s (Strava).
  webhooks: 20,
  // Integrator endpoint management: a developer's dashboard, not a hot path.
  outgoing: 10,
};

/**
 * A worker needs at least the concurrent batches its queues may deliver (each queue's `maxConcurrency`) plus one
 * per schedule invoking it; fewer would throttle its own event sources.
 */
function workerReserved(worker: string): number {
  const batches = Object.values(QUEUES)
    .filter((queue) => queue.worker === worker)
    .reduce((sum, queue) => sum + queue.maxConcurrency, 0);
  return batches + Object.values(SCHEDULES).filter((schedule) => schedule.worker === worker).length;
}

export const DEFAULT_RESERVED_CONCURRENCY = Object.fromEntries(
  (Object.keys(WRITE_SCOPES) as ScopedFunction[]).map((name) => [
    name,
    API_RESERVED[name] ?? workerReserved(name),
  ]),
) as Record<ScopedFunction, number>;

const functionNames = Object.keys(WRITE_SCOPES);

/** `-c reservedConcurrency='{"sdk":200}'` (merged over the defaults) or `off`; cdk.json may hold the object. */
const reservedConcurrency = z
  .preprocess(
    (value) => (typeof value === 'string' && value.trim().startsWith('{') ? JSON.parse(value) : value),
    z.union([
      z.literal('off'),
      z
        .record(z.string(), z.coerce.number().int().min(1).max(10_000))
        .refine((given) => Object.keys(given).every((name) => functionNames.includes(name)), {
          message: `reservedConcurrency names functions: ${functionNames.join(', ')}`,
        }),
    ]),
  )
  .default({})
  .transform((value) => (value === 'off' ? null : { ...DEFAULT_RESERVED_CONCURRENCY, ...value }));

/** An on/off setting: `true`/`false` from cdk.json, `'true'`/`'false'` from `-c key=value`. */
const contextBoolean = (fallback: boolean) =>
  z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .default(fallback)
    .transform((value) => value === true || value === 'true');

/** An origin as browsers send it: scheme, host and optional port, nothing after. */
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;

/** A comma-separated string from `-c`, or an array in cdk.json; `*` allows every origin. */
const corsOrigins = z
  .preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((origin) => origin.trim())
            .filter(Boolean)
        : value,
    z.array(
      z
        .string()
        .refine((origin) => origin === '*' || ORIGIN.test(origin), 'not an origin (scheme://host[:port])'),
    ),
  )
  .default([]);

/** A DynamoDB table name: 3-255 letters, digits, `_`, `-` or `.`. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** A KMS key ARN (single- or multi-Region key), never an alias. */
const KMS_KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** `-c key=value` arrives as a string, cdk.json values keep their JSON type: numbers are coerced. */
const contextSchema = z.object({
  stage: z.string().regex(/^[a-z0-9]{1,20}$/, 'stage must be 1-20 lowercase letters or digits'),
  adminEmail: z.email().default('admin@admin.com'),
  /** Subscribed by email to the alarm topic every CloudWatch alarm notifies (lib/observability.ts). */
  alarmEmail: z.email('alarmEmail must be an email address').optional(),
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
  /** The mobile SDK routes' own throttle: every phone pushes through them, in bursts. */
  mobileThrottleRateLimit: z.coerce.number().positive().default(1000),
  mobileThrottleBurstLimit: z.coerce.number().int().positive().default(2000),
  reservedConcurrency,
  /** Outgoing delivery: off, no function is given the events queue, so nothing is emitted (shared/delivery). */
  delivery: contextBoolean(true),
  /** The EventBridge bus `open-wearables-<stage>` the fan-out puts every event on (lib/delivery.ts). */
  eventBus: contextBoolean(true),
  /** The S3 data lake the fan-out writes every event to (JSON Lines, gzip) and its Glue table (lib/delivery.ts). */
  dataLake: contextBoolean(false),
  /** The developer dashboard on S3 + CloudFront (lib/dashboard.ts); its origin is allowed by the API's CORS. */
  dashboard: contextBoolean(true),
  /**
   * An existing table the stack uses instead of creating one (lib/storage.ts): the table a destroyed stack retained,
   * or one restored from a backup (README "Lifecycle"). Unset: the stack's own table.
   */
  existingTableName: z
    .string()
    .regex(TABLE_NAME, 'existingTableName must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)')
    .optional(),
  /**
   * The retained KMS key the stored provider tokens and sealed secrets were encrypted under, for a stack re-attached
   * to its data (lib/provider-vault.ts). Unset: the stack's own key.
   */
  existingTokenKeyArn: z
    .string()
    .regex(KMS_KEY_ARN, 'existingTokenKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)')
    .optional(),
  /** More browser origins the API's CORS allows (`-c corsOrigins=https://a.example,https://b.example`). */
  corsOrigins,
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
