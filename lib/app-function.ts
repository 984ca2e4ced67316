import { fileURLToPath } from 'node:url';
import {
  AssetHashType,
  DockerImage,
  Duration,
  Stack,
  StringConcat,
  Token,
  Tokenization,
  Validations,
} from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type * as z from 'zod/mini';
import { type BundleSettings, bundleFunction } from '#lib/bundling.js';
import type { AppConfig } from '#lib/config.js';
import { functionSettings } from '#lib/settings.js';
import { type BaseEnv, parseEnv } from '#shared/config/env.js';
import { METRICS_SERVICE } from '#shared/observability.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import {
  EXTRA_TABLE_ACTIONS,
  type ScopedFunction,
  TABLE_READ_ACTIONS,
  TABLE_WRITE_ACTIONS,
} from '#shared/store/write-scopes.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Keys the construct fills itself (base keys, via the config and `bindTable`; secret ARNs, via `bindSecret`;
 * queue URLs, via `bindQueue`) and secret values, which never travel in a Lambda environment.
 */
type ManagedKey =
  | keyof BaseEnv
  | `${string}_SECRET_ARN`
  | `${string}_QUEUE_URL`
  | `${string}_SECRET`
  | `${string}_PASSWORD`;

/** What a caller may pass: the schema's remaining variables, as the strings (or tokens) CDK deploys. */
export type FunctionEnvironment<S extends z.ZodMiniObject> = {
  [K in keyof Omit<z.input<S>, ManagedKey>]: string;
};

/** An env key of the schema naming a bucket (`*_BUCKET`). */
export type BucketNameKey<S extends z.ZodMiniObject> = string extends keyof z.input<S>
  ? `${string}_BUCKET`
  : Extract<keyof z.input<S>, `${string}_BUCKET`>;
export type BucketAction = 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject';

export type SecretArnKey<S extends z.ZodMiniObject> = Extract<keyof z.input<S>, `${string}_SECRET_ARN`>;

/** A queue URL variable of the schema; any `*_QUEUE_URL` when its keys are not known statically (`z.ZodMiniObject`). */
export type QueueUrlKey<S extends z.ZodMiniObject> = string extends keyof z.input<S>
  ? `${string}_QUEUE_URL`
  : Extract<keyof z.input<S>, `${string}_QUEUE_URL`>;

export interface AppFunctionProps<S extends z.ZodMiniObject> {
  /** Entry `functions/<name>.ts`; also the function name suffix. */
  name: string;
  config: Pick<
    AppConfig,
    | 'stage'
    | 'logRetentionDays'
    | 'logLevel'
    | 'reservedConcurrency'
    | 'settings'
    | 'bundleAwsSdk'
    | 'tracing'
  >;
  envSchema: S;
  environment: FunctionEnvironment<S>;
  description?: string;
  memorySize?: number;
  /** Default 29 s: API Gateway gives up on an integration after 30 s. */
  timeout?: Duration;
  /**
   * Files shipped next to the bundle rather than in it, for the handler to read at runtime: path in the bundle
   * -> path under the project root.
   */
  bundleFiles?: Record<string, string>;
}

/**
 * Lambda's application log level: DEBUG when the logger writes DEBUG lines, else INFO. Never above INFO: Lambda
 * files a JSON line without a `level`, such as an embedded-metric line, as INFO, and would drop the metrics.
 */
const lambdaLogLevel = (logLevel: AppConfig['logLevel']) =>
  logLevel === 'DEBUG' ? ApplicationLogLevel.DEBUG : ApplicationLogLevel.INFO;

/**
 * Lets `fn` list `bucket`: without s3:ListBucket, S3 answers the read of a missing object 403 AccessDenied rather than
 * 404 NoSuchKey, and our readers take a missing object for one handled before (a redelivery), not for a failure.
 */
export function grantMissingAsNotFound(fn: LambdaFunction, bucket: IBucket): void {
  fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
}

/**
 * The one Lambda function shape of the project: Node 22 on ARM64, a minified ESM bundle with its lazily loaded
 * chunks (lib/bundling.ts: the AWS SDK bundled unless `-c bundleAwsSdk=false`, Powertools Tracer with
 * `-c tracing=true`) and their source maps, JSON logs into its own log group, and an environment checked at synth
 * time by the same zod schema the handler parses at cold start.
 */
export class AppFunction<S extends z.ZodMiniObject> extends LambdaFunction {
  /** `functions/<entryName>.ts`. */
  readonly entryName: string;
  readonly envSchema: S;
  private readonly declaredEnv: Record<string, string>;

  constructor(scope: Construct, id: string, props: AppFunctionProps<S>) {
    const { name, config, envSchema } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: config.logRetentionDays });
    // Our own role so the function can write to its log group only (instead of AWSLambdaBasicExecutionRole).
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);

    const environment: Record<string, string> = {
      ...(props.environment as Record<string, string>),
      STAGE: config.stage,
      POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
      POWERTOOLS_LOG_LEVEL: config.logLevel,
      // The operator settings its schema has, when given (README "Settings"); unset, the schema's default applies.
      ...functionSettings(scope, config, name, envSchema),
    };

    super(scope, id, {
      functionName: `open-wearables-${config.stage}-${name}`,
      description: props.description,
      code: bundledCode(
        name,
        { bundleAwsSdk: config.bundleAwsSdk, tracing: config.tracing },
        props.bundleFiles,
      ),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      // Undefined when the operator turned reservations off (-c reservedConcurrency=off).
      reservedConcurrentExecutions: config.reservedConcurrency?.[name as ScopedFunction],
      timeout: props.timeout ?? Duration.seconds(29),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: lambdaLogLevel(config.logLevel),
      environment,
    });
    this.declaredEnv = environment;
    this.entryName = name;
    this.envSchema = envSchema;

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is pinned deliberately and matches the esbuild target (node22); moving to nodejs24.x ' +
        'means changing both and re-testing the bundles, a decision a linter should not force.',
    });

    // Validation runs at synth, after every bind* call, so grants and variables are checked together.
    this.node.addValidation({
      validate: () => {
        try {
          parseEnv(
            envSchema,
            Object.fromEntries(
              Object.entries(this.declaredEnv).map(([key, value]) => [key, placeholders(value)]),
            ),
          );
          return [];
        } catch (error) {
          return [(error as Error).message];
        }
      },
    });
  }

  /**
   * Grants reads of the table (and GSI1), the function's `EXTRA_TABLE_ACTIONS` on the table, writes only of the
   * partition keys starting with `writes` (the function's scope, shared/store/write-scopes.ts, as
   * `dynamodb:LeadingKeys`), and sets TABLE_NAME: they never drift apart.
   */
  bindTable(table: ITable, writes: readonly string[]): this {
    const resources = [table.tableArn, `${table.tableArn}/index/${TABLE_KEYS.gsi1.indexName}`];
    this.addToRolePolicy(new PolicyStatement({ actions: TABLE_READ_ACTIONS, resources }));
    const extra = EXTRA_TABLE_ACTIONS[this.entryName as ScopedFunction];
    if (extra)
      this.addToRolePolicy(new PolicyStatement({ actions: [...extra], resources: [table.tableArn] }));
    if (writes.length > 0) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: TABLE_WRITE_ACTIONS,
          resources: [table.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': writes.map((prefix) => `${prefix}*`) },
          },
        }),
      );
    }
    return this.setEnv('TABLE_NAME', table.tableName);
  }

  /**
   * Lets the function read (GetItem only) the items whose partition key starts with one of `prefixes`, and nothing
   * else of the table: the webhook ingress's stored app secrets.
   */
  bindTableItems(table: ITable, prefixes: readonly string[]): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((prefix) => `${prefix}*`) },
        },
      }),
    );
    return this.setEnv('TABLE_NAME', table.tableName);
  }

  /** Grants read on the secret and passes its ARN (never its value) in `key`. */
  bindSecret(secret: ISecret, key: SecretArnKey<S>): this {
    secret.grantRead(this);
    return this.setEnv(key, secret.secretArn);
  }

  /**
   * Lets the function send to `queue` (sqs:SendMessage only: SQS-managed encryption needs no KMS grant) and
   * passes its URL in `key`. The URL is spelled out (it is what the queue's Ref returns) so that the synth-time
   * env check sees a URL rather than one opaque token.
   */
  bindQueue(queue: IQueue, key: QueueUrlKey<S>): this {
    this.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    const { region, account } = queue.env;
    return this.setEnv(
      key,
      `https://sqs.${region}.${Stack.of(queue).urlSuffix}/${account}/${queue.queueName}`,
    );
  }

  /**
   * Grants `actions` on the bucket's objects (every key: object names are unique ids) and passes the bucket name
   * in `key`. The wildcard is acknowledged here, once, for every bucket bound this way.
   */
  bindBucket(bucket: IBucket, key: BucketNameKey<S>, actions: readonly BucketAction[]): this {
    this.addToRolePolicy(
      new PolicyStatement({ actions: [...actions], resources: [bucket.arnForObjects('*')] }),
    );
    const stack = Stack.of(this);
    const objects = `Resource::<${stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnBucket))}.Arn>/*`;
    Validations.of(this.role!).acknowledge({
      id: `AwsSolutions-IAM5[${objects}]`,
      reason: "Objects of a bucket holding only this system's transient payloads, each named by a random id.",
    });
    return this.setEnv(key, bucket.bucketName);
  }

  /** Sets a variable the synth-time check sees too; for a resource whose grant the caller made (lib/delivery.ts). */
  setEnv(key: string, value: string): this {
    this.declaredEnv[key] = value;
    this.addEnvironment(key, value);
    return this;
  }
}

/**
 * The function's code, bundled by esbuild in this process (lib/bundling.ts) and hashed by its output, as
 * `NodejsFunction` does; its single-file command line cannot split code into chunks. Never Docker: the image is
 * required by the type only, since the local build either succeeds or throws.
 */
function bundledCode(name: string, settings: Required<BundleSettings>, files?: Record<string, string>): Code {
  return Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('unused-local-bundling'),
      // Never run; CDK caches bundles by these options (not by `local`), so they must name what is built.
      command: [
        'bundle',
        name,
        `bundleAwsSdk=${settings.bundleAwsSdk}`,
        `tracing=${settings.tracing}`,
        JSON.stringify(files ?? {}),
      ],
      local: {
        tryBundle(outputDir) {
          bundleFunction(projectRoot, name, outputDir, { ...settings, files });
          return true;
        },
      },
    },
  });
}

/**
 * Deploy-time values (`${Token[...]}`) become a plain word, so format checks such as `z.url()` still apply
 * to the literal parts around them: `https://${Token[ApiId]}.execute-api...` is checked as a URL.
 */
function placeholders(value: string): string {
  if (!Token.isUnresolved(value)) return value;
  return Tokenization.reverseString(value)
    .mapTokens({ mapToken: () => 'token' })
    .join(new StringConcat());
}
