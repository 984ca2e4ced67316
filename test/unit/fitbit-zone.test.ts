import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localMs, UNKNOWN_ZONE, userZone, zoneOf } from '#shared/providers/fitbit/zone.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { KOLKATA_PROFILE } from '#test/fakes/fitbit-scripted.js';

const HOUR_MS = 3_600_000;
const kolkata = userZone('Asia/Kolkata', 19_800_000);

describe('fitbit local times', () => {
  it('reads local date-times without an offset, refusing what is not a real time', () => {
    expect(localMs('2024-01-15T23:10:30.000')).toBe(Date.UTC(2024, 0, 15, 23, 10, 30));
    expect(localMs('2024-01-15T23:10')).toBe(Date.UTC(2024, 0, 15, 23, 10));
    expect(localMs('2024-02-30T10:00:00.000')).toBeNull();
    expect(localMs('2024-01-15T24:00:00')).toBeNull();
    expect(localMs('2024-01-15T10:00:00+01:00')).toBeNull();
    expect(localMs(1_705_360_230_000)).toBeNull();
  });

  it('converts through the profile time zone, daylight saving time included', () => {
    const berlin = userZone('Europe/Berlin', 3_600_000);
    expect(berlin.toUtc(Date.UTC(2024, 0, 15, 12))).toEqual({
      ms: Date.UTC(2024, 0, 15, 11),
      zoneOffset: '+01:00',
    });
    expect(berlin.toUtc(Date.UTC(2024, 6, 15, 12))).toEqual({
      ms: Date.UTC(2024, 6, 15, 10),
      zoneOffset: '+02:00',
    });
    // Around the changes: 01:30 is still winter time on 2024-03-31, still summer time on 2024-10-27.
    expect(berlin.toUtc(Date.UTC(2024, 2, 31, 1, 30))).toEqual({
      ms: Date.UTC(2024, 2, 31, 0, 30),
      zoneOffset: '+01:00',
    });
    expect(berlin.toUtc(Date.UTC(2024, 9, 27, 1, 30))).toEqual({
      ms: Date.UTC(2024, 9, 26, 23, 30),
      zoneOffset: '+02:00',
    });
    expect(kolkata.toUtc(Date.UTC(2024, 2, 10, 7, 31))).toEqual({
      ms: Date.UTC(2024, 2, 10, 2, 1),
      zoneOffset: '+05:30',
    });
    expect(userZone('America/St_Johns', null).toUtc(Date.UTC(2024, 0, 1))).toEqual({
      ms: Date.UTC(2024, 0, 1, 3, 30),
      zoneOffset: '-03:30',
    });
  });

  it('falls back to the fixed offset, then to UTC without an offset', () => {
    expect(userZone('Mars/Olympus_Mons', -18_000_000).toUtc(0)).toEqual({
      ms: 5 * HOUR_MS,
      zoneOffset: '-05:00',
    });
    expect(userZone(undefined, undefined)).toBe(UNKNOWN_ZONE);
    expect(userZone('', 20 * HOUR_MS)).toBe(UNKNOWN_ZONE);
    expect(UNKNOWN_ZONE.toUtc(1234)).toEqual({ ms: 1234, zoneOffset: null });
  });

  it('any wall-clock time that exists converts back to itself (property)', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
    const formats = new Map(
      zones.map((zone) => [
        zone,
        new Intl.DateTimeFormat('en-CA', {
          timeZone: zone,
          hourCycle: 'h23',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
        }),
      ]),
    );
    const wallClock = (zone: string, utc: number) => {
      const parts = Object.fromEntries(
        formats
          .get(zone)!
          .formatToParts(utc)
          .map((p) => [p.type, p.value]),
      );
      return Date.UTC(
        +parts.year!,
        +parts.month! - 1,
        +parts.day!,
        +parts.hour!,
        +parts.minute!,
        +parts.second!,
      );
    };
    // Any instant, and instants within 6 hours of a change of offset (Berlin, New York, Lord Howe's half hour).
    const transitions = ['2024-03-31T01:00Z', '2024-10-27T01:00Z', '2024-03-10T07:00Z', '2024-11-03T06:00Z']
      .concat(['2024-04-06T15:00Z', '2024-10-05T15:30Z'])
      .map(Date.parse);
    const instant = fc.oneof(
      fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2030, 0, 1) }),
      fc
        .tuple(fc.constantFrom(...transitions), fc.integer({ min: -6 * HOUR_MS, max: 6 * HOUR_MS }))
        .map(([at, delta]) => at + delta),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        instant.map((ms) => ms - (ms % 1000)),
        (zone, utc) => {
          const local = wallClock(zone, utc);
          const back = userZone(zone, null).toUtc(local);
          // In the hour a clock goes back twice, either instant is right; the wall clock must match.
          expect(wallClock(zone, back.ms)).toBe(local);
          expect(Math.abs(back.ms - utc)).toBeLessThanOrEqual(HOUR_MS);
        },
      ),
    );
  });
});

describe('fitbit zone lookup', () => {
  it('a failed profile lookup is not remembered: the next unit asks again', async () => {
    const calls: string[] = [];
    let fail = true;
    const flaky: ProviderGet = async (path) => {
      calls.push(path);
      if (fail) {
        fail = false;
        throw new Error('network');
      }
      return KOLKATA_PROFILE;
    };
    await expect(zoneOf(flaky)).rejects.toThrow('network');
    expect((await zoneOf(flaky)).toUtc(0).zoneOffset).toBe('+05:30');
    expect((await zoneOf(flaky)).toUtc(0).zoneOffset).toBe('+05:30');
    expect(calls).toHaveLength(2);
  });
});
