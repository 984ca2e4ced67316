import { startSandbox } from '#shared/sandbox/sandbox.js';

const REQUESTS = 1000;

const fields = async (response: Response) => (await response.json()) as Record<string, string>;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function timed(n: number, request: () => Promise<Response>) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const response = await request();
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`request failed with ${response.status}`);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50).toFixed(2), p99: percentile(samples, 99).toFixed(2) };
}

/** p50/p99 of two hot routes through the sandbox (real handlers, DynamoDB Local), sequentially. */
export async function benchLatency() {
  const sandbox = await startSandbox({ port: 0, inMemory: true });
  try {
    const url = sandbox.url;
    const json = (body: unknown, headers: Record<string, string> = {}) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        username: process.env.ADMIN_EMAIL!,
        password: process.env.ADMIN_PASSWORD!,
      }),
    }).then(fields);
    const bearer = { authorization: `Bearer ${login.access_token}` };
    const key = (
      await fetch(`${url}/api/v1/developer/api-keys`, json({ name: 'bench' }, bearer)).then(fields)
    ).key!;
    const app = await fetch(`${url}/api/v1/applications`, json({ name: 'bench' }, bearer)).then(fields);
    const user = await fetch(
      `${url}/api/v1/users`,
      json({ email: 'bench@example.com' }, { 'x-open-wearables-api-key': key }),
    ).then(fields);

    const getUser = await timed(REQUESTS, () =>
      fetch(`${url}/api/v1/users/${user.id}`, { headers: { 'x-open-wearables-api-key': key } }),
    );
    const userToken = await timed(REQUESTS, () =>
      fetch(`${url}/api/v1/users/${user.id}/token`, json({ app_id: app.app_id, app_secret: app.app_secret })),
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
