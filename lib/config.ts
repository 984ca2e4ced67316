import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod/mini';
import { contextBoolean, json, reservedConcurrency } from '#lib/context-values.js';
import { baseEnvSchema, commaList } from '#shared/config/env.js';
import { RATE_SETTINGS } from '#shared/jobs/schedules.js';

const retentionValues = Object.values(RetentionDays).filter(
  (days): days is RetentionDays => typeof days === 'number' && days !== RetentionDays.INFINITE,
);
const isRetention = (days: number) => retentionValues.includes(days);

/** An origin as browsers send it: scheme, host and optional port, nothing after. */
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;
const isOrigin = (origin: string) => origin === '*' || ORIGIN.test(origin);

/** A comma-separated string from `-c`, or an array in cdk.json; `*` allows every origin. */
const corsOrigins = z._default(
  z.pipe(
    z.transform((value) => (typeof value === 'string' ? commaList(value) : value)),
    z.array(z.string().check(z.refine(isOrigin, 'not an origin (scheme://host[:port])'))),
  ),
  [],
);

/** Every OAuth callback and webhook URL is this plus a path: https (providers refuse others), nothing after it. */
function isBaseUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' && !/[?#]/.test(value) && !url.username && !url.password;
}

/** A DynamoDB table name: 3-255 letters, digits, `_`, `-` or `.`. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** A KMS key ARN (single- or multi-Region key), never an alias. */
const KMS_KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** A runtime setting's name: an env variable (README "Settings"). */
const SETTING_NAME = /^[A-Z][A-Z0-9_]{0,99}$/;

/**
 * Runtime settings by env variable name, as the env schemas parse them (strings): `-c settings='{"NAME":value}'` (or
 * an object in cdk.json) and `-c NAME=value`, which wins. Checked per function and stack-wide by lib/settings.ts.
 */
const settingList = z.array(z.string().check(z.maxLength(1024))).check(z.maxLength(100));
const runtimeSettings = z._default(
  z.record(
    z.string().check(z.regex(SETTING_NAME, 'a setting is named like an env variable (A-Z, 0-9, _)')),
    z.pipe(
      z.union([z.string().check(z.maxLength(4096)), z.number(), z.boolean(), settingList]),
      z.transform((value) => (Array.isArray(value) ? value.join(',') : String(value))),
    ),
  ),
  {},
);

/** A DNS name of at least two labels, as API Gateway, CloudFront and Route 53 take it (lower-cased). */
const DOMAIN_NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/i;
const domainName = (key: string) =>
  z.optional(
    z.pipe(
      z
        .string()
        .check(
          z.maxLength(253),
          z.regex(DOMAIN_NAME, `${key} must be a domain name such as api.example.com`),
        ),
      z.transform((name) => name.toLowerCase()),
    ),
  );
const matching = (pattern: RegExp, message: string) =>
  z.optional(z.string().check(z.regex(pattern, message)));
/** An ACM certificate ARN; the region is the fourth field. */
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;
const certificateArn = (key: string) =>
  matching(
    CERTIFICATE_ARN,
    `${key} must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`,
  );

/** `-c key=value` arrives as a string, cdk.json values keep their JSON type: numbers are coerced. */
const contextSchema = z.object({
  stage: z.string().check(z.regex(/^[a-z0-9]{1,20}$/, 'stage must be 1-20 lowercase letters or digits')),
  adminEmail: z._default(z.email(), 'admin@admin.com'),
  /** Subscribed by email to the alarm topic every CloudWatch alarm notifies (lib/observability.ts). */
  alarmEmail: z.optional(z.email('alarmEmail must be an email address')),
  logRetentionDays: z.pipe(
    z._default(
      z.coerce
        .number()
        .check(z.refine(isRetention, `logRetentionDays must be one of ${retentionValues.join(', ')}`)),
      30,
    ),
    z.transform((days) => days as RetentionDays),
  ),
  logLevel: z._default(baseEnvSchema.shape.POWERTOOLS_LOG_LEVEL.def.innerType, 'INFO'),
  /** Public base URL when the API sits behind a custom domain; the execute-api URL otherwise. */
  apiBaseUrl: z.optional(
    z
      .url()
      .check(
        z.refine(
          isBaseUrl,
          'apiBaseUrl must be an https:// URL without query, fragment or credentials (paths are appended to it)',
        ),
      ),
  ),
  apiThrottleRateLimit: z._default(z.coerce.number().check(z.positive()), 100),
  apiThrottleBurstLimit: z._default(z.coerce.number().check(z.int(), z.positive()), 200),
  /** The mobile SDK routes' own throttle: every phone pushes through them, in bursts. */
  mobileThrottleRateLimit: z._default(z.coerce.number().check(z.positive()), 1000),
  mobileThrottleBurstLimit: z._default(z.coerce.number().check(z.int(), z.positive()), 2000),
  reservedConcurrency,
  /**
   * The account's API Gateway CloudWatch Logs role, which the mobile ingress's access logs need (lib/mobile-ingress.ts):
   * the stack sets one (retained on delete); `false` where the account already has one it manages.
   */
  apiGatewayLogsRole: contextBoolean(true),
  /** Outgoing delivery: off, no function is given the events queue, so nothing is emitted (shared/delivery). */
  delivery: contextBoolean(true),
  /** The bus `open-wearables-<stage>` the fan-out puts the events on (lib/delivery.ts; EVENT_BUS_EVENT_TYPES). */
  eventBus: contextBoolean(true),
  /** The S3 data lake the fan-out writes every event to (JSON Lines, gzip) and its Glue table (lib/delivery.ts). */
  dataLake: contextBoolean(false),
  /** The developer dashboard on S3 + CloudFront (lib/dashboard.ts); its origin is allowed by the API's CORS. */
  dashboard: contextBoolean(true),
  /** Bundle the AWS SDK into every function instead of using the nodejs22.x runtime's copy (lib/bundling.ts). */
  bundleAwsSdk: contextBoolean(true),
  /**
   * X-Ray active tracing on every function and the mobile ingress's REST API stage (lib/tracing.ts), and Powertools
   * Tracer in every bundle (lib/bundling.ts).
   */
  tracing: contextBoolean(false),
  /**
   * An existing table the stack uses instead of creating one (lib/storage.ts): the table a destroyed stack retained,
   * or one restored from a backup (README "Lifecycle"). Unset: the stack's own table.
   */
  existingTableName: matching(
    TABLE_NAME,
    'existingTableName must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)',
  ),
  /**
   * The retained KMS key the stored provider tokens and sealed secrets were encrypted under, for a stack re-attached
   * to its data (lib/provider-vault.ts). Unset: the stack's own key.
   */
  existingTokenKeyArn: matching(
    KMS_KEY_ARN,
    'existingTokenKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
  ),
  /** More browser origins the API's CORS allows (`-c corsOrigins=https://a.example,https://b.example`). */
  corsOrigins,
  settings: z.pipe(z.transform(json), runtimeSettings),
  /** The API's custom domain (lib/domain.ts): with `certificateArn`, a regional ACM certificate covering it. */
  domainName: domainName('domainName'),
  certificateArn: certificateArn('certificateArn'),
  /** A Route 53 public zone holding the custom domains: alias records are created in it. */
  hostedZoneId: matching(/^Z[A-Z0-9]{4,32}$/, 'hostedZoneId must be a Route 53 hosted zone id (Z...)'),
  hostedZoneName: domainName('hostedZoneName'),
  /** The dashboard's custom domain: with `dashboardCertificateArn`, a us-east-1 certificate (CloudFront's). */
  dashboardDomainName: domainName('dashboardDomainName'),
  dashboardCertificateArn: certificateArn('dashboardCertificateArn'),
});

type Context = z.infer<typeof contextSchema>;
/** The region of an ACM certificate ARN (validated by the context schema). */
export const certificateRegion = (arn: string) => CERTIFICATE_ARN.exec(arn)?.[1];
const within = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

/** The combinations one key alone cannot refuse; each issue names the key to change. */
function checkCombinations(config: Context, ctx: z.core.$RefinementCtx<Context>): void {
  const issue = (key: keyof Context, message: string) =>
    ctx.addIssue({ code: 'custom', path: [key], message });
  const pairs: Array<[keyof Context, keyof Context]> = [
    ['domainName', 'certificateArn'],
    ['dashboardDomainName', 'dashboardCertificateArn'],
    ['hostedZoneId', 'hostedZoneName'],
  ];
  for (const [a, b] of pairs) {
    if (Boolean(config[a]) !== Boolean(config[b])) {
      issue(config[a] ? b : a, `${a} and ${b} are given together or not at all`);
    }
  }
  if (config.dashboardCertificateArn && certificateRegion(config.dashboardCertificateArn) !== 'us-east-1') {
    issue('dashboardCertificateArn', 'CloudFront takes only certificates of us-east-1 (N. Virginia)');
  }
  if (config.domainName && config.apiBaseUrl) {
    issue('apiBaseUrl', 'apiBaseUrl is https://<domainName> when domainName is given: set one of them');
  }
  if (!config.eventBus && config.settings.EVENT_BUS_EVENT_TYPES !== undefined) {
    issue(
      'settings',
      'EVENT_BUS_EVENT_TYPES chooses what the event bus gets: it needs the bus (eventBus=true)',
    );
  }
  if (config.dashboardDomainName && !config.dashboard) {
    issue('dashboardDomainName', 'dashboardDomainName needs the dashboard (dashboard=true)');
  }
  if (config.dashboardDomainName && config.dashboardDomainName === config.domainName) {
    issue('dashboardDomainName', 'the dashboard and the API need different domain names');
  }
  const zone = config.hostedZoneName;
  if (config.hostedZoneId && zone) {
    const domains = (['domainName', 'dashboardDomainName'] as const).filter((key) => config[key]);
    if (domains.length === 0)
      issue('hostedZoneId', 'a hosted zone is only used with domainName or dashboardDomainName');
    for (const key of domains) {
      if (!within(config[key]!, zone)) issue(key, `${config[key]} is not in the hosted zone ${zone}`);
    }
  }
}

const configSchema = z.pipe(
  contextSchema.check(z.superRefine(checkCombinations)),
  z.transform((config) => ({
    ...config,
    // The public base URL every function, output and the dashboard use.
    apiBaseUrl: config.domainName ? `https://${config.domainName}` : config.apiBaseUrl,
  })),
);

export type AppConfig = z.infer<typeof configSchema>;
export type AppContext = z.input<typeof contextSchema>;

/** `-c settings=` merged with every `-c NAME=value` whose key is named like a setting (that one wins). */
function settingsContext(node: Node): unknown {
  const given = json(node.tryGetContext('settings'));
  const named = Object.entries(node.getAllContext()).filter(([key]) => SETTING_NAME.test(key));
  if (named.length === 0) return given;
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given)))
    return given;
  return { ...given, ...Object.fromEntries(named) };
}

/** A key named like ours (CDK's own have `@`, `:` or `-`): one the stack does not know is a typo, never ignored. */
const CONTEXT_KEY = /^[a-z][A-Za-z0-9]*$/;
const KNOWN_KEYS = new Set([
  ...Object.keys(contextSchema.shape),
  ...Object.values(RATE_SETTINGS).map((rate) => rate.context),
]);

/** Reads and validates the app settings from CDK context; a bad value fails before any construct exists. */
export function readConfig(node: Node): AppConfig {
  const unknown = Object.keys(node.getAllContext()).filter(
    (key) => CONTEXT_KEY.test(key) && !KNOWN_KEYS.has(key),
  );
  if (unknown.length > 0) {
    throw new Error(
      `Invalid CDK context: unknown key ${unknown.join(', ')} (the keys: ${[...KNOWN_KEYS].sort().join(', ')})`,
    );
  }
  const raw: Record<string, unknown> = Object.fromEntries(
    Object.keys(contextSchema.shape).map((key) => [key, node.tryGetContext(key)]),
  );
  raw.settings = settingsContext(node);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid CDK context: ${problems}`);
  }
  return result.data;
}
