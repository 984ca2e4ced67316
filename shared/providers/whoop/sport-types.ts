import type { WorkoutType } from '#shared/model/workout-types.js';

/**
 * WHOOP sports (the `sport_name` of a v2 workout) -> unified workout types. WHOOP's documentation lists display
 * names ("Hiking/Rucking", "Track & Field", "Barry's") while the API sends lower-case slugs ("hiking-rucking");
 * both read the same here: names are compared as slugs (lower case, apostrophes dropped, any other run of
 * punctuation or spaces one hyphen). `sport_id` is deprecated since 2025-09-01 and not read.
 */
const WHOOP_SPORTS: Readonly<Record<string, WorkoutType>> = {
  // catch-all
  activity: 'generic',
  other: 'generic',
  // on foot
  running: 'running',
  'track-field': 'running',
  'track-and-field': 'running',
  'stroller-jogging': 'running',
  walking: 'walking',
  'stroller-walking': 'walking',
  'dog-walking': 'walking',
  caddying: 'walking',
  toddlerwearing: 'walking',
  babywearing: 'walking',
  'hiking-rucking': 'hiking',
  'wheelchair-pushing': 'wheelchair',
  // wheels
  cycling: 'cycling',
  'mountain-biking': 'mountain_biking',
  spin: 'indoor_cycling',
  'assault-bike': 'indoor_cycling',
  'inline-skating': 'inline_skating',
  skateboarding: 'skateboarding',
  // water
  swimming: 'swimming',
  'water-polo': 'water_polo',
  rowing: 'rowing',
  kayaking: 'kayaking',
  paddleboarding: 'stand_up_paddleboarding',
  surfing: 'surfing',
  sailing: 'sailing',
  diving: 'diving',
  'water-skiing': 'water_skiing',
  wakeboarding: 'wakeboarding',
  'kite-boarding': 'kitesurfing',
  // gym
  weightlifting: 'strength_training',
  powerlifting: 'strength_training',
  'strength-trainer': 'strength_training',
  'functional-fitness': 'cardio_training',
  hiit: 'cardio_training',
  'jumping-rope': 'cardio_training',
  'obstacle-course-racing': 'cardio_training',
  elliptical: 'elliptical',
  stairmaster: 'stair_climbing',
  climber: 'stair_climbing',
  'stadium-steps': 'stair_climbing',
  parkour: 'parkour',
  'f45-training': 'group_exercise',
  barrys: 'group_exercise',
  barre: 'group_exercise',
  barre3: 'group_exercise',
  // mind and body
  yoga: 'yoga',
  'hot-yoga': 'yoga',
  pilates: 'pilates',
  stretching: 'stretching',
  meditation: 'meditation',
  // snow and ice
  skiing: 'alpine_skiing',
  'cross-country-skiing': 'cross_country_skiing',
  snowboarding: 'snowboarding',
  'ice-skating': 'ice_skating',
  // team sports
  soccer: 'soccer',
  basketball: 'basketball',
  football: 'american_football',
  'australian-football': 'football',
  'gaelic-football': 'football',
  baseball: 'baseball',
  softball: 'baseball',
  volleyball: 'volleyball',
  rugby: 'rugby',
  lacrosse: 'lacrosse',
  cricket: 'cricket',
  'ice-hockey': 'hockey',
  'field-hockey': 'hockey',
  handball: 'handball',
  netball: 'sport',
  ultimate: 'sport',
  spikeball: 'sport',
  'hurling-camogie': 'sport',
  'hurling-and-camogie': 'sport',
  paintball: 'sport',
  // rackets
  tennis: 'tennis',
  squash: 'squash',
  badminton: 'badminton',
  'table-tennis': 'table_tennis',
  padel: 'padel',
  'paddle-tennis': 'padel',
  pickleball: 'pickleball',
  // combat
  boxing: 'boxing',
  kickboxing: 'boxing',
  'box-fitness': 'boxing',
  'martial-arts': 'martial_arts',
  'jiu-jitsu': 'martial_arts',
  wrestling: 'wrestling',
  fencing: 'fencing',
  // outdoors and other sports
  'rock-climbing': 'rock_climbing',
  golf: 'golf',
  'disc-golf': 'disc_sports',
  'horseback-riding': 'horseback_riding',
  polo: 'horseback_riding',
  triathlon: 'triathlon',
  duathlon: 'multisport',
  motocross: 'motorcycling',
  'motor-racing': 'motor_sports',
  gymnastics: 'gymnastics',
  dance: 'dance',
  'circus-arts': 'dance',
  'stage-performance': 'dance',
  // recovery
  'ice-bath': 'recovery',
  sauna: 'recovery',
  'massage-therapy': 'recovery',
  'air-compression': 'recovery',
  'percussive-massage': 'recovery',
  // work and life
  'operations-tactical': 'operations',
  'operations-medical': 'operations',
  'operations-flying': 'operations',
  'operations-water': 'operations',
  'manual-labor': 'work',
  'high-stress-work': 'work',
  coaching: 'work',
  'watching-sports': 'lifestyle',
  commuting: 'lifestyle',
  'public-speaking': 'lifestyle',
  'musical-performance': 'lifestyle',
  'dedicated-parenting': 'lifestyle',
  gaming: 'gaming',
  'yard-work': 'chores',
  cooking: 'chores',
  cleaning: 'chores',
};

export const sportSlug = (name: string) =>
  name
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** `sport_name` -> workout type; unknown or missing -> `other`. */
export function whoopWorkoutType(sportName: unknown): WorkoutType {
  if (typeof sportName !== 'string') return 'other';
  const slug = sportSlug(sportName);
  return Object.hasOwn(WHOOP_SPORTS, slug) ? WHOOP_SPORTS[slug]! : 'other';
}
