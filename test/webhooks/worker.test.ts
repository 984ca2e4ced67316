import { describe, expect, it } from 'vitest';
import { deleteUser } from '#shared/identity/users.js';
import { ProviderRequestError, RateLimitedError, TransientProviderError } from '#shared/providers/http.js';
import { type Connection, getConnection } from '#shared/store/connections.js';
import { accountUserIds } from '#shared/store/provider-accounts.js';
import { userSyncRuns } from '#shared/sync/status-read.js';
import { handleWebhookMessage } from '#shared/webhooks/worker.js';
import { useWebhookWorker } from '#test/helpers/webhook-worker.js';

/**
 * The webhook worker on DynamoDB Local and a real local SQS (for its re-queues), with the provider's API replaced
 * by an in-memory one: duplicates, out-of-order and forged deliveries, fan-out, a disconnected or deleted user,
 * and a fault injected for one of two users.
 */
const { drain, strava, garmin, activity, deps, connect, message, stravaEvent, workouts } = useWebhookWorker();

let athlete = 500_000;
const nextAthlete = () => ++athlete;

describe('Strava notify-then-fetch', () => {
  it('a create fetches and stores the activity; a duplicate delivery changes nothing', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9001', activity(9001, owner, '2026-11-20T07:00:00Z'));
    await handleWebhookMessage(stravaEvent(9001, owner, 'create'), deps);
    await handleWebhookMessage(stravaEvent(9001, owner, 'create'), deps);
    const stored = await workouts(userId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ externalId: '9001', start: Date.parse('2026-11-20T07:00:00Z') });
    const runs = await userSyncRuns(userId, 10);
    expect(runs[0]).toMatchObject({ source: 'webhook', provider: 'strava', status: 'success' });
    expect((await getConnection(userId, 'strava'))!.last_webhook_at).toBeTruthy();
  });

  it('an update really updates, even when the times changed (one workout, the new times)', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9002', activity(9002, owner, '2026-11-21T07:00:00Z', 3600));
    await handleWebhookMessage(stravaEvent(9002, owner, 'create'), deps);
    strava.activities.set('9002', activity(9002, owner, '2026-11-21T06:30:00Z', 5400));
    await handleWebhookMessage(stravaEvent(9002, owner, 'update', { title: 'Longer run' }), deps);
    const stored = await workouts(userId);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.start).toBe(Date.parse('2026-11-21T06:30:00Z'));
    expect(stored[0]!.end).toBe(Date.parse('2026-11-21T08:00:00Z'));
  });

  it('an update delivered before its create ends in the same single workout', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9003', activity(9003, owner, '2026-11-22T07:00:00Z'));
    await handleWebhookMessage(stravaEvent(9003, owner, 'update'), deps);
    await handleWebhookMessage(stravaEvent(9003, owner, 'create'), deps);
    expect(await workouts(userId)).toHaveLength(1);
  });

  it('a delete removes the workout once Strava confirms it is gone; a forged delete removes nothing', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9004', activity(9004, owner, '2026-11-23T07:00:00Z'));
    await handleWebhookMessage(stravaEvent(9004, owner, 'create'), deps);
    await handleWebhookMessage(stravaEvent(9004, owner, 'delete'), deps);
    expect(await workouts(userId)).toHaveLength(1);
    strava.activities.delete('9004');
    await handleWebhookMessage(stravaEvent(9004, owner, 'delete'), deps);
    expect(await workouts(userId)).toHaveLength(0);
  });

  it('a deauthorisation Strava confirms revokes the connection; a forged one does not', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    const deauth = () =>
      message('strava', {
        object_type: 'athlete',
        object_id: owner,
        aspect_type: 'update',
        updates: { authorized: 'false' },
        owner_id: owner,
        subscription_id: 1,
        event_time: 1_764_000_000,
      });
    await handleWebhookMessage(deauth(), deps);
    expect((await getConnection(userId, 'strava'))!.status).toBe('active');
    strava.revokedAthletes.add(String(owner));
    await handleWebhookMessage(deauth(), deps);
    const connection = (await getConnection(userId, 'strava'))!;
    expect(connection.status).toBe('revoked');
    expect(connection.tokens).toBeNull();
    expect(await accountUserIds('strava', String(owner))).toEqual([]);
  });

  it('writes nothing for a user who disconnected, and acknowledges an account linked to nobody', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    const { disconnect } = await import('#shared/oauth/connections.js');
    await disconnect(userId, 'strava');
    strava.activities.set('9005', activity(9005, owner, '2026-11-24T07:00:00Z'));
    await handleWebhookMessage(stravaEvent(9005, owner, 'create'), deps);
    await handleWebhookMessage(stravaEvent(9005, 999_999_999, 'create'), deps);
    expect(await workouts(userId)).toHaveLength(0);
  });

  it("a deleted user's data never comes back through a late webhook", async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9006', activity(9006, owner, '2026-11-25T07:00:00Z'));
    await deleteUser(userId);
    await handleWebhookMessage(stravaEvent(9006, owner, 'create'), deps);
    expect(await workouts(userId)).toHaveLength(0);
  });

  it('fans one account out to each linked user; a fault for one re-queues only that user', async () => {
    const owner = nextAthlete();
    const [first, second] = [await connect('strava', String(owner)), await connect('strava', String(owner))];
    strava.activities.set('9007', activity(9007, owner, '2026-11-26T07:00:00Z'));
    strava.fail.set(second, new TransientProviderError('Strava answered 503'));
    await handleWebhookMessage(stravaEvent(9007, owner, 'create'), deps);
    expect(await workouts(first)).toHaveLength(1);
    expect(await workouts(second)).toHaveLength(0);

    const [retry, ...rest] = await drain('webhookStrava');
    expect(rest).toEqual([]);
    expect(retry).toMatchObject({ form: 'pending', attempt: 1 });
    const pending = JSON.parse(retry!.content!);
    expect(pending).toEqual([expect.objectContaining({ user_ids: [second] })]);

    strava.fail.delete(second);
    await handleWebhookMessage(retry!, deps);
    expect(await workouts(second)).toHaveLength(1);
    expect(await workouts(first)).toHaveLength(1);
  });

  it('fails the message when nothing of it succeeded, so SQS retries it whole', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9008', activity(9008, owner, '2026-11-27T07:00:00Z'));
    strava.fail.set(userId, new TransientProviderError('Strava answered 502'));
    await expect(handleWebhookMessage(stravaEvent(9008, owner, 'create'), deps)).rejects.toThrow('502');
    expect(await drain('webhookStrava')).toEqual([]);
    strava.fail.delete(userId);
  });

  it('defers a rate-limited notification until the reset instead of failing it', async () => {
    const owner = nextAthlete();
    const [first, second] = [await connect('strava', String(owner)), await connect('strava', String(owner))];
    strava.activities.set('9009', activity(9009, owner, '2026-11-28T07:00:00Z'));
    strava.fail.set(second, new RateLimitedError(Date.now() + 120_000));
    await handleWebhookMessage(stravaEvent(9009, owner, 'create'), deps);
    expect(await workouts(first)).toHaveLength(1);
    // Delayed by the reset (120 s): not receivable yet.
    expect(await drain('webhookStrava')).toEqual([]);
    strava.fail.delete(second);
  });

  it('records a permanent refusal as a failed webhook run and does not retry it', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.fail.set(userId, new ProviderRequestError(403, 'forbidden'));
    await handleWebhookMessage(stravaEvent(9010, owner, 'create'), deps);
    expect(await drain('webhookStrava')).toEqual([]);
    const runs = await userSyncRuns(userId, 10);
    expect(runs[0]).toMatchObject({ source: 'webhook', status: 'failed' });
    strava.fail.delete(userId);
  });
});

describe('Garmin push', () => {
  const garminUser = 'garmin-4aacafe8';
  const dailies = (steps: number) => ({
    dailies: [
      {
        userId: garminUser,
        summaryId: 'x36bc70e-65a4b300-15180-0',
        calendarDate: '2026-11-29',
        startTimeInSeconds: 1_764_374_400,
        startTimeOffsetInSeconds: 3600,
        durationInSeconds: 86400,
        steps,
        restingHeartRateInBeatsPerMinute: 55,
      },
    ],
  });

  it('stores a push for every user linked to the Garmin account; a repeat is idempotent', async () => {
    const [a, b] = [await connect('garmin', garminUser), await connect('garmin', garminUser)];
    await handleWebhookMessage(message('garmin', dailies(9500)), deps);
    await handleWebhookMessage(message('garmin', dailies(9500)), deps);
    for (const userId of [a, b]) {
      const runs = await userSyncRuns(userId, 10);
      expect(runs.filter((r) => r.source === 'webhook')).toHaveLength(2);
      expect(runs[0]!.status).toBe('success');
      const connection = (await getConnection(userId, 'garmin')) as Connection & Record<string, unknown>;
      expect(connection.arrived_dailies).toBeTruthy();
    }
  });

  it('a deregistration Garmin confirms revokes the connection and unlinks the account; a forged one does not', async () => {
    const account = 'garmin-dereg-1';
    const userId = await connect('garmin', account);
    const deregistration = () => message('garmin', { deregistrations: [{ userId: account }] });
    // The client id header is no secret: a deregistration the user's token contradicts changes nothing.
    await handleWebhookMessage(deregistration(), deps);
    expect((await getConnection(userId, 'garmin'))!.status).toBe('active');
    garmin.deregistered.add(account);
    await handleWebhookMessage(deregistration(), deps);
    expect((await getConnection(userId, 'garmin'))!.status).toBe('revoked');
    expect(await accountUserIds('garmin', account)).toEqual([]);
  });

  it('a permissions change sets the scope Garmin reports, not the one the push claims', async () => {
    const account = 'garmin-perm-1';
    const userId = await connect('garmin', account);
    garmin.permissions.set(account, ['HEALTH_EXPORT', 'ACTIVITY_EXPORT']);
    await handleWebhookMessage(
      message('garmin', {
        userPermissionsChange: [
          { userId: account, permissions: ['HEALTH_EXPORT', 'ACTIVITY_EXPORT', 'HISTORICAL_DATA_EXPORT'] },
        ],
      }),
      deps,
    );
    expect((await getConnection(userId, 'garmin'))!.scope).toBe('ACTIVITY_EXPORT HEALTH_EXPORT');
  });
});
