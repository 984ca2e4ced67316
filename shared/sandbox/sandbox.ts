import { mkdtemp, rm } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetEnvCache } from '#shared/config/env.js';
import type { QueueName } from '#shared/jobs/queues.js';
import {
  readSandboxConfig,
  type SandboxConfig,
  sandboxJwtSecret,
  sandboxTokenKey,
} from '#shared/sandbox/config.js';
import { withDashboard } from '#shared/sandbox/dashboard.js';
import { ensureTable, startDynamoLocal } from '#shared/sandbox/dynamo.js';
import { loadHandler } from '#shared/sandbox/functions.js';
import {
  createHttpApi,
  type HttpApiHandler,
  type HttpApiRoute,
  listenHttp,
} from '#shared/sandbox/http-server.js';
import {
  createQueues,
  queueUrlEnv,
  type SandboxQueue,
  startSchedules,
  startWorkers,
} from '#shared/sandbox/jobs.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#shared/sandbox/local-aws.js';
import { localBucketEnv, notifyObjectsCreated, withLocalBucket } from '#shared/sandbox/local-bucket.js';
import { type AuthorizerHandler, createMobileIngress } from '#shared/sandbox/mobile-ingress.js';
import { type LocalSqs, startLocalSqs } from '#shared/sandbox/sqs.js';

export interface SandboxOptions {
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** Overrides MOBILE_PORT; 0 picks a free port. */
  mobilePort?: number;
  /** Overrides OW_IN_MEMORY. */
  inMemory?: boolean;
  /** Applied to process.env before the configuration is read (`undefined` deletes a variable). */
  env?: Record<string, string | undefined>;
  /** Use this running DynamoDB Local instead of starting one (the tests share one per run). */
  dynamoEndpoint?: string;
  /** The demo providers run (`npm start -- --demo`): the dashboard offers to connect a demo user. */
  demo?: boolean;
}

export interface Sandbox {
  /** Where this process can reach the API, e.g. http://127.0.0.1:8000. */
  url: string;
  port: number;
  /** The mobile ingress (lib/mobile-ingress.ts), e.g. http://127.0.0.1:8001: the base URL for the mobile SDKs. */
  mobileUrl: string;
  /** API_BASE_URL as the handlers see it. */
  apiBaseUrl: string;
  config: SandboxConfig;
  dynamoEndpoint: string;
  sqs: LocalSqs;
  /** Every queue of shared/jobs/queues.ts; its URL is also in the queue's `urlVariable`. */
  queues: Record<QueueName, SandboxQueue>;
  /**
   * Stops the HTTP server, the schedule timers, the pollers, local SQS and DynamoDB Local (when started here).
   * Idempotent.
   */
  stop(): Promise<void>;
}

const starting: RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end(JSON.stringify({ detail: 'The sandbox is starting' }));
};

function applyEnv(overrides: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** What the Lambda functions find in their environment on AWS, pointed at the local emulators. */
function handlerEnv(
  config: SandboxConfig,
  apiBaseUrl: string,
  endpoints: { dynamo: string; sqs: string },
  objectsDir: string,
) {
  return {
    OBJECTS_DIR: objectsDir,
    WEBHOOK_BODIES_BUCKET: 'webhook-bodies',
    // The mobile ingress's uploads bucket, which POST /settings/seed also writes to.
    SDK_UPLOADS_BUCKET: UPLOADS_BUCKET,
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED || 'true',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamo,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    TABLE_NAME: config.tableName,
    API_BASE_URL: apiBaseUrl,
    JWT_SECRET: process.env.JWT_SECRET || sandboxJwtSecret(config),
    JWT_SECRET_ARN: undefined,
    TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY || sandboxTokenKey(config),
    TOKEN_KMS_KEY_ID: undefined,
    PROVIDER_CREDENTIALS_SECRET_ARN: undefined,
    ADMIN_EMAIL: config.adminEmail,
    ADMIN_PASSWORD: config.adminPassword,
    ADMIN_SECRET_ARN: undefined,
    STAGE: 'local',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL || 'WARN',
    POWERTOOLS_SERVICE_NAME: 'open-wearables',
    // Local Node may be 20; Lambda runs 22. The SDK's upgrade notice is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Integrator endpoints on this machine (http://localhost receivers) are the point of a local setup.
    WEBHOOK_ALLOW_PRIVATE: config.webhookAllowPrivate ? 'true' : 'false',
    // Every bus put is recorded in the object folder (shared/delivery/event-bus.ts).
    EVENT_BUS_NAME: 'local',
    LAKE_BUCKET: config.dataLake ? 'lake' : undefined,
  };
}

async function loadAreaHandlers(areas: string[]): Promise<Record<string, HttpApiHandler>> {
  const entries = await Promise.all(
    areas.map(async (area) => [area, await loadHandler<HttpApiHandler>(area)] as const),
  );
  return Object.fromEntries(entries);
}

/** The HTTP API itself: imported only now, so that module-level singletons see the sandbox environment. */
async function loadHttpApi(): Promise<RequestListener> {
  const { apiAreas, FALLBACK_AREA } = await import('#shared/api/index.js');
  const routes: HttpApiRoute[] = Object.entries(apiAreas).flatMap(([area, areaRoutes]) =>
    areaRoutes.map((route) => ({ method: route.method, path: route.path, area })),
  );
  const handlers = await loadAreaHandlers(Object.keys(apiAreas));
  return createHttpApi({ routes, handlers, fallbackArea: FALLBACK_AREA });
}

/** The local stand-in of the uploads bucket (a folder of OBJECTS_DIR). */
const UPLOADS_BUCKET = 'uploads';

/** The mobile ingress in front of `httpApi`: uploads land in the object folder and notify the sdk-uploads queue. */
async function loadMobileIngress(httpApi: RequestListener, sqs: LocalSqs, queueUrl: string) {
  const [{ SendMessageCommand }, { MAX_UPLOAD_BYTES, notificationFor, uploadKey }, { objectStore }] =
    await Promise.all([
      import('@aws-sdk/client-sqs'),
      import('#shared/ingest/sdk-uploads.js'),
      import('#shared/store/objects.js'),
    ]);
  return createMobileIngress({
    authorizer: await loadHandler<AuthorizerHandler>('sdk-authorizer'),
    forward: httpApi,
    maxBodyBytes: MAX_UPLOAD_BYTES,
    accept: async (userId, requestId, body) => {
      const key = uploadKey(userId, requestId);
      await objectStore().put(UPLOADS_BUCKET, key, body);
      const notification = JSON.stringify(notificationFor(UPLOADS_BUCKET, key));
      await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: notification }));
    },
  });
}

const reachableUrl = (host: string, port: number) =>
  `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;

/**
 * Starts the whole API on this machine: DynamoDB Local, local SQS with the queues of shared/jobs/queues.ts, the
 * table, the admin developer, the area handlers behind an API Gateway emulation (the dashboard in front of it,
 * shared/sandbox/dashboard.ts), a poller feeding each queue's worker, and a timer per schedule of
 * shared/jobs/schedules.ts. The port is bound first, so a busy port fails before anything else starts.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  applyEnv(options.env ?? {});
  const config = { ...readSandboxConfig(process.env) };
  if (options.port !== undefined) {
    config.port = options.port;
    if (!process.env.MOBILE_PORT) config.mobilePort = options.port === 0 ? 0 : options.port + 1;
  }
  if (options.mobilePort !== undefined) config.mobilePort = options.mobilePort;
  if (options.inMemory !== undefined) config.inMemory = options.inMemory;

  const http = await listenHttp(config.port, config.host, starting);
  const mobile = await listenHttp(config.mobilePort, config.host, starting).catch(async (error) => {
    await http.close();
    throw new Error(String(error.message).replace('PORT=', 'MOBILE_PORT='));
  });
  const stops: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.all([http.close(), mobile.close()]);
      for (const stopOne of stops.reverse()) await stopOne().catch((error) => console.error(error));
    })();
    return stopping;
  };

  try {
    let dynamoEndpoint = options.dynamoEndpoint;
    if (!dynamoEndpoint) {
      const dynamo = await startDynamoLocal({
        dataDir: config.inMemory ? undefined : join(config.dataDir, 'dynamodb'),
      });
      stops.push(dynamo.stop);
      dynamoEndpoint = dynamo.endpoint;
    }
    const sqs = await startLocalSqs();
    stops.push(sqs.stop);
    const queues = await createQueues(sqs);

    const objectsDir = config.inMemory
      ? await mkdtemp(join(tmpdir(), 'ow-objects-'))
      : join(config.dataDir, 'objects');
    if (config.inMemory) stops.push(() => rm(objectsDir, { recursive: true, force: true }));

    // Before any handler module is imported, as on a cold start.
    const apiBaseUrl = config.apiBaseUrl ?? `http://localhost:${http.port}`;
    applyEnv({
      ...handlerEnv(config, apiBaseUrl, { dynamo: dynamoEndpoint, sqs: sqs.endpoint }, objectsDir),
      ...queueUrlEnv(queues),
      ...localBucketEnv(apiBaseUrl),
    });
    resetEnvCache();

    const [httpApi] = await Promise.all([loadHttpApi(), ensureTable(dynamoEndpoint, config.tableName)]);
    const { ensureAdminDeveloper } = await import('#shared/identity/developers.js');
    await ensureAdminDeveloper();
    http.use(withLocalBucket(withDashboard(httpApi, { demo: options.demo ?? false })));
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    stops.push(
      await notifyObjectsCreated(async (body) => {
        await sqs.client.send(
          new SendMessageCommand({ QueueUrl: queues.appleImports.url, MessageBody: body }),
        );
      }),
    );
    mobile.use(await loadMobileIngress(httpApi, sqs, queues.sdkUploads.url));
    // Pollers stop with local SQS; the timers first (pushed last, stopped first), while SQS and DynamoDB are up.
    await startWorkers(sqs, queues);
    stops.push(...(await startSchedules(config)));

    const url = reachableUrl(config.host, http.port);
    const mobileUrl = reachableUrl(config.host, mobile.port);
    return { url, port: http.port, mobileUrl, apiBaseUrl, config, dynamoEndpoint, sqs, queues, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
