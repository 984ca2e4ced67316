import { randomInt, randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { defineRoute, type Route } from '#shared/http/route.js';
import { assertSeedFits } from '#shared/seed/budget.js';
import { dispatchSeed } from '#shared/seed/dispatch.js';
import { SEED_PRESETS } from '#shared/seed/presets.js';
import {
  SLEEP_STAGE_PROFILES,
  seedDataRequest,
  seedProfile,
  stageDistribution,
} from '#shared/seed/profiles.js';

const seedDataResponse = z
  .object({ task_id: z.string(), status: z.literal('dispatched'), seed_used: z.number().check(z.int()) })
  .check(z.meta({ id: 'SeedDataResponse' }));

const presetList = z
  .array(
    z.object({
      id: z.string(),
      label: z.string(),
      description: z.string(),
      profile: seedProfile.check(z.meta({ id: 'SeedProfileConfig' })),
    }),
  )
  .check(z.meta({ id: 'SeedPresetList' }));

const sleepProfileList = z
  .array(
    z.object({ id: z.string(), label: z.string(), description: z.string(), distribution: stageDistribution }),
  )
  .check(z.meta({ id: 'SleepStageProfileList' }));

/** Synthetic data (contract 10.4): POST /settings/seed and its presets. Served by the admin area. */
export const seedRoutes: Route[] = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/settings/seed',
    auth: 'DEV',
    tag: 'Seed data',
    summary:
      'Generate synthetic users and data (through the SDK ingest path; the data lands within seconds to minutes). At most 24 months back and about a million records per request (400 beyond)',
    status: 202,
    body: z._default(seedDataRequest, seedDataRequest.parse({})),
    response: seedDataResponse,
    handle: async ({ body }) => {
      const seed = body.random_seed ?? randomInt(0, 2 ** 31 - 1);
      const taskId = randomUUID();
      const now = Date.now();
      assertSeedFits(body, now);
      await dispatchSeed(body, seed, taskId, now);
      return { task_id: taskId, status: 'dispatched' as const, seed_used: seed };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/settings/seed/presets',
    auth: 'DEV',
    tag: 'Seed data',
    summary: 'The seed data presets and their profiles',
    response: presetList,
    handle: async () => Object.entries(SEED_PRESETS).map(([id, preset]) => ({ id, ...preset })),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/settings/seed/sleep-profiles',
    auth: 'DEV',
    tag: 'Seed data',
    summary: 'The sleep stage profiles a seed profile may name',
    response: sleepProfileList,
    handle: async () =>
      Object.entries(SLEEP_STAGE_PROFILES).map(([id, profile]) => ({
        id,
        label: profile.label,
        description: profile.description,
        distribution: profile.distribution,
      })),
  }),
];
