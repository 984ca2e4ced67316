import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { QUEUES, SYNC_QUEUES } from '#shared/jobs/queues.js';
import { bearerGet } from '#shared/providers/http.js';
import type { ProviderModule } from '#shared/providers/module.js';
import { upsertConnection } from '#shared/store/connections.js';
import { newRunId, type SyncJob } from '#shared/sync/enqueue.js';
import { userSyncRuns } from '#shared/sync/status-read.js';
import { runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS } from '#shared/sync/worker-deps.js';
import { staticTokens } from '#test/helpers/sync-deps.js';

/**
 * Issue 8 item 4: a provider answering 200 with a body that is not JSON left the run `in_progress` forever. Every
 * failure class now ends the run in a final status with its error once the job's last attempt fails.
 */

const DAY = 86_400_000;
const MAX_RECEIVES = QUEUES[SYNC_QUEUES.ultrahuman].maxReceiveCount;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const provider = (pull: ProviderModule['pull']): ProviderModule => ({
  name: 'ultrahuman',
  identity: async () => ({ providerUserId: null, providerUsername: null }),
  units: (start, end) => [{ key: 'only', start, end }],
  pull,
});

async function connectedUser(): Promise<string> {
  const user = await createUser({});
  await upsertConnection(user.id, 'ultrahuman', {
    provider_user_id: null,
    provider_username: null,
    scope: null,
    tokens: 'sealed',
    token_expires_at: Date.now() + DAY,
  });
  return user.id;
}

function run(userId: string, pull: ProviderModule['pull'], receiveCount: number) {
  const end = Date.UTC(2026, 10, 1);
  const job: SyncJob = {
    run_id: newRunId(),
    user_id: userId,
    provider: 'ultrahuman',
    mode: 'manual',
    source: 'pull',
    window: { start: end - DAY, end },
    from_cursor: false,
    attempt: 0,
  };
  const outcome = runSyncJob(
    job,
    { remainingMs: () => 300_000, receiveCount, receiptHandle: 'local' },
    {
      ...DEFAULT_SYNC_DEPS,
      providers: { ultrahuman: provider(pull) },
      tokens: staticTokens,
      client: async () => bearerGet(baseUrl, 'at'),
    },
  );
  return { job, outcome };
}

const lastRun = async (userId: string) => (await userSyncRuns(userId, 1))[0];

describe('a provider answering garbage', () => {
  it('is retried while attempts remain: the run stays in progress with the error', async () => {
    const userId = await connectedUser();
    const { outcome } = run(userId, (get) => get('/metrics') as never, 1);
    await expect(outcome).rejects.toThrow(/not JSON/);
    expect(await lastRun(userId)).toMatchObject({
      status: 'in_progress',
      error: expect.stringMatching(/not JSON/),
    });
  });

  it('ends the run failed, with the error, on the last attempt', async () => {
    const userId = await connectedUser();
    const { outcome } = run(userId, (get) => get('/metrics') as never, MAX_RECEIVES);
    await expect(outcome).rejects.toThrow(/not JSON/);
    expect(await lastRun(userId)).toMatchObject({
      stage: 'failed',
      status: 'failed',
      error: expect.stringMatching(/not JSON/),
    });
  });

  it('a mapping that breaks on what the provider sent ends the same way', async () => {
    const userId = await connectedUser();
    const broken = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'score')");
    };
    await expect(run(userId, broken, MAX_RECEIVES).outcome).rejects.toThrow(TypeError);
    expect(await lastRun(userId)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('score'),
    });
  });
});
