import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePolar, startFakePolar } from '#test/fakes/polar.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { appleExportText } from '#test/helpers/apple-export.js';
import { type E2eSession, startE2eSession, until } from '#test/helpers/e2e-session.js';
import { ADMIN_WRITES, writeChecks } from '#test/openapi/write-checks.js';

/**
 * The team, priorities, seed data, data lifecycle and Apple Health import writes, in the order an operator meets
 * them, each answering its documented status and body over the sandbox, plus one documented error each where it
 * is cheap; and the synchronous provider sync (async=false), whose 200 body writes.test.ts does not see.
 */

const MIB = 1024 * 1024;
const EXPORT = appleExportText({ days: 1, heartRatesPerDay: 4, start: Date.UTC(2024, 0, 1) });
const SYNC = 'POST /api/v1/providers/{provider}/users/{user_id}/sync';

let polar: FakePolar;
let sandbox: E2eSession;
const { checked, state, send, sendError } = writeChecks(() => sandbox);

beforeAll(async () => {
  polar = await startFakePolar();
  sandbox = await startE2eSession({ env: fakeProviderEnv('POLAR', polar) });
  state.user_id = await sandbox.createUser();
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await polar?.stop();
});

const dev = () => ({ headers: sandbox.bearer });
const key = () => ({ headers: sandbox.apiKey });

/** A multipart/form-data body with `file` = the export, as `fetch` would send it. */
async function exportUpload() {
  const form = new FormData();
  form.append('file', new Blob([EXPORT], { type: 'application/xml' }), 'export.xml');
  const request = new Request('http://upload.invalid/', { method: 'POST', body: form });
  const raw = new Uint8Array(await request.arrayBuffer());
  return { headers: { ...sandbox.apiKey, 'content-type': request.headers.get('content-type')! }, raw };
}

describe('documented admin writes answer what the document says, over the sandbox', () => {
  it('invites a developer, resends, accepts; updates and removes them; revokes another invitation', async () => {
    const invited = await send('POST /api/v1/invitations', {
      ...dev(),
      json: { email: 'grace@example.com' },
    });
    state.invitation_id = invited.json.id;
    const firstToken = invited.json.token as string;
    const resent = await send('POST /api/v1/invitations/{invitation_id}/resend', dev());
    expect(resent.json.token).not.toBe(firstToken);
    const profile = { first_name: 'Grace', last_name: 'Hopper', password: 'cobol-1959!' };
    await sendError('POST /api/v1/invitations/accept', 404, { json: { token: firstToken, ...profile } });
    const accepted = await send('POST /api/v1/invitations/accept', {
      json: { token: resent.json.token, ...profile },
    });
    expect(accepted.json.email).toBe('grace@example.com');
    state.developer_id = accepted.json.id;

    await send('PATCH /api/v1/developers/{developer_id}', { ...dev(), json: { last_name: 'Murray Hopper' } });
    await send('DELETE /api/v1/developers/{developer_id}', dev());
    await sendError('DELETE /api/v1/developers/{developer_id}', 404, dev());

    state.invitation_id = (
      await send('POST /api/v1/invitations', { ...dev(), json: { email: 'ada@example.com' } })
    ).json.id;
    await send('DELETE /api/v1/invitations/{invitation_id}', dev());
    await sendError('DELETE /api/v1/invitations/{invitation_id}', 400, dev());
  });

  it('sets provider and device-type priorities, one and several at once', async () => {
    state.provider = 'garmin';
    const one = await send('PUT /api/v1/priorities/providers/{provider}', {
      ...dev(),
      json: { priority: 3 },
    });
    expect(one.json).toMatchObject({ provider: 'garmin', priority: 3 });
    const several = await send('PUT /api/v1/priorities/providers', {
      ...dev(),
      json: {
        priorities: [
          { provider: 'oura', priority: 1 },
          { provider: 'apple', priority: 2 },
        ],
      },
    });
    expect(several.json.items.slice(0, 3).map((p: { provider: string }) => p.provider)).toEqual([
      'oura',
      'apple',
      'garmin',
    ]);
    await sendError('PUT /api/v1/priorities/providers', 400, {
      ...dev(),
      json: { priorities: [{ provider: 'oura', priority: 0 }] },
    });

    state.device_type = 'ring';
    await send('PUT /api/v1/priorities/device-types/{device_type}', { ...dev(), json: { priority: 2 } });
    await send('PUT /api/v1/priorities/device-types', {
      ...dev(),
      json: { priorities: [{ device_type: 'watch', priority: 1 }] },
    });
  });

  it('dispatches a small seed', async () => {
    const profile = {
      generate_time_series: false,
      num_connections: 1,
      workout_config: { count: 2 },
      sleep_config: { count: 2 },
    };
    const seeded = await send('POST /api/v1/settings/seed', {
      ...dev(),
      json: { num_users: 1, profile, random_seed: 42 },
    });
    expect(seeded.json.seed_used).toBe(42);
    await sendError('POST /api/v1/settings/seed', 400, { ...dev(), json: { num_users: 11 } });
  });

  it('sets the data lifecycle and starts an archival run', async () => {
    const settings = await send('PUT /api/v1/settings/archival', {
      ...dev(),
      json: { archive_after_days: 90, delete_after_days: 365 },
    });
    expect(settings.json.settings).toEqual({ archive_after_days: 90, delete_after_days: 365 });
    await sendError('PUT /api/v1/settings/archival', 400, {
      ...dev(),
      json: { archive_after_days: 90, delete_after_days: 30 },
    });
    await send('POST /api/v1/settings/archival/run', dev());
  });

  it('uploads an Apple Health export: presigned POST, multipart (with an abort), direct', async () => {
    const presigned = await send('POST /api/v1/users/{user_id}/import/apple/xml/s3', {
      ...key(),
      json: { filename: 'export.xml' },
    });
    expect(presigned.json.file_key).toBe(`${state.user_id}/raw/export.xml`);

    // One part of exactly the declared size (its URL signs Content-Length): the export padded to the 5 MiB minimum.
    const file = Buffer.alloc(5 * MIB, '\n');
    file.write(EXPORT);
    const created = await send('POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/create', {
      ...key(),
      json: { filename: 'big.xml', file_size: file.length },
    });
    await sendError('POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/create', 400, {
      ...key(),
      json: { file_size: 1024 },
    });
    const upload = { key: created.json.key, upload_id: created.json.upload_id };
    const signed = await send('POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/sign', {
      ...key(),
      json: { ...upload, part_numbers: [1] },
    });
    await sendError('POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/sign', 403, {
      ...key(),
      json: { key: 'someone-else/raw/export.xml', upload_id: upload.upload_id, part_numbers: [1] },
    });
    const put = await fetch(signed.json.urls[0].url, { method: 'PUT', body: file });
    expect(put.status).toBe(200);
    await send('POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/complete', {
      ...key(),
      json: { ...upload, parts: [{ part_number: 1, etag: put.headers.get('etag') ?? '' }] },
    });
    await sendError('POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/complete', 404, {
      ...key(),
      json: { ...upload, parts: [{ part_number: 1, etag: put.headers.get('etag') ?? '' }] },
    });

    const other = await sandbox.api(
      'POST',
      `/api/v1/users/${state.user_id}/import/apple/xml/s3/multipart/create`,
      {
        ...key(),
        json: { file_size: 6 * MIB },
      },
    );
    await send('POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/abort', {
      ...key(),
      json: { key: other.json.key, upload_id: other.json.upload_id },
    });

    const direct = await send('POST /api/v1/users/{user_id}/import/apple/xml/direct', await exportUpload());
    await sendError('POST /api/v1/users/{user_id}/import/apple/xml/direct', 400, {
      headers: { ...sandbox.apiKey, 'content-type': 'application/json' },
      raw: '{}',
    });
    // Both uploads are imported (so the sandbox stops with no import half done).
    await until(
      'the two imports',
      async () => {
        const runs = (await sandbox.get(`/api/v1/users/${state.user_id}/sync/runs`)) as Array<{
          run_id: string;
          source: string;
          ended_at: string | null;
        }>;
        const ended = runs.filter((r) => r.source === 'xml_import' && r.ended_at);
        return ended.length >= 2 && ended.some((r) => r.run_id === direct.json.task_id) ? true : undefined;
      },
      120_000,
    );
  }, 150_000);

  it('runs a provider sync in the request (async=false)', async () => {
    state.provider = 'polar';
    await sandbox.connect('polar', state.user_id!);
    // The connection's first sync is queued: once it has ended, a sync in the request has nothing to wait for.
    await sandbox.waitForRun(state.user_id!, 'polar');
    const inline = await send(SYNC, { ...key(), query: '?async=false' });
    expect(inline.status, inline.json.message).toBe(200);
    expect(inline.json).toMatchObject({ success: true, async: false });
  }, 200_000);

  it('has checked every admin write (and the synchronous sync)', () => {
    expect([...checked].sort()).toEqual([...ADMIN_WRITES, SYNC].sort());
  });
});
