import { describe, expect, it } from 'vitest';
import { TransientProviderError, UnauthorizedError } from '#shared/providers/http.js';
import { handleStravaEvent, parseStravaEvent } from '#shared/providers/strava/webhook.js';
import type { WebhookNotification } from '#shared/providers/webhook-types.js';
import { STRAVA_CREATE as CREATE, STRAVA_DEAUTH as DEAUTH } from '#test/fixtures/strava-events.js';
import { recordingContext } from '#test/helpers/notification-context.js';

const DETAIL = {
  resource_state: 3,
  athlete: { id: 134815, resource_state: 1 },
  id: 10349817350,
  type: 'Run',
  sport_type: 'TrailRun',
  start_date: '2024-01-15T08:00:00Z',
  utc_offset: 3600.0,
  elapsed_time: 3720,
  moving_time: 3600,
  calories: 745.0,
};

const fakeContext = (answers: Record<string, () => unknown>) =>
  recordingContext(answers, {
    scope: 'activity:read_all,profile:read_all',
    notFoundBody: '{"message":"Record Not Found"}',
  });

const notification = (event: object): WebhookNotification => parseStravaEvent(event)[0]!;
const ACTIVITY = '/activities/10349817350';

describe('strava handle', () => {
  it('create: fetches the activity and saves it', async () => {
    const fake = fakeContext({ [ACTIVITY]: () => DETAIL });
    expect(await handleStravaEvent(fake.context, notification(CREATE))).toEqual({
      samples: 0,
      events: 1,
      scores: 0,
      skipped: 0,
    });
    expect(fake.calls).toEqual([ACTIVITY]);
    expect(fake.saved).toHaveLength(1);
    expect(fake.saved[0]!.events[0]).toMatchObject({
      externalId: '10349817350',
      type: 'trail_running',
      start: Date.UTC(2024, 0, 15, 8),
      details: { energy_burned: 745 },
    });
  });

  it('update: saves the new version under the same external id (the store replaces it)', async () => {
    const edited = { ...DETAIL, sport_type: 'Hike', elapsed_time: 4000 };
    const fake = fakeContext({ [ACTIVITY]: () => edited });
    const result = await handleStravaEvent(
      fake.context,
      notification({ ...CREATE, aspect_type: 'update', updates: { type: 'Hike' } }),
    );
    expect(result.events).toBe(1);
    expect(fake.saved[0]!.events[0]).toMatchObject({
      externalId: '10349817350',
      type: 'hiking',
      end: Date.UTC(2024, 0, 15, 8) + 4_000_000,
    });
  });

  it('create/update of an activity gone since (404) is counted skipped', async () => {
    const fake = fakeContext({});
    expect(await handleStravaEvent(fake.context, notification(CREATE))).toEqual({
      samples: 0,
      events: 0,
      scores: 0,
      skipped: 1,
    });
    expect(fake.saved).toEqual([]);
  });

  it('saves nothing for another athlete’s activity or a malformed one', async () => {
    for (const body of [
      { ...DETAIL, athlete: { id: 999 } },
      { ...DETAIL, athlete: undefined },
      { ...DETAIL, start_date: null },
    ]) {
      const fake = fakeContext({ [ACTIVITY]: () => body });
      expect((await handleStravaEvent(fake.context, notification(CREATE))).skipped).toBe(1);
      expect(fake.saved).toEqual([]);
    }
  });

  it('passes other provider errors on (the worker retries them)', async () => {
    const fake = fakeContext({
      [ACTIVITY]: () => {
        throw new TransientProviderError('strava answered 503');
      },
    });
    await expect(handleStravaEvent(fake.context, notification(CREATE))).rejects.toThrow(
      TransientProviderError,
    );
  });

  it('delete confirmed by Strava (404): removes the workout', async () => {
    const fake = fakeContext({});
    const result = await handleStravaEvent(fake.context, notification({ ...CREATE, aspect_type: 'delete' }));
    expect(fake.calls).toEqual([ACTIVITY]);
    expect(fake.removed).toEqual(['workout:10349817350']);
    expect(result).toEqual({ samples: 0, events: 1, scores: 0, skipped: 0 });
  });

  it('forged delete (the activity still exists): removes nothing', async () => {
    const fake = fakeContext({ [ACTIVITY]: () => DETAIL });
    const result = await handleStravaEvent(fake.context, notification({ ...CREATE, aspect_type: 'delete' }));
    expect(fake.removed).toEqual([]);
    expect(result.skipped).toBe(1);
  });

  it('deauthorisation confirmed (Strava refuses the token): revokes the connection', async () => {
    const fake = fakeContext({
      '/athlete': () => {
        throw new UnauthorizedError('token rejected after refresh');
      },
    });
    expect(await handleStravaEvent(fake.context, notification(DEAUTH))).toEqual({
      samples: 0,
      events: 0,
      scores: 0,
      skipped: 0,
    });
    expect(fake.calls).toEqual(['/athlete']);
    expect(fake.revoked).toEqual(['deauthorized']);
  });

  it('also takes an athlete delete as a deauthorisation, confirmed the same way', async () => {
    const fake = fakeContext({
      '/athlete': () => {
        throw new UnauthorizedError('no');
      },
    });
    await handleStravaEvent(fake.context, notification({ ...DEAUTH, aspect_type: 'delete', updates: {} }));
    expect(fake.revoked).toEqual(['deauthorized']);
  });

  it('forged deauthorisation (the token still works): revokes nothing', async () => {
    const fake = fakeContext({ '/athlete': () => ({ id: 134815 }) });
    const result = await handleStravaEvent(fake.context, notification(DEAUTH));
    expect(fake.revoked).toEqual([]);
    expect(result.skipped).toBe(1);
  });

  it('ignores other athlete updates without calling Strava', async () => {
    const fake = fakeContext({});
    const result = await handleStravaEvent(
      fake.context,
      notification({ ...DEAUTH, updates: { firstname: 'M' } }),
    );
    expect(result).toEqual({ samples: 0, events: 0, scores: 0, skipped: 0 });
    expect(fake.calls).toEqual([]);
  });

  it('counts a payload of the wrong shape skipped', async () => {
    const fake = fakeContext({});
    const result = await handleStravaEvent(fake.context, {
      providerUserId: '1',
      kind: 'x',
      payload: { nope: 1 },
    });
    expect(result.skipped).toBe(1);
    expect(fake.calls).toEqual([]);
  });
});
