import { describe, expect, it } from 'vitest';
import { WORKOUT_TYPES } from '#shared/model/workout-types.js';
import { instantOf, mapActivity } from '#shared/providers/strava/mapping.js';
import { STRAVA_SPORT_TYPES, stravaWorkoutType } from '#shared/providers/strava/sport-types.js';

/** The list item of providers.md 4.6 (`GET /athlete/activities`). */
const LIST_ITEM = {
  resource_state: 2,
  athlete: { id: 134815, resource_state: 1 },
  id: 10349817350,
  name: 'Morning Run',
  type: 'Run',
  sport_type: 'TrailRun',
  start_date: '2024-01-15T08:00:00Z',
  start_date_local: '2024-01-15T09:00:00Z',
  timezone: '(GMT+01:00) Europe/Warsaw',
  utc_offset: 3600.0,
  elapsed_time: 3720,
  moving_time: 3600,
  distance: 10020.4,
  total_elevation_gain: 212.0,
  elev_high: 402.3,
  elev_low: 190.1,
  average_speed: 2.783,
  max_speed: 5.1,
  has_heartrate: true,
  average_heartrate: 151.2,
  max_heartrate: 178.0,
  kilojoules: 2850.5,
  device_name: 'Garmin Forerunner 965',
  trainer: false,
  commute: false,
  manual: false,
  private: false,
  gear_id: 'g12345',
};

/** The same activity from `GET /activities/{id}` (resource_state 3, with calories, gear and power). */
const DETAIL = {
  ...LIST_ITEM,
  resource_state: 3,
  calories: 745.0,
  gear: { id: 'g12345', primary: true, name: 'Trail shoes', resource_state: 2, distance: 412000 },
  average_watts: 245.3,
  max_watts: 612,
  weighted_average_watts: 260,
  device_watts: true,
};

const START = Date.UTC(2024, 0, 15, 8, 0);
const SOURCE = {
  provider: 'strava',
  deviceModel: 'Garmin Forerunner 965',
  sourceName: 'Garmin Forerunner 965',
  softwareVersion: null,
  originalSourceName: 'Garmin Forerunner 965',
};
const COMMON_DETAILS = {
  heart_rate_avg: 151.2,
  heart_rate_max: 178,
  distance: 10020.4,
  average_speed: 2.78,
  max_speed: 5.1,
  moving_time_seconds: 3600,
  total_elevation_gain: 212,
  elev_high: 402.3,
  elev_low: 190.1,
};

describe('strava activity mapping', () => {
  it('maps the providers.md list item (golden)', () => {
    expect(mapActivity(LIST_ITEM)).toEqual({
      category: 'workout',
      type: 'trail_running',
      source: SOURCE,
      start: START,
      end: START + 3_720_000,
      zoneOffset: '+01:00',
      durationSeconds: 3720,
      externalId: '10349817350',
      // no calories in a summary: kilojoules x 0.239006
      details: { ...COMMON_DETAILS, energy_burned: 681.287 },
    });
  });

  it('maps the providers.md detail (golden)', () => {
    expect(mapActivity(DETAIL)).toEqual({
      category: 'workout',
      type: 'trail_running',
      source: SOURCE,
      start: START,
      end: START + 3_720_000,
      zoneOffset: '+01:00',
      durationSeconds: 3720,
      externalId: '10349817350',
      details: { ...COMMON_DETAILS, energy_burned: 745, average_watts: 245.3, max_watts: 612 },
    });
  });

  it('takes energy from calories only when positive, else from kilojoules, else none', () => {
    expect(mapActivity({ ...DETAIL, calories: 0 })?.details.energy_burned).toBe(681.287);
    expect(mapActivity({ ...LIST_ITEM, kilojoules: undefined })?.details.energy_burned).toBeUndefined();
    expect(mapActivity({ ...LIST_ITEM, kilojoules: 0 })?.details.energy_burned).toBeUndefined();
  });

  it('defaults the source name to Strava and has no device model without device_name (providers.md 4.6)', () => {
    const event = mapActivity({
      id: 1,
      type: 'Workout',
      sport_type: 'Workout',
      start_date: '2024-02-01T18:00:00Z',
      elapsed_time: 1800,
      manual: true,
    });
    expect(event?.source).toEqual({
      provider: 'strava',
      deviceModel: null,
      sourceName: 'Strava',
      softwareVersion: null,
      originalSourceName: null,
    });
    expect(event?.type).toBe('generic');
    expect(event?.zoneOffset).toBeNull();
    expect(event?.details).toEqual({});
  });

  it('keeps elevations below sea level and drops negative distances', () => {
    const event = mapActivity({ ...LIST_ITEM, elev_low: -412.5, distance: -1 });
    expect(event?.details.elev_low).toBe(-412.5);
    expect(event?.details.distance).toBeUndefined();
  });

  it('skips malformed activities instead of throwing', () => {
    for (const bad of [
      null,
      'activity',
      [LIST_ITEM],
      { ...LIST_ITEM, id: undefined },
      { ...LIST_ITEM, id: -5 },
      { ...LIST_ITEM, id: 1.5 },
      { ...LIST_ITEM, start_date: undefined },
      { ...LIST_ITEM, start_date: '2024-01-15 08:00:00' },
      { ...LIST_ITEM, start_date: '2024-01-15T08:00:00' },
      { ...LIST_ITEM, elapsed_time: undefined },
      { ...LIST_ITEM, elapsed_time: -3 },
      { ...LIST_ITEM, elapsed_time: 'long' },
    ]) {
      expect(mapActivity(bad)).toBeNull();
    }
    expect(mapActivity({ ...LIST_ITEM, id: '10349817350' })?.externalId).toBe('10349817350');
  });

  it('reads start_date in UTC or with an explicit offset only', () => {
    expect(instantOf('2024-01-15T08:00:00Z')).toBe(START);
    expect(instantOf('2024-01-15T09:00:00+01:00')).toBe(START);
    expect(instantOf('2024-01-15T08:00:00.250Z')).toBe(START + 250);
    expect(instantOf('2024-01-15')).toBeNull();
    expect(instantOf(1705305600)).toBeNull();
  });
});

describe('strava sport types', () => {
  it('has Strava’s 50 documented sport types, each a unified workout type', () => {
    const valid = new Set<string>(WORKOUT_TYPES);
    expect(Object.keys(STRAVA_SPORT_TYPES)).toHaveLength(50);
    for (const [name, type] of Object.entries(STRAVA_SPORT_TYPES)) {
      expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(valid.has(type)).toBe(true);
      expect(stravaWorkoutType(name, undefined)).toBe(type);
    }
  });

  it.each([
    // the examples of providers.md
    ['Run', 'running'],
    ['TrailRun', 'trail_running'],
    ['VirtualRun', 'running'],
    ['Ride', 'cycling'],
    ['MountainBikeRide', 'mountain_biking'],
    ['GravelRide', 'cycling'],
    ['EBikeRide', 'e_biking'],
    ['EMountainBikeRide', 'e_biking'],
    ['VirtualRide', 'indoor_cycling'],
    ['RollerSki', 'cross_country_skiing'],
    ['Workout', 'generic'],
    ['VirtualRow', 'rowing_machine'],
    // a few more
    ['Swim', 'swimming'],
    ['WeightTraining', 'strength_training'],
    ['NordicSki', 'cross_country_skiing'],
    ['StandUpPaddling', 'stand_up_paddleboarding'],
    ['HighIntensityIntervalTraining', 'cardio_training'],
  ])('%s -> %s', (sportType, type) => {
    expect(stravaWorkoutType(sportType, undefined)).toBe(type);
  });

  it('matches exactly, falls back to the legacy type, else other', () => {
    expect(stravaWorkoutType('run', undefined)).toBe('other');
    expect(stravaWorkoutType('toString', undefined)).toBe('other');
    expect(stravaWorkoutType('Padel', 'Workout')).toBe('generic');
    expect(stravaWorkoutType(undefined, 'Ride')).toBe('cycling');
    expect(stravaWorkoutType('TrailRun', 'Run')).toBe('trail_running');
    expect(stravaWorkoutType('Curling', 'Unknown')).toBe('other');
    expect(stravaWorkoutType(null, null)).toBe('other');
  });
});
