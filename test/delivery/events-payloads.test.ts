import { describe, expect, it } from 'vitest';
import { isEventType } from '#shared/delivery/catalogue.js';
import {
  connectionCreated,
  connectionRevoked,
  ingestedEvents,
  recordEvents,
  syncEvents,
} from '#shared/delivery/payloads.js';
import { pyIso } from '#shared/delivery/payloads-common.js';
import { activityEvents, seriesEvents } from '#shared/delivery/payloads-series.js';
import type { DomainEvent } from '#shared/delivery/types.js';
import type { HealthEvent, SeriesSamples } from '#shared/model/health-data.js';
import { newStoredEvent, type StoredEvent } from '#shared/store/events.js';
import { sleepDetails, sourceRef } from '#test/helpers/health-data.js';
import { AT, syncFacts, USER } from './payload-fixtures.js';

const WATCH = sourceRef('apple', 'Watch7,1', 'Apple Watch');
const PHONE = sourceRef('apple', 'iPhone15,2', 'iPhone');
const T0 = Date.UTC(2026, 2, 2, 6, 58, 10);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;

const stored = (event: HealthEvent): StoredEvent => newStoredEvent(USER, 'src-key', event);

const workout = (details: Record<string, number | null> = {}) =>
  stored({
    category: 'workout',
    type: 'running',
    source: WATCH,
    start: T0,
    end: T0 + 2_849_000,
    zoneOffset: '+01:00',
    durationSeconds: 2849,
    externalId: null,
    details: {
      energy_burned: 574.1,
      distance: 8123.4,
      heart_rate_avg: 151.6,
      heart_rate_max: 178,
      average_speed: 2.85,
      total_elevation_gain: 48,
      ...details,
    },
  });

const night = (deep: number | null = 55) =>
  stored({
    category: 'sleep',
    type: 'sleep_session',
    source: WATCH,
    start: T0,
    end: T0 + 8 * 3_600_000,
    zoneOffset: '+01:00',
    durationSeconds: null,
    externalId: null,
    details: sleepDetails({
      sleep_efficiency_score: 91.5,
      sleep_deep_minutes: deep,
      sleep_light_minutes: 200,
      sleep_rem_minutes: 90,
      sleep_awake_minutes: 12,
    }),
  });

const series = (
  values: number[],
  source = WATCH,
  type: SeriesSamples['series'] = 'heart_rate',
): SeriesSamples => ({
  source,
  series: type,
  samples: values.map((value, i) => ({
    timestamp: T0 + i * 60_000,
    value,
    zoneOffset: '+01:00',
    isDailyTotal: type === 'steps' ? false : null,
  })),
});

const keysOf = (event: DomainEvent) => Object.keys(event.data).sort();

describe('payload builders (contract 8.1 data shapes)', () => {
  it("renders instants as Python's isoformat", () => {
    expect(pyIso(Date.UTC(2026, 2, 2, 6, 58, 10))).toBe('2026-03-02T06:58:10+00:00');
    expect(pyIso(Date.UTC(2026, 2, 2, 6, 58, 10, 120))).toBe('2026-03-02T06:58:10.120000+00:00');
  });

  it('workout.created: the reference fields, id from the stored record', () => {
    const record = workout();
    const [event] = recordEvents([record], AT);
    expect(event).toEqual({
      id: `workout.created.${record.id}`,
      type: 'workout.created',
      userId: USER,
      timestamp: new Date(AT).toISOString(),
      data: {
        id: record.id,
        user_id: USER,
        type: 'running',
        start_time: '2026-03-02T06:58:10+00:00',
        end_time: '2026-03-02T07:45:39+00:00',
        zone_offset: '+01:00',
        duration_seconds: 2849,
        source: { provider: 'apple', device: 'Watch7,1' },
        calories_kcal: 574.1,
        distance_meters: 8123.4,
        avg_heart_rate_bpm: 152,
        max_heart_rate_bpm: 178,
        avg_pace_sec_per_km: 351,
        elevation_gain_meters: 48,
      },
    });
    const [bare] = recordEvents([workout({ average_speed: null, energy_burned: null, distance: 0 })]);
    expect(bare!.data).toMatchObject({
      avg_pace_sec_per_km: null,
      calories_kcal: null,
      distance_meters: null,
    });
  });

  it('sleep.created: the reference fields; a night changed over the same span gets a new id', () => {
    const record = night();
    const [event] = recordEvents([record], AT);
    expect(keysOf(event!)).toEqual(
      [
        'id',
        'user_id',
        'start_time',
        'end_time',
        'zone_offset',
        'duration_seconds',
        'source',
        'efficiency_percent',
        'stages',
        'is_nap',
      ].sort(),
    );
    expect(event!.data).toMatchObject({
      id: record.id,
      duration_seconds: 8 * 3600,
      efficiency_percent: 91.5,
      stages: { awake_minutes: 12, light_minutes: 200, deep_minutes: 55, rem_minutes: 90 },
      is_nap: false,
    });
    expect(event!.id.startsWith(`sleep.created.${record.id}.`)).toBe(true);
    expect(recordEvents([night()], AT + 5_000)[0]!.id).toBe(event!.id);
    const merged = recordEvents([night(70)])[0]!;
    expect(merged.data.id).toBe(record.id);
    expect(merged.id).not.toBe(event!.id);
    const unknown = stored({ ...night(), details: sleepDetails() } as HealthEvent);
    expect(recordEvents([unknown])[0]!.data.stages).toBeNull();
  });

  it('menstrual_cycle.created: the reference fields', () => {
    const record = stored({
      category: 'menstrual_cycle',
      type: null,
      source: PHONE,
      start: T0,
      end: T0 + 86_400_000,
      zoneOffset: null,
      durationSeconds: null,
      externalId: null,
      details: {
        current_phase_type: 'follicular',
        day_in_cycle: 8,
        cycle_length: 28,
        is_predicted_cycle: false,
      },
    });
    const [event] = recordEvents([record], AT);
    expect(event!.id).toBe(`menstrual_cycle.created.${record.id}`);
    expect(event!.data).toEqual({
      id: record.id,
      user_id: USER,
      start_time: '2026-03-02T06:58:10+00:00',
      end_time: '2026-03-03T06:58:10+00:00',
      zone_offset: null,
      source: { provider: 'apple', device: 'iPhone15,2' },
      current_phase_type: 'follicular',
      day_in_cycle: 8,
      cycle_length: 28,
      is_predicted_cycle: false,
      pregnancy_snapshot: null,
    });
  });

  it('series events: group and granular per (provider, series type), the samples with their sources', () => {
    const events = seriesEvents(USER, [series([58, 61]), series([60], PHONE)], AT);
    expect(events.map((e) => e.type)).toEqual(['heart_rate.created', 'series.heart_rate.created']);
    const [group, granular] = events;
    expect(group!.data).toEqual(granular!.data);
    expect(group!.data).toEqual({
      user_id: USER,
      provider: 'apple',
      series_type: 'heart_rate',
      sample_count: 3,
      start_time: '2026-03-02T06:58:10+00:00',
      end_time: '2026-03-02T06:59:10+00:00',
      samples: [
        {
          timestamp: '2026-03-02T06:58:10+00:00',
          zone_offset: '+01:00',
          type: 'heart_rate',
          value: 60,
          unit: 'bpm',
          source: { provider: 'apple', device: 'iPhone15,2' },
          is_daily_total: null,
        },
        expect.objectContaining({ value: 58, source: { provider: 'apple', device: 'Watch7,1' } }),
        expect.objectContaining({ timestamp: '2026-03-02T06:59:10+00:00', value: 61 }),
      ],
    });
    expect(group!.id).not.toBe(granular!.id);
  });

  it('series events: one pair per provider and series; nothing for no-event series or no samples', () => {
    const oura = sourceRef('oura', null);
    const events = seriesEvents(USER, [
      series([1]),
      series([2], oura),
      series([3], WATCH, 'steps'),
      series([4], WATCH, 'latitude'),
      series([], WATCH, 'weight'),
    ]);
    expect(events.map((e) => `${e.type}:${e.data.provider}`)).toEqual([
      'heart_rate.created:apple',
      'series.heart_rate.created:apple',
      'heart_rate.created:oura',
      'series.heart_rate.created:oura',
      'steps.created:apple',
      'series.steps.created:apple',
    ]);
    expect(events[4]!.data.samples).toEqual([
      expect.objectContaining({ unit: 'count', is_daily_total: false }),
    ]);
  });

  it('ids are stable for identical input (whatever the order) and change with the content', () => {
    const input = [series([58, 61]), series([60], PHONE), series([400], WATCH, 'steps')];
    const ids = (batch: SeriesSamples[]) => ingestedEvents(USER, batch, [workout()]).map((e) => e.id);
    expect(ids(input)).toEqual(ids(structuredClone(input)));
    expect(ids([input[1]!, input[0]!, input[2]!]).sort()).toEqual(ids(input).sort());
    expect(ids([series([58, 62]), ...input.slice(1)])).not.toEqual(ids(input));
    expect(seriesEvents('other-user', input)[0]!.id).not.toBe(seriesEvents(USER, input)[0]!.id);
  });

  it('activity.created: once per (provider, UTC date) of activity series, naming the series types', () => {
    const late = { ...series([5], WATCH, 'distance_walking_running') };
    late.samples = [{ ...late.samples[0]!, timestamp: Date.UTC(2026, 2, 3, 0, 30) }];
    const events = activityEvents(USER, [
      series([400, 300], WATCH, 'steps'),
      series([20], PHONE, 'energy'),
      late,
      series([60]),
    ]);
    expect(events.map((e) => e.data)).toEqual([
      { user_id: USER, provider: 'apple', date: '2026-03-02', series_types: ['energy', 'steps'] },
      { user_id: USER, provider: 'apple', date: '2026-03-03', series_types: ['distance_walking_running'] },
    ]);
    expect(events[0]!.id).toMatch(/^activity\.created\.apple\.2026-03-02\./);
    expect(activityEvents(USER, [series([60])])).toEqual([]);
  });

  it('every event built is a catalogue type with an id in the reference alphabet and payload timestamps in isoformat', () => {
    const events = [
      ...ingestedEvents(USER, [series([1]), series([2], WATCH, 'steps')], [workout(), night()]),
      ...connectionCreated({ id: 'c', user_id: USER, provider: 'oura', token_version: 1 }),
      ...connectionRevoked({ id: 'c', user_id: USER, provider: 'oura', token_version: 1 }, 'api_gone'),
      ...['started', 'completed', 'failed'].flatMap((stage) => syncEvents(syncFacts(stage))),
    ];
    expect(new Set(events.map((e) => e.type)).size).toBe(12);
    for (const event of events) {
      expect(isEventType(event.type), event.type).toBe(true);
      expect(event.id).toMatch(/^[A-Za-z0-9\-_.]{1,256}$/);
      for (const field of ['start_time', 'end_time', 'connected_at', 'revoked_at']) {
        if (field in event.data) expect(event.data[field], `${event.type} ${field}`).toMatch(ISO);
      }
    }
  });
});
