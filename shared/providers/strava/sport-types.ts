import type { WorkoutType } from '#shared/model/workout-types.js';

/**
 * Strava's documented `SportType` values (API v3, 50 of them) -> unified workout types. The legacy `type`
 * (`ActivityType`) values are a subset of these names, so the same table reads both.
 */
export const STRAVA_SPORT_TYPES: Readonly<Record<string, WorkoutType>> = {
  // foot
  Run: 'running',
  TrailRun: 'trail_running',
  VirtualRun: 'running',
  Walk: 'walking',
  Hike: 'hiking',
  Wheelchair: 'wheelchair',
  // wheels
  Ride: 'cycling',
  MountainBikeRide: 'mountain_biking',
  GravelRide: 'cycling',
  EBikeRide: 'e_biking',
  EMountainBikeRide: 'e_biking',
  VirtualRide: 'indoor_cycling',
  Velomobile: 'cycling',
  Handcycle: 'cycling',
  InlineSkate: 'inline_skating',
  Skateboard: 'skateboarding',
  RollerSki: 'cross_country_skiing',
  // water
  Swim: 'swimming',
  Rowing: 'rowing',
  VirtualRow: 'rowing_machine',
  Kayaking: 'kayaking',
  Canoeing: 'canoeing',
  StandUpPaddling: 'stand_up_paddleboarding',
  Surfing: 'surfing',
  Kitesurf: 'kitesurfing',
  Windsurf: 'windsurfing',
  Sail: 'sailing',
  // snow and ice
  AlpineSki: 'alpine_skiing',
  BackcountrySki: 'backcountry_skiing',
  NordicSki: 'cross_country_skiing',
  Snowboard: 'snowboarding',
  Snowshoe: 'snowshoeing',
  IceSkate: 'ice_skating',
  // gym and studio
  Workout: 'generic',
  WeightTraining: 'strength_training',
  Crossfit: 'cardio_training',
  HighIntensityIntervalTraining: 'cardio_training',
  Elliptical: 'elliptical',
  StairStepper: 'stair_climbing',
  Yoga: 'yoga',
  Pilates: 'pilates',
  RockClimbing: 'rock_climbing',
  // ball and racket sports
  Soccer: 'soccer',
  Golf: 'golf',
  Tennis: 'tennis',
  Badminton: 'badminton',
  Squash: 'squash',
  TableTennis: 'table_tennis',
  Racquetball: 'racquetball',
  Pickleball: 'pickleball',
};

const typeOf = (value: unknown): WorkoutType =>
  typeof value === 'string' && Object.hasOwn(STRAVA_SPORT_TYPES, value)
    ? STRAVA_SPORT_TYPES[value]!
    : 'other';

/** `sport_type` by exact name; when that is unknown, the legacy `type`; else `other`. */
export function stravaWorkoutType(sportType: unknown, type: unknown): WorkoutType {
  const bySport = typeOf(sportType);
  return bySport === 'other' ? typeOf(type) : bySport;
}
