import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '#shared/identity/credentials.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { createInvitationCode } from '#shared/identity/invitation-codes.js';
import {
  accountSubject,
  assertNotThrottled,
  backoffMs,
  POLICIES,
  recordFailure,
} from '#shared/identity/throttle.js';
import { createUser } from '#shared/identity/users.js';
import { createDeveloper } from '#shared/store/developers.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { statusOf } from '#test/helpers/status.js';
import { handler } from '../../functions/tokens.js';

/** Review finding 5: 40 wrong passwords, then the right one, gave 200; invitation codes could be guessed freely. */

const PASSWORD = 'correct-horse-battery';

beforeAll(async () => {
  await ensureAdminDeveloper();
});

// The clock stands still, so a block can never lapse while a slow machine works through the attempts.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.parse('2026-11-30T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

async function newAccount(): Promise<string> {
  const email = `dev-${randomUUID()}@example.com`;
  await createDeveloper({ email, password_hash: await hashPassword(PASSWORD) });
  return email;
}

const address = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${randomUUID().slice(0, 4)}`;

async function login(email: string, password: string, sourceIp: string) {
  const result = (await handler(
    httpEvent('POST', '/api/v1/auth/login', { form: { username: email, password }, sourceIp }),
    lambdaContext('tokens'),
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: JSON.parse(result.body ?? 'null'),
  };
}

describe('login backoff', () => {
  it('40 wrong passwords, then the right one: 429 with Retry-After, from any address', async () => {
    const email = await newAccount();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await login(email, `wrong-${i}`, address())).status!);
    expect(statuses.slice(0, POLICIES.loginAccount.free)).toEqual(
      Array(POLICIES.loginAccount.free).fill(401),
    );
    expect(statuses).toContain(429);

    const right = await login(email, PASSWORD, address());
    expect(right.status).toBe(429);
    const retryAfter = Number(right.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(right.body.detail).toMatch(/^Too many failed attempts; retry in \d+ seconds$/);
  });

  it('a success clears the account counter', async () => {
    const email = await newAccount();
    const ip = address();
    for (let i = 0; i < POLICIES.loginAccount.free - 1; i++) await login(email, 'wrong', ip);
    expect((await login(email, PASSWORD, ip)).status).toBe(200);
    for (let i = 0; i < POLICIES.loginAccount.free; i++) {
      expect((await login(email, 'wrong', ip)).status).toBe(401);
    }
  });

  it('one address trying many accounts is blocked, for every account, while other addresses are not', async () => {
    const ip = address();
    for (let i = 0; i < POLICIES.loginAddress.free + 1; i++) {
      await login(`nobody-${randomUUID()}@example.com`, 'guess', ip);
    }
    const email = await newAccount();
    expect((await login(email, PASSWORD, ip)).status).toBe(429);
    expect((await login(email, PASSWORD, address())).status).toBe(200);
  });

  it('the block lapses: backoff doubles from 1 s and is capped at 15 minutes', async () => {
    expect([5, 6, 7, 8, 40].map((n) => backoffMs(n, 5))).toEqual([0, 1_000, 2_000, 4_000, 900_000]);
    const key = { policy: POLICIES.loginAccount, subject: accountSubject(`lapse-${randomUUID()}`) };
    const now = Date.now();
    for (let i = 0; i < 8; i++) await recordFailure([key], now);
    expect(await statusOf(assertNotThrottled([key], now))).toBe(429);
    expect(await statusOf(assertNotThrottled([key], now + backoffMs(8, 5) + 1))).toBe(200);
  });
});

describe('invitation code redeem backoff', () => {
  it('wrong codes from one address end in 429, even for a valid code', async () => {
    const ip = address();
    const user = await createUser({});
    const { code } = await createInvitationCode(user.id, 'dev-1');
    const redeem = async (value: string) =>
      (
        (await handler(
          httpEvent('POST', '/api/v1/invitation-code/redeem', { json: { code: value }, sourceIp: ip }),
          lambdaContext('tokens'),
        )) as APIGatewayProxyStructuredResultV2
      ).statusCode;
    const wrong = code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA';
    for (let i = 0; i < POLICIES.redeemAddress.free; i++) expect(await redeem(wrong)).toBe(404);
    expect(await redeem(wrong)).toBe(404);
    expect(await redeem(code)).toBe(429);
  });
});
