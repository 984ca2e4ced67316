import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseSdkBatch, type SleepSegment } from '#shared/ingest/sdk-normalise.js';
import {
  buildSleepEvent,
  groupSegmentsIntoSessions,
  isReadyToFinalise,
  type SleepNight,
} from '#shared/ingest/sleep-assembly.js';
import { SLEEP_STAGES, type SleepStage, type SourceRef } from '#shared/model/health-data.js';

const at = (iso: string) => Date.parse(iso);
const MINUTE = 60_000;

const watch: SourceRef = {
  provider: 'apple',
  deviceModel: 'Watch7,1',
  sourceName: 'Apple Watch',
  softwareVersion: null,
  originalSourceName: null,
};

const iphone: SourceRef = {
  provider: 'apple',
  deviceModel: 'iPhone16,1',
  sourceName: 'iPhone',
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

/** A stored night's raw segments, with their sources, as the orchestrator regroups them. */
const segmentsOf = (stored: SleepNight): SleepSegment[] => stored.segments;

/**
 * What the orchestrator (sleep-sessions.ts) does per push of one source, once every night is long over: the
 * stored nights' segments, the still-unattached ones and the push are regrouped together, and each group is
 * rebuilt as one night. Segments no session takes (an `awake` before any sleep) wait for the rest of the night.
 * The orchestrator only loads the stored nights near the push; regrouping every night here is the same, as a
 * night rebuilt from its own segments is unchanged (see the properties).
 */
type SourceState = { nights: SleepNight[]; open: SleepSegment[] };
function store({ nights, open }: SourceState, push: SleepSegment[]): SourceState {
  const all = [...nights.flatMap(segmentsOf), ...open, ...push];
  const sessions = groupSegmentsIntoSessions(all);
  const grouped = new Set(sessions.flat().map((s) => `${s.start}|${s.end}|${s.stage}`));
  return {
    nights: sessions.map((session) => buildSleepEvent(session)),
    open: all.filter((s) => !grouped.has(`${s.start}|${s.end}|${s.stage}`)),
  };
}
const NOTHING_STORED: SourceState = { nights: [], open: [] };

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
    expect(segments).toEqual(session);
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

describe('regrouping a stored night with later segments', () => {
  const evening = night(segment('light', '2026-03-01T22:00:00Z', '2026-03-01T23:00:00Z'));
  const regrouped = (stored: SleepNight, ...later: SleepSegment[]) =>
    groupSegmentsIntoSessions([...segmentsOf(stored), ...later]).map((session) => buildSleepEvent(session));

  it('joins segments of the same source at most the gap after the night', () => {
    const deep = (from: string, to: string) => segment('deep', from, to);
    expect(regrouped(evening, deep('2026-03-02T01:00:00Z', '2026-03-02T02:00:00Z'))).toEqual([
      night(...segmentsOf(evening), deep('2026-03-02T01:00:00Z', '2026-03-02T02:00:00Z')),
    ]);
    expect(regrouped(evening, deep('2026-03-02T01:01:00Z', '2026-03-02T02:00:00Z'))).toEqual([
      evening,
      night(deep('2026-03-02T01:01:00Z', '2026-03-02T02:00:00Z')),
    ]);
    expect(regrouped(evening, deep('2026-03-01T21:00:00Z', '2026-03-01T22:30:00Z'))).toHaveLength(1);
  });

  it('measures the gap on the raw window, in-bed included', () => {
    const inBed = night(
      segment('in_bed', '2026-03-01T22:00:00Z', '2026-03-02T07:00:00Z'),
      segment('light', '2026-03-01T22:30:00Z', '2026-03-01T23:00:00Z'),
    );
    expect(inBed.end).toBe(at('2026-03-01T23:00:00Z'));
    const [joined, ...rest] = regrouped(
      inBed,
      segment('rem', '2026-03-02T05:00:00Z', '2026-03-02T05:30:00Z'),
    );
    expect(rest).toEqual([]);
    expect(joined).toMatchObject({ start: at('2026-03-01T22:30:00Z'), end: at('2026-03-02T05:30:00Z') });
  });
});

describe('one night sent in several pushes', () => {
  const ios = JSON.parse(readFileSync(new URL('../fixtures/sdk/ios-example.json', import.meta.url), 'utf8'));
  const pushOf = (sleep: unknown[]) => {
    const result = normaliseSdkBatch({ ...ios, data: { sleep } }, 'apple');
    if (!result.ok) throw new Error(result.error);
    return result.batch.sleepSegments;
  };

  const atOnce = buildSleepEvent(pushOf(ios.data.sleep));
  const first = pushOf(ios.data.sleep.slice(0, 3));
  const second = pushOf(ios.data.sleep.slice(3));

  it.each([
    ['in order', [first, second]],
    ['in reverse order', [second, first]],
    ['with a push repeated', [first, second, first, second]],
  ])('%s gives the same single night as one push', (_name, pushes) => {
    expect(pushes.reduce(store, NOTHING_STORED)).toEqual({ nights: [atOnce], open: [] });
  });

  it('keeps the in-bed envelope, which sleep_stages alone would lose', () => {
    const inBedOnlyFirst = pushOf(ios.data.sleep.slice(0, 2));
    const rest = pushOf(ios.data.sleep.slice(2));
    const { nights } = [inBedOnlyFirst, rest].reduce(store, NOTHING_STORED);
    expect(nights).toEqual([atOnce]);
    expect(nights[0]?.details.sleep_time_in_bed_minutes).toBe(444);
  });

  it('attaches an awake-only push when it is grouped together with the stored night', () => {
    const stored = store(NOTHING_STORED, pushOf(ios.data.sleep.slice(0, 4)));
    const awake = pushOf(ios.data.sleep.slice(4));
    expect(groupSegmentsIntoSessions(awake)).toEqual([]);
    expect(store(stored, awake)).toEqual({ nights: [atOnce], open: [] });
  });

  it('keeps an awake-only push that comes first until the rest of the night arrives', () => {
    const awakeFirst = store(NOTHING_STORED, pushOf(ios.data.sleep.slice(4)));
    expect(awakeFirst.nights).toEqual([]);
    expect(awakeFirst.open).toHaveLength(1);
    expect(store(awakeFirst, pushOf(ios.data.sleep.slice(0, 4)))).toEqual({ nights: [atOnce], open: [] });
  });
});

describe('one night across the sources of a user (issue 8 item 6)', () => {
  const onPhone = (stage: SleepStage, from: string, to: string) =>
    segment(stage, from, to, { source: iphone });

  it("is the iPhone's time in bed with the Watch's stages, and belongs to the Watch", () => {
    const session = [
      onPhone('in_bed', '2026-03-01T22:00:00Z', '2026-03-02T06:30:00Z'),
      segment('light', '2026-03-01T22:30:00Z', '2026-03-02T01:00:00Z'),
      segment('deep', '2026-03-02T01:00:00Z', '2026-03-02T03:00:00Z'),
      segment('rem', '2026-03-02T03:00:00Z', '2026-03-02T06:00:00Z'),
    ];
    const sessions = groupSegmentsIntoSessions(session);
    expect(sessions).toHaveLength(1);
    const built = buildSleepEvent(sessions[0]!);
    expect(built).toMatchObject({
      source: watch,
      start: at('2026-03-01T22:30:00Z'),
      end: at('2026-03-02T06:00:00Z'),
      details: {
        sleep_total_duration_minutes: 450,
        sleep_time_in_bed_minutes: 510,
        sleep_light_minutes: 150,
        sleep_deep_minutes: 120,
        sleep_rem_minutes: 180,
      },
    });
  });

  it("keeps the best source's stages where another source's overlap them", () => {
    const built = night(
      onPhone('sleeping', '2026-03-01T22:00:00Z', '2026-03-02T06:00:00Z'),
      onPhone('awake', '2026-03-02T02:00:00Z', '2026-03-02T02:30:00Z'),
      segment('deep', '2026-03-01T23:00:00Z', '2026-03-02T05:00:00Z'),
    );
    expect(built.details.sleep_stages).toEqual([
      { stage: 'deep', start: at('2026-03-01T23:00:00Z'), end: at('2026-03-02T05:00:00Z') },
    ]);
    expect(built.details.sleep_awake_minutes).toBe(0);
  });

  it('without any detailed stages, the better device wins', () => {
    const built = night(
      onPhone('sleeping', '2026-03-01T22:00:00Z', '2026-03-02T06:00:00Z'),
      segment('sleeping', '2026-03-01T23:00:00Z', '2026-03-02T05:00:00Z'),
    );
    expect(built).toMatchObject({ source: watch, start: at('2026-03-01T23:00:00Z') });
  });

  it('the better device is the one the stored priorities rank first', () => {
    const segments = [
      onPhone('sleeping', '2026-03-01T22:00:00Z', '2026-03-02T06:00:00Z'),
      segment('sleeping', '2026-03-01T23:00:00Z', '2026-03-02T05:00:00Z'),
    ];
    const phoneFirst = { provider: {}, deviceType: { phone: 1, watch: 2 } };
    expect(buildSleepEvent(segments, phoneFirst)).toMatchObject({
      source: iphone,
      start: at('2026-03-01T22:00:00Z'),
    });
  });

  it('a nap the Watch records in the afternoon stays a nap of its own', () => {
    const sessions = groupSegmentsIntoSessions([
      onPhone('in_bed', '2026-03-01T22:00:00Z', '2026-03-02T06:30:00Z'),
      segment('light', '2026-03-01T22:30:00Z', '2026-03-02T06:00:00Z'),
      segment('light', '2026-03-02T14:00:00Z', '2026-03-02T14:40:00Z'),
    ]);
    expect(sessions.map((session) => buildSleepEvent(session).details.is_nap)).toEqual([false, true]);
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
        // the Watch and the iPhone of one user write the same nights
        device: fc.constantFrom(watch, iphone),
      })
      .map(
        (s): SleepSegment => ({
          source: { ...s.device, softwareVersion: s.softwareVersion },
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

  it('any permutation and duplication of the same segments builds the same night', () => {
    fc.assert(
      fc.property(
        segments(1, mixedVersions).chain((all) =>
          fc.tuple(
            fc.constant(all),
            fc
              .array(fc.constantFrom(...all), { maxLength: 10 })
              .chain((extra) => shuffled([...all, ...extra])),
          ),
        ),
        ([all, reordered]) => {
          expect(buildSleepEvent(reordered)).toEqual(night(...all));
        },
      ),
    );
  });

  it("building from a night's own segments reproduces it", () => {
    fc.assert(
      fc.property(segments(1, mixedVersions), (all) => {
        const built = night(...all);
        expect(buildSleepEvent(segmentsOf(built))).toEqual(built);
        // and a night built from one session regroups as that one session
        for (const session of groupSegmentsIntoSessions(all)) {
          const stored = buildSleepEvent(session);
          expect(
            groupSegmentsIntoSessions(segmentsOf(stored)).map((session) => buildSleepEvent(session)),
          ).toEqual([stored]);
        }
      }),
    );
  });

  it("rebuilding from the union of two nights' segments equals building from all segments at once", () => {
    fc.assert(
      fc.property(twoNights(), ([a, b, all]) => {
        expect(buildSleepEvent([...segmentsOf(a), ...segmentsOf(b)])).toEqual(night(...[...all].reverse()));
        expect(buildSleepEvent([...segmentsOf(b), ...segmentsOf(a)])).toEqual(night(...all));
      }),
    );
  });

  it('rebuilding is idempotent: a night already holding the segments does not change', () => {
    fc.assert(
      fc.property(twoNights(mixedVersions), ([a, b]) => {
        const union = buildSleepEvent([...segmentsOf(a), ...segmentsOf(b)]);
        expect(buildSleepEvent([...segmentsOf(union), ...segmentsOf(b)])).toEqual(union);
        expect(buildSleepEvent([...segmentsOf(a), ...segmentsOf(union)])).toEqual(union);
        expect(buildSleepEvent([...segmentsOf(union), ...segmentsOf(union)])).toEqual(union);
        expect(buildSleepEvent([...segmentsOf(a), ...segmentsOf(a)])).toEqual(a);
      }),
    );
  });

  it('the nights of a user do not depend on how their segments are split into pushes, nor their order', () => {
    fc.assert(
      fc.property(
        segments(1).chain((all) =>
          fc.tuple(
            fc.constant(all),
            fc.array(fc.subarray(all), { minLength: 1, maxLength: 5 }).chain((pushes) =>
              // every segment arrives at least once; pushes come in any order, some twice
              shuffled([...pushes, all.filter((s) => !pushes.flat().includes(s)), ...pushes.slice(0, 2)]),
            ),
          ),
        ),
        ([all, pushes]) => {
          const { nights } = pushes.reduce(store, NOTHING_STORED);
          expect(nights).toEqual(groupSegmentsIntoSessions(all).map((session) => buildSleepEvent(session)));
        },
      ),
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
