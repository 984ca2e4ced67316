import { describe, expect, it } from 'vitest';
import { acquireLease } from '#shared/store/connection-leases.js';
import { deleteConnection, getConnection, upsertConnection } from '#shared/store/connections.js';
import { getUser } from '#shared/store/users.js';
import { stampCursor } from '#shared/sync/run-support.js';
import { newUserId } from '#test/helpers/users.js';
import { useWriteMeter } from '#test/helpers/write-meter.js';

/**
 * A finished sync stamps its cursor and gives its lease back in one write of the connection (issue 12, cost: the
 * connection item is indexed, so each write of it costs four write units).
 */
const meter = useWriteMeter();
const AT = '2026-11-30T10:00:00.000Z';

/** Connects (or reconnects) the user to Oura. */
const connect = (userId: string) =>
  upsertConnection(userId, 'oura', {
    provider_user_id: `oura-${userId}`,
    provider_username: null,
    scope: 'daily',
    tokens: null,
    token_expires_at: null,
  });

async function connected() {
  const userId = await newUserId();
  await connect(userId);
  const connection = (await getConnection(userId, 'oura'))!;
  return { userId, connection };
}

describe('stamping the cursor of a sync', () => {
  it("with the lease's owner: one write of the connection stamps it, frees the lease and removes the mark", async () => {
    const { userId, connection } = await connected();
    expect(await acquireLease(connection, 'sync', 'me', Date.now() + 60_000, { run: 'run-1' })).toEqual({
      unannounced: [],
      digests: { epoch: 0, units: {} },
    });
    expect((await getConnection(userId, 'oura'))!.unannounced).toEqual(new Set(['run-1']));
    meter.take();

    const digests = { epoch: 0, units: { 'heartrate:2026-11-30': 'digest-1' } };
    expect(await stampCursor(connection, AT, { owner: 'me', covered: ['run-1'], digests })).toBe(true);
    expect(meter.take().filter((w) => w.kinds.includes('CONN'))).toHaveLength(1);
    const after = (await getConnection(userId, 'oura'))!;
    expect(after.last_synced_at).toBe(AT);
    expect(after.sync_lease_owner).toBeUndefined();
    expect(after.unannounced).toBeUndefined();
    expect(await getUser(userId)).toMatchObject({ last_synced_at: AT, last_synced_provider: 'oura' });
    // Free: another sync takes it at once, and finds the unit digests in the same write.
    expect(await acquireLease(connection, 'sync', 'next', Date.now() + 60_000, { run: 'run-2' })).toEqual({
      unannounced: [],
      digests,
    });
  });

  it('after its lease lapsed and another sync took it: stamped all the same, the other keeps lease and marks', async () => {
    const { userId, connection } = await connected();
    expect(await acquireLease(connection, 'sync', 'me', Date.now() - 1, { run: 'run-1' })).toEqual({
      unannounced: [],
      digests: { epoch: 0, units: {} },
    });
    // The run taking the lapsed lease finds the mark the first one left.
    expect(await acquireLease(connection, 'sync', 'other', Date.now() + 60_000, { run: 'run-2' })).toEqual({
      unannounced: ['run-1'],
      digests: { epoch: 0, units: {} },
    });

    expect(await stampCursor(connection, AT, { owner: 'me', covered: ['run-1'] })).toBe(false);
    const after = (await getConnection(userId, 'oura'))!;
    expect(after.last_synced_at).toBe(AT);
    expect(after.sync_lease_owner).toBe('other');
    // Both marks stay until a run that covered them removes them; a reconnect keeps them too.
    expect(after.unannounced).toEqual(new Set(['run-1', 'run-2']));
    await connect(userId);
    expect((await getConnection(userId, 'oura'))!.unannounced).toEqual(new Set(['run-1', 'run-2']));
  });

  it('a connection deleted while its sync ran: nothing is stamped or recreated', async () => {
    const { userId, connection } = await connected();
    expect(await acquireLease(connection, 'sync', 'me', Date.now() + 60_000)).not.toBeNull();
    await deleteConnection(connection);

    expect(await stampCursor(connection, AT, { owner: 'me', covered: ['run-1'] })).toBe(false);
    expect(await getConnection(userId, 'oura')).toBeUndefined();
  });
});
