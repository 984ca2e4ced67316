import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExport } from '#shared/imports/export-stream.js';
import { appleExportText } from '#test/helpers/apple-export.js';
import { type E2eSession, startE2eSession, until } from '#test/helpers/e2e-session.js';

/**
 * Apple Health export imports through the sandbox: presigned form POST to the local bucket -> notification ->
 * worker -> data readable; the same samples pushed by the SDK add nothing; direct and multipart uploads; the
 * routes' validation, ownership checks and 404s.
 */

const DAYS = 2;
const HEART_RATES = 6;
const EXPORT = appleExportText({ days: DAYS, heartRatesPerDay: HEART_RATES, start: Date.UTC(2024, 0, 1) });
const HEART_RATE = '/timeseries?start_time=2024-01-01&end_time=2024-01-03&types=heart_rate&limit=100';
const WORKOUTS = '/events/workouts?start_date=2023-12-31&end_date=2024-01-03';

let sandbox: E2eSession;
let apiKey: Record<string, string>;
let appCredentials: { app_id: string; app_secret: string };

beforeAll(async () => {
  sandbox = await startE2eSession();
  apiKey = sandbox.apiKey;
  const app = await sandbox.api('POST', '/api/v1/applications', {
    headers: sandbox.bearer,
    json: { name: 'Mobile app' },
  });
  appCredentials = { app_id: app.json.app_id, app_secret: app.json.app_secret };
});
afterAll(() => sandbox?.stop());

async function newUser(): Promise<string> {
  const user = await sandbox.api('POST', '/api/v1/users', { headers: apiKey, json: {} });
  expect(user.status).toBe(201);
  return user.json.id;
}

const base = (userId: string) => `/api/v1/users/${userId}/import/apple/xml`;
const post = (path: string, json: unknown, headers = apiKey) => sandbox.api('POST', path, { headers, json });
const read = async (userId: string, path: string) =>
  (await sandbox.api('GET', `/api/v1/users/${userId}${path}`, { headers: apiKey })).json;

/** An import is seconds of local SQS polling and DynamoDB Local writes; two busy cores can make it more. */
const IMPORT_TIMEOUT_MS = 150_000;

/** The import run of a user once it has ended (polled, bounded below the test's timeout). */
const finishedImport = (userId: string): Promise<Record<string, unknown>> =>
  until(
    'the import to finish',
    async () => {
      const runs = (await read(userId, '/sync/runs')) as Array<Record<string, unknown>>;
      return runs.find((r) => r.source === 'xml_import' && r.ended_at);
    },
    IMPORT_TIMEOUT_MS - 20_000,
  );

function exportForm(fields: Record<string, string>, bytes = EXPORT) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([bytes], { type: 'application/xml' }), 'export.xml');
  return form;
}

describe('Apple Health export import', { timeout: IMPORT_TIMEOUT_MS }, () => {
  it('presigned POST -> local bucket -> worker: data readable, and an SDK push of the same samples adds nothing', async () => {
    const userId = await newUser();
    const presigned = await post(`${base(userId)}/s3`, { filename: 'export.xml' });
    expect(presigned.status).toBe(200);
    expect(presigned.json).toMatchObject({
      file_key: `${userId}/raw/export.xml`,
      expires_in: 300,
      max_file_size: 52428800,
      bucket: 'imports',
    });
    expect(presigned.json.form_fields).toMatchObject({
      key: `${userId}/raw/export.xml`,
      'Content-Type': 'application/xml',
    });

    const wrongType = exportForm({ ...presigned.json.form_fields, 'Content-Type': 'text/plain' });
    expect((await fetch(presigned.json.upload_url, { method: 'POST', body: wrongType })).status).toBe(403);
    const upload = await fetch(presigned.json.upload_url, {
      method: 'POST',
      body: exportForm(presigned.json.form_fields),
    });
    expect(upload.status).toBe(204);

    const run = await finishedImport(userId);
    expect(run).toMatchObject({ provider: 'apple', status: 'success', progress: 1 });
    const heartRates = (await read(userId, HEART_RATE)).data;
    expect(heartRates).toHaveLength(DAYS * HEART_RATES);
    expect(heartRates[0]).toMatchObject({ type: 'heart_rate', value: 55, unit: 'bpm' });
    const workouts = (await read(userId, WORKOUTS)).data;
    expect(workouts).toHaveLength(DAYS);
    expect(workouts[0]).toMatchObject({ type: 'running' });

    // The same samples as the iOS SDK sends them, through the SDK push route.
    const token = await sandbox.api('POST', `/api/v1/users/${userId}/token`, { json: appCredentials });
    const data = { records: [] as unknown[], sleep: [] as unknown[], workouts: [] as unknown[] };
    for await (const element of readExport([Buffer.from(EXPORT)])) {
      data.records.push(...element.items.records);
      data.sleep.push(...element.items.sleep);
      data.workouts.push(...element.items.workouts);
    }
    const pushed = await sandbox.api('POST', `/api/v1/sdk/users/${userId}/sync`, {
      headers: { authorization: `Bearer ${token.json.access_token}` },
      json: { provider: 'apple', sdkVersion: '0.6.0', syncTimestamp: '2024-03-01T08:00:00Z', data },
    });
    expect(pushed.status).toBe(202);
    expect(pushed.json.workouts_saved).toBe(0);
    expect((await read(userId, HEART_RATE)).data).toEqual(heartRates);
    expect((await read(userId, WORKOUTS)).data).toHaveLength(DAYS);
  });

  it('direct upload: processed the same way, its task id is the sync run', async () => {
    const userId = await newUser();
    const form = exportForm({});
    const response = await fetch(`${sandbox.url}${base(userId)}/direct`, {
      method: 'POST',
      headers: apiKey,
      body: form,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'processing', user_id: userId });
    const run = await finishedImport(userId);
    expect(run).toMatchObject({ run_id: body.task_id, status: 'success' });
    expect((await read(userId, HEART_RATE)).data).toHaveLength(DAYS * HEART_RATES);
  });

  it('multipart: create, sign, PUT the part, complete -> imported; abort is idempotent', async () => {
    const userId = await newUser();
    // A part has exactly the size declared (its URL signs Content-Length): the export, padded to the 5 MiB minimum.
    const file = Buffer.concat([Buffer.from(EXPORT)], 5 * 1024 * 1024).fill('\n', Buffer.byteLength(EXPORT));
    const created = await post(`${base(userId)}/s3/multipart/create`, {
      filename: 'big.xml',
      file_size: file.length,
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      key: `${userId}/raw/big.xml`,
      bucket: 'imports',
      part_size: 100 * 1024 * 1024,
    });
    const { key, upload_id } = created.json;
    const signed = await post(`${base(userId)}/s3/multipart/sign`, { key, upload_id, part_numbers: [1] });
    expect(signed.status).toBe(200);
    const [{ part_number, url }] = signed.json.urls;
    expect(part_number).toBe(1);
    expect((await fetch(url, { method: 'PUT', body: EXPORT })).status).toBe(403);
    const put = await fetch(url, { method: 'PUT', body: file });
    expect(put.status).toBe(200);
    const etag = put.headers.get('etag') ?? '';
    const wrong = await post(`${base(userId)}/s3/multipart/complete`, {
      key,
      upload_id,
      parts: [{ part_number: 1, etag: '"x"' }],
    });
    expect(wrong.status).toBe(400);
    const done = await post(`${base(userId)}/s3/multipart/complete`, {
      key,
      upload_id,
      parts: [{ part_number: 1, etag }],
    });
    expect(done.status).toBe(200);
    expect(done.json).toEqual({ status: 'uploaded', key, bucket: 'imports', task_id: null });
    expect(await finishedImport(userId)).toMatchObject({ status: 'success' });
    expect((await read(userId, WORKOUTS)).data).toHaveLength(DAYS);

    const other = await post(`${base(userId)}/s3/multipart/create`, { file_size: 6 * 1024 * 1024 });
    for (let i = 0; i < 2; i++) {
      const aborted = await post(`${base(userId)}/s3/multipart/abort`, {
        key: other.json.key,
        upload_id: other.json.upload_id,
      });
      expect(aborted.json).toEqual({ status: 'aborted', key: other.json.key });
    }
  });

  it('validates input, checks key ownership and answers 404 for an unknown user', async () => {
    const userId = await newUser();
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await post(`${base(missing)}/s3`, {})).status).toBe(404);
    expect((await post(`${base(missing)}/s3/multipart/create`, { file_size: 6 * 1024 * 1024 })).status).toBe(
      404,
    );
    expect((await sandbox.api('POST', `${base(userId)}/s3`, { json: {} })).status).toBe(401);
    expect((await post(`${base(userId)}/s3`, { expiration_seconds: 10 })).status).toBe(400);
    expect((await post(`${base(userId)}/s3`, { max_file_size: 2 * 1024 * 1024 * 1024 })).status).toBe(400);
    expect((await post(`${base(userId)}/s3/multipart/create`, { file_size: 1024 })).status).toBe(400);
    expect(
      (
        await post(`${base(userId)}/s3/multipart/sign`, {
          key: `${userId}/raw/x.xml`,
          upload_id: 'u',
          part_numbers: [0],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await post(`${base(userId)}/s3/multipart/sign`, {
          key: `${userId}/raw/x.xml`,
          upload_id: 'u',
          part_numbers: [10_001],
        })
      ).status,
    ).toBe(400);
    const foreign = await post(`${base(userId)}/s3/multipart/sign`, {
      key: 'someone-else/raw/export.xml',
      upload_id: 'u',
      part_numbers: [1],
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json).toEqual({ detail: 'Object key does not belong to this user' });
    const unknownUpload = await post(`${base(userId)}/s3/multipart/complete`, {
      key: `${userId}/raw/x.xml`,
      upload_id: 'nope',
      parts: [{ part_number: 1, etag: 'e' }],
    });
    expect(unknownUpload.status).toBe(404);
    const noFile = await sandbox.api('POST', `${base(userId)}/direct`, {
      headers: { ...apiKey, 'content-type': 'application/json' },
      raw: '{}',
    });
    expect(noFile.status).toBe(400);
  });
});
