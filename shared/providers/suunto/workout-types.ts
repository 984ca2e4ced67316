import type { WorkoutType } from '#shared/model/workout-types.js';
import { numberOf } from '#shared/providers/json.js';

/**
 * Suunto's `activityId` (the activity list of Suunto's Activities.pdf, by id) -> unified workout types. Ids 4-9
 * are the watches' free "Sports" slots; 89 is not assigned. Unknown ids are `other`.
 */
export const SUUNTO_ACTIVITY_TYPES: Readonly<Record<number, WorkoutType>> = {
  0: 'walking',
  1: 'running',
  2: 'cycling',
  3: 'cross_country_skiing',
  4: 'sport',
  5: 'sport',
  6: 'sport',
  7: 'sport',
  8: 'sport',
  9: 'sport',
  10: 'mountain_biking',
  11: 'hiking',
  12: 'inline_skating', // roller skating
  13: 'alpine_skiing', // downhill skiing
  14: 'paddling',
  15: 'rowing',
  16: 'golf',
  17: 'fitness_equipment', // indoor sports
  18: 'parkour',
  19: 'team_sports', // ball games
  20: 'fitness_equipment', // outdoor gym
  21: 'swimming',
  22: 'trail_running',
  23: 'strength_training', // gym
  24: 'walking', // nordic walking
  25: 'horseback_riding',
  26: 'motorcycling', // motorsports
  27: 'skateboarding',
  28: 'water_sports',
  29: 'rock_climbing', // climbing
  30: 'snowboarding',
  31: 'backcountry_skiing', // ski touring
  32: 'aerobics', // fitness class
  33: 'soccer',
  34: 'tennis',
  35: 'basketball',
  36: 'badminton',
  37: 'baseball',
  38: 'volleyball',
  39: 'american_football',
  40: 'table_tennis',
  41: 'racquetball',
  42: 'squash',
  43: 'floorball',
  44: 'handball',
  45: 'baseball', // softball
  46: 'bowling',
  47: 'cricket',
  48: 'rugby',
  49: 'ice_skating',
  50: 'hockey', // ice hockey
  51: 'yoga', // yoga / pilates
  52: 'indoor_cycling',
  53: 'treadmill',
  54: 'strength_training', // crossfit
  55: 'elliptical', // crosstrainer
  56: 'cross_country_skiing', // roller skiing
  57: 'rowing_machine', // indoor rowing
  58: 'stretching',
  59: 'running', // track and field
  60: 'orienteering',
  61: 'stand_up_paddleboarding',
  62: 'martial_arts', // combat sport
  63: 'strength_training', // kettlebell
  64: 'dance',
  65: 'snowshoeing',
  66: 'disc_sports', // frisbee golf
  67: 'soccer', // futsal
  68: 'multisport',
  69: 'aerobics',
  70: 'hiking', // trekking
  71: 'sailing',
  72: 'kayaking',
  73: 'strength_training', // circuit training
  74: 'triathlon',
  75: 'padel',
  76: 'aerobics', // cheerleading
  77: 'boxing',
  78: 'diving', // scuba diving
  79: 'diving', // freediving
  80: 'multisport', // adventure racing
  81: 'gymnastics',
  82: 'canoeing',
  83: 'mountaineering',
  84: 'alpine_skiing', // telemark skiing
  85: 'open_water_swimming',
  86: 'windsurfing',
  87: 'kitesurfing',
  88: 'paragliding',
  90: 'snorkeling',
  91: 'surfing',
  92: 'multisport', // swimrun
  93: 'multisport', // duathlon
  94: 'multisport', // aquathlon
  95: 'running', // obstacle racing
  96: 'fishing',
  97: 'hunting',
  98: 'transition',
  99: 'cycling', // gravel cycling
  100: 'swimming', // mermaiding
  101: 'diving', // spearfishing
  102: 'cardio_training', // jump rope
  103: 'running', // track running
  104: 'strength_training', // calisthenics
  105: 'e_biking',
  106: 'e_biking', // e-MTB
  107: 'backcountry_skiing',
  108: 'para_sports', // wheelchair sport
  109: 'cycling', // hand cycling
  110: 'snowboarding', // splitboarding
  111: 'multisport', // biathlon
  112: 'meditation',
  113: 'hockey', // field hockey
  114: 'cyclocross',
  115: 'trail_running', // vertical running
  116: 'mountaineering', // ski mountaineering
  117: 'cross_country_skiing', // skate skiing
  118: 'cross_country_skiing', // classic skiing
  119: 'chores',
  120: 'pilates',
  121: 'yoga',
};

/** An integer `activityId` (or its decimal text) by the table; anything else is `other`. */
export function suuntoWorkoutType(activityId: unknown): WorkoutType {
  const id = numberOf(activityId);
  return id !== null && Number.isInteger(id) && Object.hasOwn(SUUNTO_ACTIVITY_TYPES, id)
    ? SUUNTO_ACTIVITY_TYPES[id]!
    : 'other';
}
