import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountSource, componentsOf, PullOutput } from '#shared/providers/output.js';
import { calendarDay, epochMs, isoInstant, zoneOf } from '#shared/providers/time.js';

/** The time readers and the output collector every provider mapping uses (time.ts, output.ts). */

const offsetText = (minutes: number) => {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

describe('isoInstant', () => {
  it('reads any instant written with any offset back to the same epoch ms and offset', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (date, minutes) => {
          const local = new Date(date.getTime() + minutes * 60_000).toISOString().slice(0, 23);
          const read = isoInstant(`${local}${offsetText(minutes)}`);
          expect(read).toEqual({ at: date.getTime(), zoneOffset: offsetText(minutes) });
          expect(isoInstant(`${date.toISOString().slice(0, 19)}Z`)?.zoneOffset).toBe('+00:00');
        },
      ),
    );
  });

  it('reads a naive time as UTC with no known zone, or refuses it when asked', () => {
    expect(isoInstant('2026-03-01T07:30:00')).toEqual({ at: Date.UTC(2026, 2, 1, 7, 30), zoneOffset: null });
    expect(isoInstant('2026-03-01T07:30:00', { naive: 'reject' })).toBeNull();
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:61:00Z',
    '2026-01-01T10:00:00+15:00',
    '2026-01-01T10:00:00+05:75',
    '2026-01-01',
    'yesterday',
    '',
  ])('refuses %j', (text) => {
    expect(isoInstant(text)).toBeNull();
  });

  it('accepts compact offsets and reads offsets alone', () => {
    expect(isoInstant('2026-01-01T10:00:00-0500')?.at).toBe(Date.UTC(2026, 0, 1, 15));
    expect(zoneOf('+0530')).toBe('+05:30');
    expect(zoneOf('Z')).toBe('+00:00');
    expect(zoneOf('-14:01')).toBeNull();
    expect(zoneOf(3600)).toBeNull();
  });
});

describe('days and epochs', () => {
  it('calendar days are UTC midnights of real dates only', () => {
    expect(calendarDay('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(calendarDay('2023-02-29')).toBeNull();
    expect(calendarDay('2024-2-9')).toBeNull();
  });

  it('epochs in seconds or milliseconds read as the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100_000_000, max: 4_000_000_000 }), (seconds) => {
        expect(epochMs(seconds)).toBe(seconds * 1000);
        expect(epochMs(seconds * 1000)).toBe(seconds * 1000);
      }),
    );
    expect(epochMs(0)).toBeNull();
    expect(epochMs(-5)).toBeNull();
  });
});

describe('PullOutput', () => {
  const source = accountSource('oura', 'Oura');

  it('keeps one sample per (source, series, time), the later winning, rounded as the store keeps them', () => {
    const out = new PullOutput();
    out.sample(source, 'heart_rate', 1000, 60, null);
    out.sample(source, 'heart_rate', 1000, 61.23456, null);
    out.sample(source, 'steps', 0, 5000, null, 'total');
    out.sample(source, 'steps', 60_000, 12, null);
    expect(out.sample(source, 'heart_rate', 2000, Number.NaN, null)).toBe(false);
    expect(out.sample(source, 'heart_rate', null, 60, null)).toBe(false);
    expect(out.sample(source, 'energy', 0, 1e9, null)).toBe(false);
    const { series } = out.result();
    expect(series.find((s) => s.series === 'heart_rate')?.samples).toEqual([
      { timestamp: 1000, value: 61.235, zoneOffset: null, isDailyTotal: null },
    ]);
    expect(series.find((s) => s.series === 'steps')?.samples.map((s) => s.isDailyTotal)).toEqual([
      true,
      false,
    ]);
    expect(out.counts).toEqual({ samples: 3, events: 0, scores: 0, skipped: 0 });
  });

  it('one event per external id (a workout seen twice merges its details), one score per time', () => {
    const out = new PullOutput();
    const workout = (details: Record<string, number>) => ({
      category: 'workout' as const,
      type: 'running',
      source,
      start: 0,
      end: 1000,
      zoneOffset: null,
      durationSeconds: 1,
      externalId: 'w1',
      details,
    });
    out.event(workout({ distance: 5000 }));
    out.event(workout({ heart_rate_avg: 150 }));
    const score = { source, category: 'sleep' as const, qualifier: null, recordedAt: 5, zoneOffset: null };
    out.score({ ...score, value: 70, components: null });
    out.score({ ...score, value: 80, components: componentsOf({ hrv: 45, rhr: null }) });
    out.skip(2);
    const result = out.result();
    expect(result.events).toHaveLength(1);
    expect(result.events[0]!.details).toEqual({ distance: 5000, heart_rate_avg: 150 });
    expect(result.scores).toEqual([{ ...score, value: 80, components: { hrv: { value: 45 } } }]);
    expect(out.counts.skipped).toBe(2);
    expect(componentsOf({ a: null })).toBeNull();
  });
});
