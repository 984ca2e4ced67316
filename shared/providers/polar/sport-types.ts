import type { WorkoutType } from '#shared/model/workout-types.js';
import { textOf } from '#shared/providers/json.js';

/**
 * Polar exercise sports -> unified WorkoutType (providers.md 4.2). Polar names the sport twice: a broad `sport`
 * (`RUNNING`, `CYCLING`, often just `OTHER`) and a `detailed_sport_info` naming the Flow sport (`RUNNING_TRAIL`,
 * `WATERSPORTS_KAYAKING`). The detailed name decides when it is known, whatever the broad one says; else the broad
 * one; else `other`.
 */

const DETAILED: Readonly<Record<string, WorkoutType>> = {
  RUNNING: 'running',
  RUNNING_ROAD: 'running',
  RUNNING_TRAIL: 'trail_running',
  RUNNING_TREADMILL: 'treadmill',
  CYCLING: 'cycling',
  CYCLING_ROAD: 'cycling',
  CYCLING_MOUNTAIN: 'mountain_biking',
  CYCLING_MOUNTAIN_BIKE: 'mountain_biking',
  CYCLING_INDOOR: 'indoor_cycling',
  CYCLING_CYCLOCROSS: 'cyclocross',
  SWIMMING: 'swimming',
  SWIMMING_POOL: 'pool_swimming',
  SWIMMING_OPEN_WATER: 'open_water_swimming',
  AQUATICS_SWIMMING: 'swimming',
  WALKING: 'walking',
  WALKING_NORDIC: 'walking',
  HIKING: 'hiking',
  MOUNTAINEERING: 'mountaineering',
  WINTERSPORTS_CROSS_COUNTRY_SKIING: 'cross_country_skiing',
  WINTERSPORTS_ALPINE_SKIING: 'alpine_skiing',
  WINTERSPORTS_BACKCOUNTRY_SKIING: 'backcountry_skiing',
  WINTERSPORTS_DOWNHILL_SKIING: 'downhill_skiing',
  WINTERSPORTS_SNOWBOARDING: 'snowboarding',
  WINTERSPORTS_SNOWSHOEING: 'snowshoeing',
  WINTERSPORTS_ICE_SKATING: 'ice_skating',
  STRENGTH_TRAINING: 'strength_training',
  FITNESS_CARDIO: 'cardio_training',
  FITNESS_ELLIPTICAL: 'elliptical',
  FITNESS_INDOOR_ROWING: 'rowing_machine',
  FITNESS_STAIR_CLIMBING: 'stair_climbing',
  FITNESS_YOGA: 'yoga',
  FITNESS_PILATES: 'pilates',
  FITNESS_STRETCHING: 'stretching',
  WATERSPORTS_ROWING: 'rowing',
  WATERSPORTS_KAYAKING: 'kayaking',
  WATERSPORTS_CANOEING: 'canoeing',
  WATERSPORTS_STAND_UP_PADDLING: 'stand_up_paddleboarding',
  WATERSPORTS_SURFING: 'surfing',
  WATERSPORTS_KITESURFING: 'kitesurfing',
  WATERSPORTS_WINDSURFING: 'windsurfing',
  WATERSPORTS_SAILING: 'sailing',
  WATERSPORTS_WATERSKI: 'water_skiing',
  TEAMSPORTS_SOCCER: 'soccer',
  TEAMSPORTS_FOOTBALL: 'football',
  TEAMSPORTS_AMERICAN_FOOTBALL: 'american_football',
  TEAMSPORTS_BASEBALL: 'baseball',
  TEAMSPORTS_BASKETBALL: 'basketball',
  TEAMSPORTS_VOLLEYBALL: 'volleyball',
  TEAMSPORTS_HANDBALL: 'handball',
  TEAMSPORTS_RUGBY: 'rugby',
  TEAMSPORTS_HOCKEY: 'hockey',
  TEAMSPORTS_FLOORBALL: 'floorball',
  RACKET_SPORTS_TENNIS: 'tennis',
  RACKET_SPORTS_BADMINTON: 'badminton',
  RACKET_SPORTS_SQUASH: 'squash',
  RACKET_SPORTS_TABLE_TENNIS: 'table_tennis',
  RACKET_SPORTS_PADEL: 'padel',
  COMBAT_SPORTS_BOXING: 'boxing',
  COMBAT_SPORTS_MARTIAL_ARTS: 'martial_arts',
  OUTDOOR_CLIMBING: 'rock_climbing',
  INDOOR_CLIMBING: 'indoor_climbing',
  ORIENTEERING: 'orienteering',
  GOLF: 'golf',
  INLINE_SKATING: 'inline_skating',
  SKATEBOARDING: 'skateboarding',
  HORSEBACK_RIDING: 'horseback_riding',
  TRIATHLON: 'triathlon',
  MOTORSPORTS: 'motorcycling',
  DANCE: 'dance',
};

const BROAD: Readonly<Record<string, WorkoutType>> = {
  RUNNING: 'running',
  CYCLING: 'cycling',
  SWIMMING: 'swimming',
  WALKING: 'walking',
  STRENGTH_TRAINING: 'strength_training',
  BASKETBALL: 'basketball',
  SOCCER: 'soccer',
  TENNIS: 'tennis',
  MULTISPORT: 'multisport',
  // Polar's catch-all: a workout of an unnamed sport.
  OTHER: 'generic',
};

const lookup = (table: Readonly<Record<string, WorkoutType>>, value: unknown) => {
  const key = textOf(value)?.toUpperCase();
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
};

export const polarWorkoutType = (sport: unknown, detailed: unknown): WorkoutType =>
  lookup(DETAILED, detailed) ?? lookup(BROAD, sport) ?? 'other';
