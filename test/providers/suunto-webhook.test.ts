import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ProviderRequestError } from '#shared/providers/http.js';
import { suuntoModule } from '#shared/providers/suunto/index.js';
import { handleSuunto, parseSuunto, verifySuunto } from '#shared/providers/suunto/webhook.js';
import type { ProviderGet, PullResult } from '#shared/providers/types.js';
import {
  type NotificationContext,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';
import { flipByte, signedBodyCase } from '#test/helpers/tampering.js';

const SECRET = 'a-notification-secret';
const settings = (name: string) => (name === 'SUUNTO_WEBHOOK_SECRET' ? SECRET : undefined);
const sign = (body: Buffer | string, secret = SECRET) =>
  createHmac('sha256', secret).update(body).digest('hex');

const post = (body: Buffer, signature: string | undefined): WebhookRequest => ({
  method: 'POST',
  headers: { 'x-hmac-sha256-signature': signature },
  query: {},
  body,
  now: Date.now(),
});

const statusOf = (work: () => unknown): number | null => {
  try {
    work();
    return null;
  } catch (error) {
    if (!(error instanceof WebhookRejected)) throw error;
    return error.status;
  }
};

const WORKOUT_CREATED = {
  type: 'WORKOUT_CREATED',
  username: 'runner42',
  workout: { workoutKey: '65a4f1c2e4b0a1b2c3d4e5f6', activityId: 3, startTime: 1702729200000 },
  gear: { name: 'Suunto Vertical' },
};
const ACTIVITY_CREATED = {
  type: 'SUUNTO_247_ACTIVITY_CREATED',
  username: 'runner42',
  samples: [{ timestamp: '2026-05-17T10:00:00.000+02:00', entryData: { HR: 72, StepCount: 140 } }],
};

describe('suunto webhook verification', () => {
  const body = Buffer.from(JSON.stringify(WORKOUT_CREATED));

  it('accepts the hex HMAC-SHA256 of the raw body under SUUNTO_WEBHOOK_SECRET, in either case', () => {
    expect(statusOf(() => verifySuunto(post(body, sign(body)), settings))).toBeNull();
    expect(statusOf(() => verifySuunto(post(body, sign(body).toUpperCase()), settings))).toBeNull();
    expect(suuntoModule.webhook?.settings).toEqual(['SUUNTO_WEBHOOK_SECRET']);
  });

  it('refuses (401) a missing or wrong signature, another secret, a re-serialised body, an unset secret', () => {
    expect(statusOf(() => verifySuunto(post(body, undefined), settings))).toBe(401);
    expect(statusOf(() => verifySuunto(post(body, 'nope'), settings))).toBe(401);
    expect(statusOf(() => verifySuunto(post(body, sign(body, 'other')), settings))).toBe(401);
    const pretty = Buffer.from(JSON.stringify(WORKOUT_CREATED, null, 2));
    expect(statusOf(() => verifySuunto(post(pretty, sign(body)), settings))).toBe(401);
    expect(statusOf(() => verifySuunto(post(body, sign(body)), () => undefined))).toBe(401);
    expect(statusOf(() => verifySuunto(post(body, sign(body, '')), () => ''))).toBe(401);
  });

  it('for any body and secret: the signature verifies, and a flipped byte of body or signature does not', () => {
    fc.assert(
      fc.property(signedBodyCase, ({ body: raw, secret, position, mask }) => {
        const signature = sign(raw, secret);
        const read = (name: string) => (name === 'SUUNTO_WEBHOOK_SECRET' ? secret : undefined);
        expect(statusOf(() => verifySuunto(post(raw, signature), read))).toBeNull();
        const tampered = flipByte(raw, position, mask);
        expect(statusOf(() => verifySuunto(post(tampered, signature), read))).toBe(401);
        const digits = signature.split('');
        const i = position % digits.length;
        digits[i] = digits[i] === '0' ? '1' : '0';
        expect(statusOf(() => verifySuunto(post(raw, digits.join('')), read))).toBe(401);
      }),
    );
  });
});

describe('suunto webhook parsing', () => {
  it('a new workout: one notification for the username, carrying the key to fetch', () => {
    expect(parseSuunto(WORKOUT_CREATED)).toEqual([
      {
        providerUserId: 'runner42',
        kind: 'workout',
        payload: { kind: 'workout', workoutKey: '65a4f1c2e4b0a1b2c3d4e5f6' },
      },
    ]);
    expect(parseSuunto({ ...WORKOUT_CREATED, workout: { workoutId: 651234567 } })[0]?.payload).toEqual({
      kind: 'workout',
      workoutKey: '651234567',
    });
  });

  it('24/7 data: the samples inline, by kind', () => {
    for (const [type, kind] of [
      ['SUUNTO_247_SLEEP_CREATED', 'sleep'],
      ['SUUNTO_247_ACTIVITY_CREATED', 'activity'],
      ['SUUNTO_247_RECOVERY_CREATED', 'recovery'],
    ])
      expect(parseSuunto({ ...ACTIVITY_CREATED, type })).toEqual([
        { providerUserId: 'runner42', kind, payload: { kind, samples: ACTIVITY_CREATED.samples } },
      ]);
  });

  it('routes and unknown types are acknowledged without a notification', () => {
    expect(parseSuunto({ type: 'ROUTE_CREATED', username: 'runner42', route: {} })).toEqual([]);
    expect(parseSuunto({ type: 'SOMETHING_NEW' })).toEqual([]);
  });

  it('refuses (400) bodies of the wrong shape', () => {
    for (const body of [
      null,
      [],
      'WORKOUT_CREATED',
      { username: 'runner42' },
      { ...WORKOUT_CREATED, username: '' },
      { ...WORKOUT_CREATED, username: 42 },
      { ...WORKOUT_CREATED, workout: {} },
      { ...WORKOUT_CREATED, workout: { workoutKey: '../../v3/users' } },
      { ...ACTIVITY_CREATED, samples: 'many' },
      { ...ACTIVITY_CREATED, username: undefined },
    ])
      expect(
        statusOf(() => parseSuunto(body)),
        JSON.stringify(body),
      ).toBe(400);
  });
});

function context(get: ProviderGet) {
  const saved: PullResult[] = [];
  const ctx = {
    get,
    save: async (result: PullResult) => {
      saved.push(result);
    },
  } as unknown as NotificationContext;
  return { ctx, saved };
}

describe('suunto webhook handling', () => {
  const key = '65a4f1c2e4b0a1b2c3d4e5f6';
  const workout = {
    workoutKey: key,
    activityId: 22,
    startTime: 1705309200000,
    totalTime: 1200,
    timeOffsetInMinutes: 60,
    avgSpeed: 3.1,
  };

  it('WORKOUT_CREATED fetches the workout and its samples, then saves them once', async () => {
    const get = vi.fn<ProviderGet>(async (path) =>
      path === `/v3/workouts/${key}`
        ? { error: null, payload: workout, metadata: { ts: '1' } }
        : { error: null, payload: [{ timestamp: 1705309260000, heartRate: 140, speed: 3.2 }], metadata: {} },
    );
    const { ctx, saved } = context(get);
    const handled = await handleSuunto(ctx, parseSuunto(WORKOUT_CREATED)[0]!);
    expect(get.mock.calls.map((c) => c[0])).toEqual([`/v3/workouts/${key}`, `/v2/workout/samples/${key}`]);
    expect(handled).toEqual({ samples: 2, events: 1, scores: 0, skipped: 0 });
    expect(saved).toHaveLength(1);
    expect(saved[0]!.events[0]).toMatchObject({ type: 'trail_running', externalId: key, end: 1705310400000 });
  });

  it('a workout Suunto no longer has (404) is skipped; a refusal of another kind fails the notification', async () => {
    const gone = context(async () => {
      throw new ProviderRequestError(404, '{"error":{"code":"404"}}');
    });
    expect(await handleSuunto(gone.ctx, parseSuunto(WORKOUT_CREATED)[0]!)).toEqual({
      samples: 0,
      events: 0,
      scores: 0,
      skipped: 1,
    });
    expect(gone.saved).toEqual([]);
    const refused = context(async () => ({
      error: { code: '403', description: 'Forbidden' },
      payload: null,
    }));
    await expect(handleSuunto(refused.ctx, parseSuunto(WORKOUT_CREATED)[0]!)).rejects.toThrow(/Forbidden/);
  });

  it('24/7 pushes are mapped and saved without calling Suunto; unusable items are counted', async () => {
    const get = vi.fn<ProviderGet>();
    const { ctx, saved } = context(get);
    const body = {
      ...ACTIVITY_CREATED,
      samples: [...ACTIVITY_CREATED.samples, { timestamp: 'soon', entryData: { HR: 70 } }],
    };
    expect(await handleSuunto(ctx, parseSuunto(body)[0]!)).toEqual({
      samples: 2,
      events: 0,
      scores: 0,
      skipped: 1,
    });
    expect(get).not.toHaveBeenCalled();
    expect(saved[0]!.series.map((s) => s.series).sort()).toEqual(['heart_rate', 'steps']);
  });
});
