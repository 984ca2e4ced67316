import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import { resetEnvCache } from '#shared/config/env.js';
import { readSandboxConfig, type SandboxConfig, sandboxJwtSecret } from '#shared/sandbox/config.js';
import { ensureTable, startDynamoLocal } from '#shared/sandbox/dynamo.js';
import {
  createHttpApi,
  type HttpApiHandler,
  type HttpApiRoute,
  listenHttp,
} from '#shared/sandbox/http-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#shared/sandbox/local-aws.js';
import { type LocalSqs, type QueueOptions, type SqsHandler, startLocalSqs } from '#shared/sandbox/sqs.js';

/** An SQS-triggered Lambda of the sandbox: its queue (created at start) and its handler. */
export interface SandboxWorker {
  queue: string;
  queueOptions?: QueueOptions;
  /** Imports the handler; called once the environment is set, like a cold start. */
  loadHandler: () => Promise<SqsHandler>;
  batchSize?: number;
}

export interface SandboxOptions {
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** Overrides OW_IN_MEMORY. */
  inMemory?: boolean;
  /** Applied to process.env before the configuration is read (`undefined` deletes a variable). */
  env?: Record<string, string | undefined>;
  /** Use this running DynamoDB Local instead of starting one (the tests share one per run). */
  dynamoEndpoint?: string;
  workers?: SandboxWorker[];
}

export interface Sandbox {
  /** Where this process can reach the API, e.g. http://127.0.0.1:8000. */
  url: string;
  port: number;
  /** API_BASE_URL as the handlers see it. */
  apiBaseUrl: string;
  config: SandboxConfig;
  dynamoEndpoint: string;
  sqs: LocalSqs;
  /** Stops the HTTP server, the pollers, local SQS and DynamoDB Local (when started here). Idempotent. */
  stop(): Promise<void>;
}

const FUNCTIONS_DIR = new URL('../../functions/', import.meta.url);

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
function handlerEnv(config: SandboxConfig, apiBaseUrl: string, endpoints: { dynamo: string; sqs: string }) {
  return {
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
    ADMIN_EMAIL: config.adminEmail,
    ADMIN_PASSWORD: config.adminPassword,
    ADMIN_SECRET_ARN: undefined,
    STAGE: 'local',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL || 'WARN',
    POWERTOOLS_SERVICE_NAME: 'open-wearables',
    // Local Node may be 20; Lambda runs 22. The SDK's upgrade notice is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

async function loadAreaHandlers(areas: string[]): Promise<Record<string, HttpApiHandler>> {
  const entries = await Promise.all(
    areas.map(async (area) => {
      const module = (await import(new URL(`${area}.ts`, FUNCTIONS_DIR).href)) as { handler: HttpApiHandler };
      return [area, module.handler] as const;
    }),
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

async function startWorkers(sqs: LocalSqs, workers: SandboxWorker[]): Promise<void> {
  for (const worker of workers) {
    const queueUrl = await sqs.ensureQueue(worker.queue, worker.queueOptions);
    sqs.startPoller(queueUrl, await worker.loadHandler(), {
      batchSize: worker.batchSize,
      functionName: worker.queue,
    });
  }
}

const reachableUrl = (host: string, port: number) =>
  `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;

/**
 * Starts the whole API on this machine: DynamoDB Local, local SQS, the table, the admin developer, the area
 * handlers behind an API Gateway emulation, and the SQS workers. The port is bound first, so a busy port fails
 * before anything else starts.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  applyEnv(options.env ?? {});
  const config = { ...readSandboxConfig(process.env) };
  if (options.port !== undefined) config.port = options.port;
  if (options.inMemory !== undefined) config.inMemory = options.inMemory;

  const http = await listenHttp(config.port, config.host, starting);
  const stops: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await http.close();
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

    const apiBaseUrl = config.apiBaseUrl ?? `http://localhost:${http.port}`;
    applyEnv(handlerEnv(config, apiBaseUrl, { dynamo: dynamoEndpoint, sqs: sqs.endpoint }));
    resetEnvCache();

    const [httpApi] = await Promise.all([loadHttpApi(), ensureTable(dynamoEndpoint, config.tableName)]);
    const { ensureAdminDeveloper } = await import('#shared/identity/developers.js');
    await ensureAdminDeveloper();
    http.use(httpApi);
    await startWorkers(sqs, options.workers ?? []);

    const url = reachableUrl(config.host, http.port);
    return { url, port: http.port, apiBaseUrl, config, dynamoEndpoint, sqs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
