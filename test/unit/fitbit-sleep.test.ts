import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapSleepLog, pullSleep } from '#shared/providers/fitbit/sleep.js';
import { UNKNOWN_ZONE, userZone } from '#shared/providers/fitbit/zone.js';
import { KOLKATA_PROFILE as PROFILE, scriptedFitbit as scripted } from '#test/fakes/fitbit-scripted.js';

const kolkata = userZone('Asia/Kolkata', 19_800_000);

/** A stages log of the Web API reference's shape (abridged). */
const STAGES_LOG = {
  dateOfSleep: '2024-03-10',
  duration: 27_720_000,
  efficiency: 96,
  startTime: '2024-03-09T23:21:30.000',
  endTime: '2024-03-10T07:03:30.000',
  isMainSleep: true,
  logId: 26013218219,
  logType: 'auto_detected',
  minutesAsleep: 425,
  minutesAwake: 37,
  timeInBed: 462,
  type: 'stages',
  levels: {
    data: [
      { dateTime: '2024-03-09T23:21:30.000', level: 'wake', seconds: 630 },
      { dateTime: '2024-03-09T23:32:00.000', level: 'light', seconds: 1800 },
      { dateTime: '2024-03-10T00:02:00.000', level: 'deep', seconds: 2400 },
      { dateTime: '2024-03-10T00:42:00.000', level: 'rem', seconds: 1200 },
      { dateTime: 'garbage', level: 'light', seconds: 60 },
    ],
    shortData: [{ dateTime: '2024-03-10T00:10:00.000', level: 'wake', seconds: 60 }],
    summary: {
      deep: { count: 5, minutes: 104 },
      light: { count: 27, minutes: 223 },
      rem: { count: 7, minutes: 98 },
      wake: { count: 28, minutes: 37 },
    },
  },
};

describe('fitbit sleep', () => {
  it('maps a stages log: UTC times with the offset, durations, efficiency, stage timeline', () => {
    const start = Date.UTC(2024, 2, 9, 17, 51, 30);
    const event = mapSleepLog(STAGES_LOG, kolkata)!;
    expect(event).toMatchObject({
      category: 'sleep',
      type: 'sleep_session',
      start,
      end: Date.UTC(2024, 2, 10, 1, 33, 30),
      zoneOffset: '+05:30',
      durationSeconds: 27_720,
      externalId: '26013218219',
      details: {
        sleep_total_duration_minutes: 425,
        sleep_time_in_bed_minutes: 462,
        sleep_efficiency_score: 96,
        sleep_deep_minutes: 104,
        sleep_light_minutes: 223,
        sleep_rem_minutes: 98,
        sleep_awake_minutes: 37,
        is_nap: false,
      },
    });
    expect(event.details.sleep_stages).toEqual([
      { stage: 'awake', start, end: start + 630_000 },
      { stage: 'light', start: start + 630_000, end: start + 2_430_000 },
      { stage: 'deep', start: start + 2_430_000, end: start + 4_830_000 },
      { stage: 'rem', start: start + 4_830_000, end: start + 6_030_000 },
    ]);
  });

  it('maps a classic nap: asleep is sleeping, restless and awake are awake, no stage minutes', () => {
    const nap = mapSleepLog(
      {
        logId: 7,
        type: 'classic',
        isMainSleep: false,
        startTime: '2024-03-10T14:00:00.000',
        duration: 2_700_000,
        minutesAsleep: 40,
        minutesAwake: 5,
        timeInBed: 45,
        efficiency: 89,
        levels: {
          data: [
            { dateTime: '2024-03-10T14:00:00.000', level: 'asleep', seconds: 1500 },
            { dateTime: '2024-03-10T14:25:00.000', level: 'restless', seconds: 300 },
            { dateTime: '2024-03-10T14:30:00.000', level: 'asleep', seconds: 900 },
          ],
          summary: { asleep: { count: 2, minutes: 40 }, restless: { count: 1, minutes: 5 } },
        },
      },
      UNKNOWN_ZONE,
    )!;
    expect(nap.end - nap.start).toBe(2_700_000);
    expect(nap.details).toMatchObject({
      is_nap: true,
      sleep_deep_minutes: null,
      sleep_rem_minutes: null,
      sleep_awake_minutes: 5,
      sleep_total_duration_minutes: 40,
    });
    expect(nap.details.sleep_stages!.map((s) => s.stage)).toEqual(['sleeping', 'awake', 'sleeping']);
  });

  it('skips logs it cannot place in time, and never throws on arbitrary input (property)', () => {
    expect(mapSleepLog({ ...STAGES_LOG, startTime: '2024-03-09T23:21:30.000+05:30' }, kolkata)).toBeNull();
    expect(mapSleepLog({ ...STAGES_LOG, endTime: undefined, duration: 0 }, kolkata)).toBeNull();
    expect(mapSleepLog({ ...STAGES_LOG, endTime: STAGES_LOG.startTime }, kolkata)).toBeNull();
    fc.assert(
      fc.property(fc.anything(), (log) => {
        const event = mapSleepLog(log, kolkata);
        if (event) expect(event.end).toBeGreaterThan(event.start);
      }),
    );
    fc.assert(
      fc.property(
        fc.record({
          startTime: fc.string(),
          endTime: fc.string(),
          duration: fc.anything(),
          efficiency: fc.anything(),
        }),
        (log) => {
          const event = mapSleepLog(log, kolkata);
          if (event) {
            expect(event.end).toBeGreaterThan(event.start);
            const efficiency = event.details.sleep_efficiency_score;
            expect(efficiency === null || (efficiency >= 0 && efficiency <= 100)).toBe(true);
          }
        },
      ),
    );
  });

  it('asks for every local date the chunk may cover, keeps every log, refuses a body of the wrong shape', async () => {
    const calls: string[] = [];
    const get = scripted(
      { '/1/user/-/profile': PROFILE, '/1.2/user/-/sleep': { sleep: [STAGES_LOG, { junk: true }] } },
      calls,
    );
    const unit = { key: 'sleep:2024-03-01', start: Date.UTC(2024, 2, 1), end: Date.UTC(2024, 2, 31) };
    const { events } = await pullSleep(get, unit);
    expect(calls[1]).toBe('/1.2/user/-/sleep/date/2024-02-29/2024-03-31.json');
    expect(events.map((e) => e.externalId)).toEqual(['26013218219']);
    const broken = scripted({ '/1/user/-/profile': PROFILE, '/1.2/user/-/sleep': { errors: [] } });
    await expect(pullSleep(broken, unit)).rejects.toThrow(/unexpected sleep body/);
  });
});
