import type { WorkoutType } from '#shared/model/workout-types.js';

/**
 * Oura workout `activity` strings -> unified workout types (providers.md 4.5). Oura writes lower-case snake case
 * (`running`, `stand_up_paddling`); camelCase or spaced variants are normalised to it first. Unknown -> `other`.
 */
export const OURA_ACTIVITY_TYPES: Readonly<Record<string, WorkoutType>> = {
  // foot
  running: 'running',
  trail_running: 'trail_running',
  treadmill_running: 'treadmill',
  walking: 'walking',
  hiking: 'hiking',
  // wheels
  cycling: 'cycling',
  mountain_biking: 'mountain_biking',
  indoor_cycling: 'indoor_cycling',
  inline_skating: 'inline_skating',
  skateboarding: 'skateboarding',
  // water
  swimming: 'swimming',
  rowing: 'rowing',
  kayaking: 'kayaking',
  canoeing: 'canoeing',
  stand_up_paddling: 'stand_up_paddleboarding',
  surfing: 'surfing',
  sailing: 'sailing',
  water_polo: 'water_polo',
  // gym
  strength_training: 'strength_training',
  weightlifting: 'strength_training',
  functional_training: 'cardio_training',
  hiit: 'cardio_training',
  circuit_training: 'cardio_training',
  cross_training: 'cardio_training',
  jump_rope: 'cardio_training',
  elliptical: 'elliptical',
  stair_climbing: 'stair_climbing',
  stair_stepper: 'stair_climbing',
  rowing_machine: 'rowing_machine',
  // mind and body
  yoga: 'yoga',
  pilates: 'pilates',
  stretching: 'stretching',
  meditation: 'meditation',
  breathwork: 'meditation',
  // snow and ice
  skiing: 'alpine_skiing',
  downhill_skiing: 'downhill_skiing',
  cross_country_skiing: 'cross_country_skiing',
  snowboarding: 'snowboarding',
  snowshoeing: 'snowshoeing',
  ice_skating: 'ice_skating',
  // team sports
  soccer: 'soccer',
  basketball: 'basketball',
  volleyball: 'volleyball',
  baseball: 'baseball',
  softball: 'baseball',
  rugby: 'rugby',
  cricket: 'cricket',
  handball: 'handball',
  lacrosse: 'lacrosse',
  american_football: 'american_football',
  ice_hockey: 'hockey',
  field_hockey: 'hockey',
  // racket sports
  tennis: 'tennis',
  squash: 'squash',
  badminton: 'badminton',
  table_tennis: 'table_tennis',
  pickleball: 'pickleball',
  padel: 'padel',
  // combat
  boxing: 'boxing',
  kickboxing: 'boxing',
  martial_arts: 'martial_arts',
  wrestling: 'wrestling',
  // other sports
  rock_climbing: 'rock_climbing',
  climbing: 'rock_climbing',
  bouldering: 'bouldering',
  golf: 'golf',
  horseback_riding: 'horseback_riding',
  dancing: 'dance',
  dance: 'dance',
  aerobics: 'aerobics',
  group_exercise: 'group_exercise',
  gymnastics: 'gymnastics',
  triathlon: 'triathlon',
  housework: 'chores',
  gardening: 'chores',
};

/** `strengthTraining`, `Stand-up paddling` -> `strength_training`, `stand_up_paddling`. */
const normalised = (activity: string) =>
  activity
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

export function ouraWorkoutType(activity: unknown): WorkoutType {
  if (typeof activity !== 'string') return 'other';
  const key = normalised(activity);
  return Object.hasOwn(OURA_ACTIVITY_TYPES, key) ? OURA_ACTIVITY_TYPES[key]! : 'other';
}
