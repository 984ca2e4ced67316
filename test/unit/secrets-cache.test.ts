import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Secrets Manager cannot run here: its client is replaced by one that answers from `stored` and counts reads. */
const stored = new Map<string, string | undefined>();
const reads: string[] = [];
let failNext = false;
vi.mock('@aws-sdk/client-secrets-manager', () => ({
  GetSecretValueCommand: class {
    constructor(readonly input: { SecretId: string }) {}
  },
  SecretsManagerClient: class {
    async send(command: { input: { SecretId: string } }) {
      reads.push(command.input.SecretId);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (failNext) {
        failNext = false;
        throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      }
      if (!stored.has(command.input.SecretId))
        throw Object.assign(new Error('no such secret'), { name: 'ResourceNotFoundException' });
      return { SecretString: stored.get(command.input.SecretId) };
    }
  },
}));

const { fetchSecretJson, SECRET_CACHE_MS } = await import('#shared/config/secrets.js');

describe('secrets from Secrets Manager (shared/config/secrets.ts)', () => {
  beforeEach(() => {
    reads.length = 0;
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => vi.useRealTimers());

  it('reads a secret once for concurrent callers and reuses it until the cache time has passed', async () => {
    stored.set('arn:a', '{"v":1}');
    const [first, second] = await Promise.all([fetchSecretJson('arn:a'), fetchSecretJson('arn:a')]);
    expect([first, second]).toEqual([{ v: 1 }, { v: 1 }]);
    expect(reads).toEqual(['arn:a']);

    stored.set('arn:a', '{"v":2}');
    vi.setSystemTime(Date.now() + SECRET_CACHE_MS - 1_000);
    expect(await fetchSecretJson('arn:a')).toEqual({ v: 1 });
    vi.setSystemTime(Date.now() + 2_000);
    expect(await fetchSecretJson('arn:a')).toEqual({ v: 2 });
    expect(reads).toEqual(['arn:a', 'arn:a']);
  });

  it('does not keep a failed read: the next call asks again', async () => {
    stored.set('arn:b', '{"v":"b"}');
    failNext = true;
    await expect(fetchSecretJson('arn:b')).rejects.toThrow('throttled');
    expect(await fetchSecretJson('arn:b')).toEqual({ v: 'b' });
    expect(reads).toEqual(['arn:b', 'arn:b']);
  });

  it('refuses a secret that is not JSON without quoting it', async () => {
    stored.set('arn:d', 'supersecret-value');
    const error = await fetchSecretJson('arn:d').catch((e: Error) => e);
    expect((error as Error).message).toBe('secret arn:d is not JSON');
    expect(String((error as Error).stack)).not.toContain('supersecret');
  });

  it('refuses a secret without a string value (a binary secret)', async () => {
    stored.set('arn:c', undefined);
    await expect(fetchSecretJson('arn:c')).rejects.toThrow('secret arn:c is not a string');
  });
});
