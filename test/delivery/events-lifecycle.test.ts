import { describe, expect, it } from 'vitest';
import { connectionCreated, connectionRevoked, syncEvents } from '#shared/delivery/payloads.js';
import { AT, syncFacts, USER } from './payload-fixtures.js';

describe('lifecycle payloads (contract 8.1 data shapes)', () => {
  it('connection.created and connection.revoked: the reference fields, one id per activation', () => {
    const connection = {
      id: 'c0ffee00-0000-4000-8000-000000000001',
      user_id: USER,
      provider: 'oura' as const,
    };
    const [created] = connectionCreated({ ...connection, token_version: 3 }, AT);
    expect(created).toMatchObject({
      id: `connection.created.${connection.id}.3`,
      type: 'connection.created',
    });
    expect(created!.data).toEqual({
      user_id: USER,
      provider: 'oura',
      connection_id: connection.id,
      connected_at: '2026-03-02T07:00:00+00:00',
    });
    const [revoked] = connectionRevoked({ ...connection, token_version: 3 }, 'refresh_failed', AT);
    expect(revoked!.id).toBe(`connection.revoked.${connection.id}.3`);
    expect(revoked!.data).toEqual({
      user_id: USER,
      provider: 'oura',
      connection_id: connection.id,
      reason: 'refresh_failed',
      revoked_at: '2026-03-02T07:00:00+00:00',
    });
    expect(connectionCreated({ ...connection, token_version: 4 })[0]!.id).not.toBe(created!.id);
  });

  it('sync.started|completed|failed: the reference fields, id per recorded status event; other stages emit nothing', () => {
    const common = { user_id: USER, provider: 'oura', source: 'pull', run_id: 'run-1' };
    expect(syncEvents(syncFacts('started'))).toEqual([
      {
        id: 'sync.started.run-1.evt-started',
        type: 'sync.started',
        userId: USER,
        timestamp: new Date(AT).toISOString(),
        data: { ...common, message: 'm', metadata: { mode: 'incremental' } },
      },
    ]);
    expect(syncEvents(syncFacts('completed'))[0]).toMatchObject({
      id: 'sync.completed.run-1.evt-completed',
      data: {
        ...common,
        status: 'success',
        message: 'm',
        items_processed: 12,
        metadata: { mode: 'incremental' },
      },
    });
    expect(syncEvents(syncFacts('failed'))[0]!.data).toEqual({
      ...common,
      error: 'unknown',
      message: 'm',
      metadata: { mode: 'incremental' },
    });
    expect(syncEvents(syncFacts('failed', { error: 'boom' }))[0]!.data.error).toBe('boom');
    expect(syncEvents(syncFacts('failed', { run_id: 'a b/c' }))[0]!.id).toBe('sync.failed.a_b_c.evt-failed');
    // A run that completes twice (two batches of one SDK session) announces each completion.
    expect(syncEvents(syncFacts('completed', { event_id: 'second' }))[0]!.id).toBe(
      'sync.completed.run-1.second',
    );
    for (const stage of ['queued', 'fetching', 'processing', 'saving', 'cancelled']) {
      expect(syncEvents(syncFacts(stage)), stage).toEqual([]);
    }
  });
});
