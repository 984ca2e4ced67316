import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseSdkBatch, SLEEP_STAGES, type SleepSegment } from '#shared/ingest/sdk-normalise.js';
import {
  buildSleepEvent,
  groupSegmentsIntoSessions,
  isReadyToFinalise,
  mergeSleepEvents,
  type SleepNight,
  sessionsAdjacent,
} from '#shared/ingest/sleep-assembly.js';
import type { SleepStage, SourceRef } from '#shared/model/health-data.js';

const at = (iso: string) => Date.parse(iso);
const MINUTE = 60_000;

const watch: SourceRef = {
  provider: 'apple',
  deviceModel: 'Watch7,1',
  sourceName: 'Apple Watch',
  softwareVersion: null,
  originalSourceName: null,
};

const segment = (
  stage: SleepStage,
  from: string,
  to: string,
  extra: Partial<SleepSegment> = {},
): SleepSegment => ({
  source: watch,
  stage,
  start: at(from),
  end: at(to),
  zoneOffset: '+01:00',
  externalId: null,
  ...extra,
});

const night = (...segments: SleepSegment[]) => buildSleepEvent(segments);

describe('the contract 6.5 night', () => {
  const session = [
    segment('in_bed', '2026-03-01T22:41:00Z', '2026-03-02T06:05:00Z', { externalId: 'S-001' }),
    segment('light', '2026-03-01T22:55:00Z', '2026-03-01T23:40:00Z', { externalId: 'S-002' }),
    segment('deep', '2026-03-01T23:40:00Z', '2026-03-02T00:35:00Z', { externalId: 'S-003' }),
    segment('rem', '2026-03-02T00:35:00Z', '2026-03-02T01:10:00Z', { externalId: 'S-004' }),
    segment('awake', '2026-03-02T01:10:00Z', '2026-03-02T01:16:00Z', { externalId: 'S-005' }),
  ];

  it('is finalised exactly as the contract describes', () => {
    const { segments, ...event } = buildSleepEvent([...session].reverse());
    expect(event).toEqual({
      category: 'sleep',
      type: 'sleep_session',
      source: watch,
      start: at('2026-03-01T22:55:00Z'),
      end: at('2026-03-02T01:16:00Z'),
      zoneOffset: '+01:00',
      durationSeconds: 141 * 60,
      externalId: 'S-001',
      details: {
        sleep_total_duration_minutes: 135,
        sleep_time_in_bed_minutes: 444,
        sleep_efficiency_score: 30.41,
        sleep_deep_minutes: 55,
        sleep_rem_minutes: 35,
        sleep_light_minutes: 45,
        sleep_awake_minutes: 6,
        is_nap: false,
        sleep_stages: [
          { stage: 'light', start: at('2026-03-01T22:55:00Z'), end: at('2026-03-01T23:40:00Z') },
          { stage: 'deep', start: at('2026-03-01T23:40:00Z'), end: at('2026-03-02T00:35:00Z') },
          { stage: 'rem', start: at('2026-03-02T00:35:00Z'), end: at('2026-03-02T01:10:00Z') },
          { stage: 'awake', start: at('2026-03-02T01:10:00Z'), end: at('2026-03-02T01:16:00Z') },
        ],
      },
    });
    expect(segments).toEqual(session.map(({ source: _source, ...s }) => s));
  });

  it('is ready to finalise once its latest end is the gap in the past', () => {
    expect(isReadyToFinalise(session, at('2026-03-02T08:04:59Z'))).toBe(false);
    expect(isReadyToFinalise(session, at('2026-03-02T08:05:00Z'))).toBe(true);
    expect(isReadyToFinalise(session, at('2026-03-02T07:05:00Z'), 60)).toBe(true);
    expect(isReadyToFinalise([], at('2030-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('grouping segments into sessions', () => {
  it('ignores awake and unknown before a session opens, then keeps them inside it', () => {
    const sessions = groupSegmentsIntoSessions([
      segment('awake', '2026-03-01T22:00:00Z', '2026-03-01T22:10:00Z'),
      segment('unknown', '2026-03-01T22:10:00Z', '2026-03-01T22:20:00Z'),
      segment('light', '2026-03-01T22:20:00Z', '2026-03-01T23:00:00Z'),
      segment('awake', '2026-03-01T23:00:00Z', '2026-03-01T23:05:00Z'),
    ]);
    expect(sessions.map((s) => s.map((x) => x.stage))).toEqual([['light', 'awake']]);
  });

  it('opens a new session when a segment starts more than the gap after the latest end', () => {
    const sessions = groupSegmentsIntoSessions([
      segment('in_bed', '2026-03-01T22:00:00Z', '2026-03-02T06:00:00Z'),
      segment('deep', '2026-03-02T01:00:00Z', '2026-03-02T02:00:00Z'),
      segment('light', '2026-03-02T08:00:00Z', '2026-03-02T08:30:00Z'),
      segment('awake', '2026-03-02T10:31:00Z', '2026-03-02T10:40:00Z'),
      segment('sleeping', '2026-03-02T14:00:00Z', '2026-03-02T14:40:00Z'),
    ]);
    expect(sessions.map((s) => s.map((x) => x.stage))).toEqual([['in_bed', 'deep', 'light'], ['sleeping']]);
  });

  it('de-duplicates on (start, end, stage) within a source', () => {
    const light = segment('light', '2026-03-01T23:00:00Z', '2026-03-01T23:30:00Z', { externalId: 'a' });
    const sessions = groupSegmentsIntoSessions([light, { ...light, externalId: 'b' }, light]);
    expect(sessions).toEqual([[light]]);
  });
});

describe('finalisation rules', () => {
  it('treats a session of only in_bed as sleeping', () => {
    const event = night(
      segment('in_bed', '2026-03-01T23:00:00Z', '2026-03-02T03:00:00Z'),
      segment('in_bed', '2026-03-02T02:00:00Z', '2026-03-02T06:00:00Z'),
    );
    expect(event.details).toMatchObject({
      sleep_total_duration_minutes: 420,
      sleep_time_in_bed_minutes: 420,
      sleep_efficiency_score: 100,
      sleep_light_minutes: null,
      sleep_deep_minutes: null,
      sleep_rem_minutes: null,
      sleep_stages: [
        { stage: 'sleeping', start: at('2026-03-01T23:00:00Z'), end: at('2026-03-02T03:00:00Z') },
        { stage: 'sleeping', start: at('2026-03-02T03:00:00Z'), end: at('2026-03-02T06:00:00Z') },
      ],
    });
  });

  it('keeps in_bed out of a generic timeline, counting it as time in bed', () => {
    const event = night(
      segment('in_bed', '2026-03-01T22:30:00Z', '2026-03-02T06:30:00Z'),
      segment('sleeping', '2026-03-01T23:00:00Z', '2026-03-02T03:00:00Z'),
      segment('awake', '2026-03-02T03:00:00Z', '2026-03-02T03:30:00Z'),
      segment('sleeping', '2026-03-02T03:30:00Z', '2026-03-02T06:00:00Z'),
    );
    expect(event).toMatchObject({ start: at('2026-03-01T23:00:00Z'), end: at('2026-03-02T06:00:00Z') });
    expect(event.details).toMatchObject({
      sleep_total_duration_minutes: 390,
      sleep_awake_minutes: 30,
      sleep_time_in_bed_minutes: 480,
      sleep_efficiency_score: 81.25,
      sleep_deep_minutes: null,
    });
  });

  it('drops generic sleeping when detailed stages exist', () => {
    const event = night(
      segment('sleeping', '2026-03-01T23:00:00Z', '2026-03-02T01:00:00Z'),
      segment('deep', '2026-03-01T23:30:00Z', '2026-03-02T00:30:00Z'),
    );
    expect(event.details.sleep_stages).toEqual([
      { stage: 'deep', start: at('2026-03-01T23:30:00Z'), end: at('2026-03-02T00:30:00Z') },
    ]);
    expect(event.details).toMatchObject({ sleep_total_duration_minutes: 60, sleep_light_minutes: 0 });
  });

  it('clips overlaps, the earlier segment winning, and sums in-bed time over the union', () => {
    const event = night(
      segment('light', '2026-03-01T23:00:00Z', '2026-03-02T00:00:00Z'),
      segment('deep', '2026-03-01T23:40:00Z', '2026-03-02T00:30:00Z'),
      segment('rem', '2026-03-01T23:45:00Z', '2026-03-01T23:50:00Z'),
      segment('in_bed', '2026-03-01T22:50:00Z', '2026-03-02T00:10:00Z'),
      segment('in_bed', '2026-03-02T00:00:00Z', '2026-03-02T00:40:00Z'),
    );
    expect(event.details.sleep_stages).toEqual([
      { stage: 'light', start: at('2026-03-01T23:00:00Z'), end: at('2026-03-02T00:00:00Z') },
      { stage: 'deep', start: at('2026-03-02T00:00:00Z'), end: at('2026-03-02T00:30:00Z') },
    ]);
    expect(event.details).toMatchObject({
      sleep_light_minutes: 60,
      sleep_deep_minutes: 30,
      sleep_rem_minutes: 0,
      sleep_time_in_bed_minutes: 110,
    });
  });

  it('never reports more sleep than time in bed', () => {
    const event = night(
      segment('in_bed', '2026-03-01T23:00:00Z', '2026-03-01T23:30:00Z'),
      segment('light', '2026-03-01T23:00:00Z', '2026-03-02T01:00:00Z'),
      segment('awake', '2026-03-02T01:00:00Z', '2026-03-02T01:10:00Z'),
    );
    expect(event.details).toMatchObject({ sleep_time_in_bed_minutes: 130, sleep_efficiency_score: 92.31 });
  });

  it('takes the first non-null zone offset and external id', () => {
    const event = night(
      segment('light', '2026-03-01T23:00:00Z', '2026-03-01T23:30:00Z', { zoneOffset: null }),
      segment('deep', '2026-03-01T23:30:00Z', '2026-03-02T00:00:00Z', {
        zoneOffset: '-05:00',
        externalId: 'x-2',
      }),
      segment('rem', '2026-03-02T00:00:00Z', '2026-03-02T00:30:00Z', {
        zoneOffset: '+01:00',
        externalId: 'x-3',
      }),
    );
    expect(event).toMatchObject({ zoneOffset: '-05:00', externalId: 'x-2' });
  });

  it('refuses an empty session', () => {
    expect(() => buildSleepEvent([])).toThrow(RangeError);
  });
});

describe('naps: under 3 h of sleep starting between 10:00 and 19:59 local time', () => {
  const sleepFrom = (from: string, minutes: number, zoneOffset: string | null) =>
    night(segment('sleeping', from, new Date(at(from) + minutes * MINUTE).toISOString(), { zoneOffset }))
      .details.is_nap;

  it.each([
    ['an afternoon nap', '2026-03-01T13:20:00Z', 40, '+01:00', true],
    ['a nap at 10:00 local', '2026-03-01T08:00:00Z', 90, '+02:00', true],
    ['local 20:00 is evening', '2026-03-01T19:00:00Z', 60, '+01:00', false],
    ['local 09:59 is morning', '2026-03-01T14:59:00Z', 60, '-05:00', false],
    ['a short night', '2026-03-01T02:00:00Z', 150, '+01:00', false],
    ['a long daytime sleep after a night shift', '2026-03-01T10:00:00Z', 420, '+01:00', false],
    ['exactly 3 h is not a nap', '2026-03-01T13:00:00Z', 180, '+01:00', false],
    ['without an offset, UTC', '2026-03-01T12:00:00Z', 30, null, true],
  ])('%s', (_name, from, minutes, zoneOffset, expected) => {
    expect(sleepFrom(from, minutes, zoneOffset)).toBe(expected);
  });

  it('counts sleep, not time in bed', () => {
    const event = night(
      segment('in_bed', '2026-03-01T13:00:00Z', '2026-03-01T17:00:00Z'),
      segment('light', '2026-03-01T13:30:00Z', '2026-03-01T14:30:00Z'),
    );
    expect(event.details).toMatchObject({ sleep_time_in_bed_minutes: 240, is_nap: true });
  });
});

describe('adjacency and merging', () => {
  const evening = night(segment('light', '2026-03-01T22:00:00Z', '2026-03-01T23:00:00Z'));

  it('joins nights of the same source at most the gap apart', () => {
    const later = (from: string, to: string) => night(segment('deep', from, to));
    expect(sessionsAdjacent(evening, later('2026-03-02T01:00:00Z', '2026-03-02T02:00:00Z'))).toBe(true);
    expect(sessionsAdjacent(evening, later('2026-03-02T01:01:00Z', '2026-03-02T02:00:00Z'))).toBe(false);
    expect(sessionsAdjacent(later('2026-03-01T21:00:00Z', '2026-03-01T22:30:00Z'), evening)).toBe(true);
    const phone = { ...watch, deviceModel: 'iPhone15,2' };
    expect(
      sessionsAdjacent(
        evening,
        night(segment('deep', '2026-03-01T23:00:00Z', '2026-03-01T23:30:00Z', { source: phone })),
      ),
    ).toBe(false);
  });

  it('measures adjacency on the raw window, in-bed included', () => {
    const inBed = night(
      segment('in_bed', '2026-03-01T22:00:00Z', '2026-03-02T07:00:00Z'),
      segment('light', '2026-03-01T22:30:00Z', '2026-03-01T23:00:00Z'),
    );
    expect(
      sessionsAdjacent(inBed, night(segment('rem', '2026-03-02T05:00:00Z', '2026-03-02T05:30:00Z'))),
    ).toBe(true);
  });
});

describe('one night sent in several pushes', () => {
  const ios = JSON.parse(readFileSync(new URL('../fixtures/sdk/ios-example.json', import.meta.url), 'utf8'));
  const pushOf = (sleep: unknown[]) => {
    const result = normaliseSdkBatch({ ...ios, data: { sleep } }, 'apple');
    if (!result.ok) throw new Error(result.error);
    return result.batch.sleepSegments;
  };

  /** What the caller does per push: group, build, merge with adjacent stored nights of the source. */
  function store(nights: SleepNight[], segments: SleepSegment[]): SleepNight[] {
    let stored = nights;
    for (const session of groupSegmentsIntoSessions(segments)) {
      const built = buildSleepEvent(session);
      const adjacent = stored.filter((n) => sessionsAdjacent(n, built));
      stored = [...stored.filter((n) => !adjacent.includes(n)), adjacent.reduce(mergeSleepEvents, built)];
    }
    return stored;
  }

  const atOnce = buildSleepEvent(pushOf(ios.data.sleep));
  const first = pushOf(ios.data.sleep.slice(0, 3));
  const second = pushOf(ios.data.sleep.slice(3));

  it.each([
    ['in order', [first, second]],
    ['in reverse order', [second, first]],
    ['with a push repeated', [first, second, first, second]],
  ])('%s gives the same single night as one push', (_name, pushes) => {
    expect(pushes.reduce(store, [])).toEqual([atOnce]);
  });

  it('keeps the in-bed envelope, which sleep_stages alone would lose', () => {
    const inBedOnlyFirst = pushOf(ios.data.sleep.slice(0, 2));
    const rest = pushOf(ios.data.sleep.slice(2));
    const [merged] = [inBedOnlyFirst, rest].reduce(store, []);
    expect(merged?.details.sleep_time_in_bed_minutes).toBe(444);
  });

  it('attaches an awake-only push when it is grouped together with the stored night', () => {
    const [stored] = store([], pushOf(ios.data.sleep.slice(0, 4)));
    const awake = pushOf(ios.data.sleep.slice(4));
    expect(groupSegmentsIntoSessions(awake)).toEqual([]);
    const storedSegments = stored!.segments.map((s) => ({ ...s, source: stored!.source }));
    const sessions = groupSegmentsIntoSessions([...storedSegments, ...awake]);
    expect(sessions.map(buildSleepEvent)).toEqual([atOnce]);
  });
});

describe('properties', () => {
  const base = at('2026-03-01T20:00:00Z');
  /** `softwareVersions`: one night's segments may come from a writer updated mid-night. */
  const arbitrarySegment = (softwareVersions: Array<string | null>) =>
    fc
      .record({
        stage: fc.constantFrom(...SLEEP_STAGES),
        // a coarse grid, so that duplicates and overlaps are common
        offset: fc.integer({ min: 0, max: 28 }).map((step) => step * 30),
        length: fc.constantFrom(1, 30, 60, 90, 240),
        externalId: fc.option(fc.constantFrom('a', 'b', 'c')),
        zoneOffset: fc.option(fc.constantFrom('+01:00', '-05:00')),
        softwareVersion: fc.constantFrom(...softwareVersions),
      })
      .map(
        (s): SleepSegment => ({
          source: { ...watch, softwareVersion: s.softwareVersion },
          stage: s.stage,
          start: base + s.offset * MINUTE,
          end: base + (s.offset + s.length) * MINUTE,
          zoneOffset: s.zoneOffset,
          externalId: s.externalId,
        }),
      );
  const segments = (minLength = 1, softwareVersions: Array<string | null> = [null]) =>
    fc.array(arbitrarySegment(softwareVersions), { minLength, maxLength: 15 });
  const shuffled = <T>(items: T[]) =>
    fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });
  /** Two nights that may share segments, and all their segments. */
  const twoNights = (softwareVersions?: Array<string | null>) =>
    fc
      .tuple(segments(1, softwareVersions), segments(1, softwareVersions), segments(0, softwareVersions))
      .map(
        ([a, b, shared]) =>
          [night(...a, ...shared), night(...b, ...shared), [...a, ...b, ...shared]] as const,
      );
  const mixedVersions = ['11.2.0', '11.3.0', null];

  it('merging equals building from all segments at once', () => {
    fc.assert(
      fc.property(twoNights(), ([a, b, all]) => {
        expect(mergeSleepEvents(a, b)).toEqual(night(...[...all].reverse()));
      }),
    );
  });

  it('merging is order-independent and idempotent', () => {
    fc.assert(
      fc.property(twoNights(mixedVersions), ([a, b]) => {
        const merged = mergeSleepEvents(a, b);
        expect(mergeSleepEvents(b, a)).toEqual(merged);
        expect(mergeSleepEvents(merged, b)).toEqual(merged);
        expect(mergeSleepEvents(a, merged)).toEqual(merged);
        expect(mergeSleepEvents(merged, merged)).toEqual(merged);
        expect(mergeSleepEvents(a, a)).toEqual(a);
      }),
    );
  });

  it('grouping does not depend on the order segments arrive in', () => {
    fc.assert(
      fc.property(
        segments(1, mixedVersions).chain((all) => fc.tuple(fc.constant(all), shuffled(all))),
        ([all, reordered]) => {
          expect(groupSegmentsIntoSessions(reordered)).toEqual(groupSegmentsIntoSessions(all));
        },
      ),
    );
  });

  it('a built night is consistent', () => {
    fc.assert(
      fc.property(segments(1, mixedVersions), (all) => {
        const { start, end, durationSeconds, details } = night(...all);
        const stages = details.sleep_stages ?? [];
        expect(stages.length).toBeGreaterThan(0);
        expect(stages[0]!.start).toBe(start);
        expect(stages.at(-1)!.end).toBe(end);
        for (const [i, stage] of stages.entries()) {
          expect(stage.start).toBeLessThan(stage.end);
          if (i > 0) expect(stage.start).toBeGreaterThanOrEqual(stages[i - 1]!.end);
        }
        expect(durationSeconds).toBe((end - start) / 1000);
        expect(details.sleep_total_duration_minutes!).toBeLessThanOrEqual(details.sleep_time_in_bed_minutes!);
        expect(details.sleep_efficiency_score ?? 0).toBeLessThanOrEqual(100);
      }),
    );
  });
});
