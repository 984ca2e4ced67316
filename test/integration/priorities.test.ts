import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '#shared/identity/api-keys.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { issueTokens } from '#shared/identity/tokens.js';
import { createUser } from '#shared/identity/users.js';
import type { SourceRef } from '#shared/model/health-data.js';
import { PRIORITY_PROVIDERS } from '#shared/model/sources.js';
import { type DataSourceRecord, saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { insertEvent, newStoredEvent } from '#shared/store/events.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { runAsFunction } from '#shared/store/write-scopes.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { sleepDetails, sourceRef } from '#test/helpers/health-data.js';
import { handler as adminHandler } from '../../functions/admin.js';
import { handler as dataHandler } from '../../functions/data.js';

/**
 * The priorities through the real routes: the admin area stores them, and the data area's summaries and sleep
 * filter pick their source by them on the next read. Priorities are global, so this file's tests run in order.
 */

const WATCH = sourceRef('apple', 'Watch7,1', 'Apple Watch');
const PHONE = sourceRef('apple', 'iPhone15,2', 'iPhone');
const GARMIN = sourceRef('garmin', 'Forerunner 255', null);

let developer: Record<string, string>;
let apiKey: Record<string, string>;

beforeAll(async () => {
  await ensureAdminDeveloper();
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  const { access_token } = await issueTokens({
    token_type: 'developer',
    developer_id: admin!.id,
    credential_version: 0,
  });
  developer = { authorization: `Bearer ${access_token}` };
  apiKey = { 'x-open-wearables-api-key': (await createApiKey('priorities', admin!.id)).key };
});

/** One request to an area's function, run under that function's write scope as the sandbox runs it. */
async function call(
  area: 'admin' | 'data',
  method: string,
  path: string,
  options: { json?: unknown; query?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const handler = area === 'admin' ? adminHandler : dataHandler;
  const event = httpEvent(method, path, {
    headers: options.headers ?? (area === 'admin' ? developer : apiKey),
    ...(options.json === undefined ? {} : { json: options.json }),
    ...(options.query ? { query: options.query } : {}),
  });
  const result = (await runAsFunction(area, () =>
    handler(event, lambdaContext(area)),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, body: result.body ? JSON.parse(result.body) : undefined };
}

const put = (path: string, json: unknown) => call('admin', 'PUT', `/api/v1/priorities/${path}`, { json });
const list = async (segment: string) =>
  (await call('admin', 'GET', `/api/v1/priorities/${segment}`)).body.items as Array<Record<string, unknown>>;

async function userWith(refs: SourceRef[]) {
  const user = await createUser({});
  const records = refs.map((r) => toDataSource(user.id, r));
  await saveDataSources(user.id, records);
  return { userId: user.id, records };
}

/** Steps from every source on 2026-03-10 (UTC). */
async function stepsFromEach(userId: string, records: DataSourceRecord[]) {
  for (const [i, record] of records.entries()) {
    await writeSeriesSamples(userId, record.key, 'steps', [
      {
        timestamp: Date.parse('2026-03-10T09:00:00Z'),
        value: 1000 * (i + 1),
        zoneOffset: null,
        isDailyTotal: false,
      },
    ]);
  }
}

async function activitySource(userId: string) {
  const answer = await call('data', 'GET', `/api/v1/users/${userId}/summaries/activity`, {
    query: { start_date: '2026-03-10', end_date: '2026-03-11' },
  });
  expect(answer.status).toBe(200);
  return answer.body.data.map((d: { source: { provider: string; device: string } }) => d.source.device);
}

describe('the lists', () => {
  it('start as every provider and device type with its default, lower first, never stored', async () => {
    const providers = await list('providers');
    expect(providers.map((p) => p.provider).sort()).toEqual([...PRIORITY_PROVIDERS].sort());
    expect(providers.slice(0, 5)).toMatchObject([
      { provider: 'apple', priority: 1 },
      { provider: 'garmin', priority: 2 },
      { provider: 'polar', priority: 3 },
      { provider: 'suunto', priority: 4 },
      { provider: 'whoop', priority: 5 },
    ]);
    expect(providers.every((p) => p.id === null && p.created_at === null && p.updated_at === null)).toBe(
      true,
    );
    expect(providers.find((p) => p.provider === 'oura')?.priority).toBe(50);
    expect(await list('device-types')).toEqual(
      [
        ['watch', 1],
        ['band', 2],
        ['ring', 3],
        ['phone', 4],
        ['scale', 5],
        ['other', 6],
        ['unknown', 99],
      ].map(([device_type, priority]) => ({
        device_type,
        priority,
        id: null,
        created_at: null,
        updated_at: null,
      })),
    );
  });

  it('PUT one upserts it and answers the item; it keeps its id and creation time', async () => {
    const first = await put('providers/oura', { priority: 7 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ provider: 'oura', priority: 7 });
    expect(first.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.body.created_at).toMatch(/Z$/);
    const again = await put('providers/oura', { priority: 6 });
    expect(again.body).toMatchObject({ id: first.body.id, created_at: first.body.created_at, priority: 6 });
    const providers = await list('providers');
    expect(providers.map((p) => p.provider).slice(0, 6)).toEqual([
      'apple',
      'garmin',
      'polar',
      'suunto',
      'whoop',
      'oura',
    ]);
    expect(providers.find((p) => p.provider === 'oura')).toEqual(again.body);
  });

  it('the bulk PUT sets several at once and answers the whole list', async () => {
    const answer = await put('device-types', {
      priorities: [
        { device_type: 'ring', priority: 1 },
        { device_type: 'scale', priority: 2 },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((i: { device_type: string }) => i.device_type)).toEqual([
      'ring',
      'watch',
      'band',
      'scale',
      'phone',
      'other',
      'unknown',
    ]);
    // Back to the defaults for the source-choice tests below.
    await put('device-types', {
      priorities: [
        { device_type: 'ring', priority: 3 },
        { device_type: 'scale', priority: 5 },
      ],
    });
  });

  it.each([
    ['providers/oura', { priority: 0 }, 'Input should be greater than or equal to 1'],
    ['providers/oura', { priority: 101 }, 'Input should be less than or equal to 100'],
    ['providers/oura', { priority: 2.5 }, undefined],
    ['providers/oura', {}, 'Field required'],
    ['providers/nokia', { priority: 1 }, undefined],
    ['device-types/tablet', { priority: 1 }, undefined],
    ['providers', { priorities: [{ provider: 'nokia', priority: 1 }] }, undefined],
    ['device-types', { priority: 1 }, 'Field required'],
  ])('PUT %s %j is a 400', async (path, json, detail) => {
    const answer = await put(path, json);
    expect(answer.status).toBe(400);
    if (detail) expect(answer.body.detail).toBe(detail);
    else expect(answer.body.detail).toMatch(/^Input should be/);
  });

  it('a bulk PUT with one invalid entry changes nothing', async () => {
    const before = await list('providers');
    const answer = await put('providers', {
      priorities: [
        { provider: 'strava', priority: 1 },
        { provider: 'garmin', priority: 0 },
      ],
    });
    expect(answer.status).toBe(400);
    expect(await list('providers')).toEqual(before);
  });

  it('are the developer dashboard’s: an API key cannot read or change them', async () => {
    expect((await call('admin', 'GET', '/api/v1/priorities/providers', { headers: apiKey })).status).toBe(
      401,
    );
    const answer = await call('admin', 'PUT', '/api/v1/priorities/providers/garmin', {
      headers: apiKey,
      json: { priority: 1 },
    });
    expect(answer.status).toBe(401);
  });
});

describe('a change applies to the next read', () => {
  it('of the activity summary (provider priority)', async () => {
    const { userId, records } = await userWith([WATCH, GARMIN]);
    await stepsFromEach(userId, records);
    expect(await activitySource(userId)).toEqual(['Watch7,1']);
    expect((await put('providers/apple', { priority: 10 })).status).toBe(200);
    expect(await activitySource(userId)).toEqual(['Forerunner 255']);
    await put('providers/apple', { priority: 1 });
    expect(await activitySource(userId)).toEqual(['Watch7,1']);
  });

  it('of the activity summary (device-type priority)', async () => {
    const { userId, records } = await userWith([WATCH, PHONE]);
    await stepsFromEach(userId, records);
    expect(await activitySource(userId)).toEqual(['Watch7,1']);
    await put('device-types', { priorities: [{ device_type: 'watch', priority: 8 }] });
    expect(await activitySource(userId)).toEqual(['iPhone15,2']);
    await put('device-types/watch', { priority: 1 });
  });

  it('of events/sleep?filter_by_priority=true', async () => {
    const { userId, records } = await userWith([WATCH, GARMIN]);
    for (const [record, ref] of [
      [records[0]!, WATCH],
      [records[1]!, GARMIN],
    ] as const) {
      await insertEvent(
        newStoredEvent(userId, record.key, {
          category: 'sleep',
          type: 'sleep_session',
          source: ref,
          start: Date.parse('2026-03-09T22:00:00Z'),
          end: Date.parse('2026-03-10T06:00:00Z'),
          zoneOffset: '+00:00',
          durationSeconds: 8 * 3600,
          externalId: null,
          details: sleepDetails({ sleep_total_duration_minutes: 420 }),
        }),
      );
    }
    const sleepSources = async (filter: string) =>
      (
        await call('data', 'GET', `/api/v1/users/${userId}/events/sleep`, {
          query: { start_date: '2026-03-09', end_date: '2026-03-11', filter_by_priority: filter },
        })
      ).body.data.map((s: { source: { provider: string } }) => s.source.provider);
    expect(await sleepSources('true')).toEqual(['apple']);
    await put('providers', {
      priorities: [
        { provider: 'garmin', priority: 1 },
        { provider: 'apple', priority: 2 },
      ],
    });
    expect(await sleepSources('true')).toEqual(['garmin']);
    expect((await sleepSources('false')).sort()).toEqual(['apple', 'garmin']);
  });
});
