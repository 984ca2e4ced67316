import { startSandbox } from '#shared/sandbox/sandbox.js';

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2);

type Json = Record<string, unknown>;

/** An in-memory sandbox with an admin login, an API key and helpers to call it as an integrator would. */
export async function startBenchSandbox(env: Record<string, string> = {}) {
  const sandbox = await startSandbox({ port: 0, inMemory: true, env });
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${sandbox.url}${path}`, init);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as unknown };
  };
  const login = await call('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: process.env.ADMIN_EMAIL!, password: process.env.ADMIN_PASSWORD! }),
  });
  const bearer = { authorization: `Bearer ${(login.body as Json).access_token}` };
  const json = (body: unknown, headers: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const created = await call('/api/v1/developer/api-keys', json({ name: 'bench' }, bearer));
  const apiKey = { 'x-open-wearables-api-key': (created.body as Json).key as string };

  return {
    url: sandbox.url,
    mobileUrl: sandbox.mobileUrl,
    apiBaseUrl: sandbox.apiBaseUrl,
    stop: sandbox.stop,
    bearer,
    apiKey,
    get: (path: string) => call(path, { headers: apiKey }),
    post: (path: string, body: unknown, headers: Record<string, string> = apiKey) =>
      call(path, json(body, headers)),
    createUser: async () => ((await call('/api/v1/users', json({}, apiKey))).body as Json).id as string,
  };
}

export type BenchSandbox = Awaited<ReturnType<typeof startBenchSandbox>>;
