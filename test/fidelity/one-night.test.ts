import { describe, expect, it } from 'vitest';
import { listSleepSessions } from '#shared/data/events.js';
import { createUser } from '#shared/identity/users.js';
import { ingestSdkPush } from '#shared/ingest/sdk-ingest.js';
import { finaliseStaleSleep } from '#shared/ingest/sleep-sessions.js';
import { deleteProviderData } from '#shared/oauth/connections.js';
import { saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { commitSleepState, getPendingSleep, sleepSlot } from '#shared/store/sleep-pending.js';
import { healthKitPush, healthKitSleep } from '#test/helpers/sdk-payloads.js';

/**
 * Issue 8 item 6: an iPhone's `in_bed` sample and the Watch's stages of the same night became two sleep
 * records, because sleep was assembled per source. Now the sources of one SDK provider make one night: the best
 * source's stages, every source's time in bed; naps stay naps.
 */

const HOUR = 3_600_000;
const NIGHT = Date.UTC(2026, 9, 10, 21);
const ALL_TIME = { startMs: 0, endMs: Date.UTC(2100, 0), limit: 100 };

const nightsOf = async (userId: string) =>
  (await listSleepSessions(userId, { ...ALL_TIME, filterByPriority: false })).data;

const watchStages = [
  healthKitSleep('light', NIGHT + 0.5 * HOUR, NIGHT + 3 * HOUR),
  healthKitSleep('deep', NIGHT + 3 * HOUR, NIGHT + 5 * HOUR),
  healthKitSleep('rem', NIGHT + 5 * HOUR, NIGHT + 8 * HOUR),
];
const phoneInBed = healthKitSleep('in_bed', NIGHT, NIGHT + 8.5 * HOUR, 'phone');

describe('one night across sources', () => {
  it('the Watch stages pushed after the iPhone night was stored join it: one night, the Watch one', async () => {
    const user = await createUser({});
    await ingestSdkPush(user.id, 'apple', healthKitPush({ sleep: [phoneInBed] }));
    expect(await nightsOf(user.id)).toMatchObject([{ source: { device: 'iPhone16,1' } }]);

    await ingestSdkPush(user.id, 'apple', healthKitPush({ sleep: watchStages }));
    const nights = await nightsOf(user.id);
    expect(nights).toHaveLength(1);
    expect(nights[0]).toMatchObject({
      source: { provider: 'apple', device: 'Watch7,1' },
      start_time: '2026-10-10T21:30:00Z',
      end_time: '2026-10-11T05:00:00Z',
      stages: { light_minutes: 150, deep_minutes: 120, rem_minutes: 180 },
      is_nap: false,
    });
    expect(nights[0]!.efficiency_percent).toBeCloseTo((450 / 510) * 100, 1);
  });

  it('is the same night whatever order and grouping the pushes came in', async () => {
    const a = await createUser({});
    await ingestSdkPush(a.id, 'apple', healthKitPush({ sleep: [...watchStages, phoneInBed] }));
    const b = await createUser({});
    await ingestSdkPush(b.id, 'apple', healthKitPush({ sleep: [watchStages[2]] }));
    await ingestSdkPush(b.id, 'apple', healthKitPush({ sleep: [phoneInBed, watchStages[0]] }));
    await ingestSdkPush(b.id, 'apple', healthKitPush({ sleep: watchStages }));
    const strip = ({ id: _id, ...night }: Record<string, unknown>) => night;
    expect((await nightsOf(b.id)).map(strip)).toEqual((await nightsOf(a.id)).map(strip));
  });

  it('an afternoon nap of the Watch stays a nap next to the night', async () => {
    const user = await createUser({});
    const nap = healthKitSleep('light', NIGHT + 17 * HOUR, NIGHT + 17.6 * HOUR);
    await ingestSdkPush(user.id, 'apple', healthKitPush({ sleep: [phoneInBed, ...watchStages, nap] }));
    expect((await nightsOf(user.id)).map((n) => n.is_nap)).toEqual([true, false]);
  });

  it('segments left pending per source by the former layout are folded into the night by the finaliser', async () => {
    const user = await createUser({});
    await ingestSdkPush(user.id, 'apple', healthKitPush({ sleep: [phoneInBed] }));
    // What a push before this change left: open segments in a slot named by the Watch's source key.
    const watch = toDataSource(user.id, {
      provider: 'apple',
      deviceModel: 'Watch7,1',
      sourceName: 'Apple Watch',
      softwareVersion: null,
      originalSourceName: 'Apple Watch',
    });
    await saveDataSources(user.id, [watch]);
    const legacy = watchStages.map((s) => ({
      stage: s.stage as 'light',
      start: Date.parse(s.startDate),
      end: Date.parse(s.endDate),
      zoneOffset: '+01:00',
      externalId: s.id,
    }));
    expect(await commitSleepState(user.id, watch.key, legacy, 0, { removed: [], added: [] })).toBe(true);

    await finaliseStaleSleep(NIGHT + 48 * HOUR, Date.now() + 60_000);
    expect(await nightsOf(user.id)).toMatchObject([
      { source: { device: 'Watch7,1' }, stages: { light_minutes: 150, deep_minutes: 120, rem_minutes: 180 } },
    ]);
    expect((await getPendingSleep(user.id, watch.key)).version).toBe(0);
  });

  it("deleting the provider's data removes its pending segments too", async () => {
    const user = await createUser({});
    const tonight = Date.now() - HOUR;
    await ingestSdkPush(
      user.id,
      'apple',
      healthKitPush({ sleep: [healthKitSleep('light', tonight, tonight + 30 * 60_000)] }),
    );
    expect((await getPendingSleep(user.id, sleepSlot('apple'))).segments).toHaveLength(1);
    await deleteProviderData(user.id, 'apple');
    expect(await getPendingSleep(user.id, sleepSlot('apple'))).toEqual({ segments: [], version: 0 });
  });
});
