import { percentile, startBenchSandbox } from './sandbox.js';

const REQUESTS = 1000;

async function timed(n: number, request: () => Promise<{ status: number }>) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const { status } = await request();
    if (status >= 400) throw new Error(`request failed with ${status}`);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** p50/p99 of two hot routes through the sandbox (real handlers, DynamoDB Local), sequentially. */
export async function benchLatency() {
  const sandbox = await startBenchSandbox();
  try {
    const app = (await sandbox.post('/api/v1/applications', { name: 'bench' }, sandbox.bearer))
      .body as Record<string, string>;
    const userId = await sandbox.createUser();
    const getUser = await timed(REQUESTS, () => sandbox.get(`/api/v1/users/${userId}`));
    const userToken = await timed(REQUESTS, () =>
      sandbox.post(`/api/v1/users/${userId}/token`, { app_id: app.app_id, app_secret: app.app_secret }, {}),
    );
    return [
      { route: 'GET /api/v1/users/{id}', requests: REQUESTS, 'p50 ms': getUser.p50, 'p99 ms': getUser.p99 },
      {
        route: 'POST /api/v1/users/{id}/token',
        requests: REQUESTS,
        'p50 ms': userToken.p50,
        'p99 ms': userToken.p99,
      },
    ];
  } finally {
    await sandbox.stop();
  }
}
