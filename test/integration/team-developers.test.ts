import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApplication, listApplicationViews } from '#shared/identity/applications.js';
import { removeDeveloper } from '#shared/identity/developers.js';
import { db } from '#shared/store/client.js';
import type { Developer } from '#shared/store/developers.js';
import { keys } from '#shared/store/keys.js';
import { statusOf } from '#test/helpers/status.js';
import { adminSession, api, email, member } from '#test/helpers/team.js';

/** Contract 3.2 rows 59-62 and 4.16 (team: developers), and our additions (last developer, hand-over, older accounts). */

let admin: Developer;
let adminToken: string;

beforeAll(async () => {
  ({ admin, adminToken } = await adminSession());
});

describe('developers', () => {
  it('lists every developer, the caller included, as DeveloperRead', async () => {
    const { developer } = await member('listed');
    const list = await api('GET', '/api/v1/developers', { token: adminToken });
    expect(list.status).toBe(200);
    const ids = list.json.map((d: { id: string }) => d.id);
    expect(ids).toEqual(expect.arrayContaining([developer.id]));
    expect(Object.keys(list.json.at(-1)).sort()).toEqual([
      'created_at',
      'email',
      'first_name',
      'id',
      'last_name',
      'updated_at',
    ]);
    expect(JSON.stringify(list.json)).not.toContain('scrypt');
  });

  it('a developer from before the team routes is listed without logging in, and can leave', async () => {
    const older = await member('older');
    const { doc, table } = db();
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.developer(older.developer.id),
        UpdateExpression: 'REMOVE GSI1PK, GSI1SK',
      }),
    );
    // As on a deployment from before the list: its backfill has not run.
    await doc.send(new DeleteCommand({ TableName: table, Key: { PK: 'DEV#SETUP', SK: 'LISTING' } }));
    const ids = async () =>
      (await api('GET', '/api/v1/developers', { token: adminToken })).json.map((d: Developer) => d.id);
    expect(await ids()).toContain(older.developer.id);
    expect(await ids()).toContain(older.developer.id);
    expect(
      (await api('DELETE', `/api/v1/developers/${older.developer.id}`, { token: older.token })).status,
    ).toBe(200);
  });

  it('a delete refused at the last moment hands nothing over', async () => {
    const caller = await member('caller');
    const target = await member('target');
    const app = await createApplication(target.developer.id, 'kept');
    // The caller is deleted between their request's checks and the delete itself.
    expect(
      (await api('DELETE', `/api/v1/developers/${caller.developer.id}`, { token: adminToken })).status,
    ).toBe(200);
    expect(await statusOf(removeDeveloper(caller.developer, target.developer.id))).toBe(400);
    expect((await listApplicationViews(target.developer.id)).map((a) => a.app_id)).toEqual([app.app_id]);
    expect(
      (await api('GET', `/api/v1/developers/${target.developer.id}`, { token: adminToken })).status,
    ).toBe(200);
  });

  it('GET one: 200, 404 with the reference text, 400 for a bad uuid', async () => {
    const { developer } = await member('one');
    expect(
      (await api('GET', `/api/v1/developers/${developer.id}`, { token: adminToken })).json,
    ).toMatchObject({
      id: developer.id,
      email: developer.email,
    });
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await api('GET', `/api/v1/developers/${missing}`, { token: adminToken })).toEqual({
      status: 404,
      json: { detail: `Developer with ID: ${missing} not found.` },
    });
    expect((await api('GET', '/api/v1/developers/not-a-uuid', { token: adminToken })).status).toBe(400);
    expect((await api('GET', `/api/v1/developers/${developer.id}`)).status).toBe(401);
  });

  it('PATCH works as PATCH /auth/me: names, email, password; 404; invalid 400', async () => {
    const { developer } = await member('patched');
    const path = `/api/v1/developers/${developer.id}`;
    const changed = await api('PATCH', path, {
      token: adminToken,
      json: { first_name: 'Ada', last_name: 'Lovelace', email: email('renamed') },
    });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace' });
    expect((await api('PATCH', path, { token: adminToken, json: {} })).status).toBe(200);
    expect((await api('PATCH', path, { token: adminToken, json: { email: 'nope' } })).status).toBe(400);
    expect((await api('PATCH', path, { token: adminToken, json: { password: 'short' } })).status).toBe(400);
    expect((await api('PATCH', path, { token: adminToken, json: { email: admin.email } })).json).toEqual({
      detail: 'A developer with this email already exists',
    });
    const missing = '00000000-0000-4000-8000-000000000001';
    expect(
      (await api('PATCH', `/api/v1/developers/${missing}`, { token: adminToken, json: {} })).status,
    ).toBe(404);
    // A new password ends the developer's sessions.
    const { token } = await member('session');
    const self = (await api('GET', '/api/v1/auth/me', { token })).json;
    await api('PATCH', `/api/v1/developers/${self.id}`, {
      token: adminToken,
      json: { password: 'another-password' },
    });
    expect((await api('GET', '/api/v1/auth/me', { token })).status).toBe(401);
  });

  it('DELETE returns the deleted developer, ends their sessions and hands their applications over', async () => {
    const { developer, token } = await member('leaving');
    const app = await createApplication(developer.id, 'their app');
    const deleted = await api('DELETE', `/api/v1/developers/${developer.id}`, { token: adminToken });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ id: developer.id, email: developer.email });
    expect((await api('GET', `/api/v1/developers/${developer.id}`, { token: adminToken })).status).toBe(404);
    expect((await api('DELETE', `/api/v1/developers/${developer.id}`, { token: adminToken })).status).toBe(
      404,
    );
    expect((await api('GET', '/api/v1/auth/me', { token })).status).toBe(401);
    expect((await listApplicationViews(admin.id)).map((a) => a.app_id)).toContain(app.app_id);
    // The email is free again.
    expect(
      (await api('POST', '/api/v1/invitations', { token: adminToken, json: { email: developer.email } }))
        .status,
    ).toBe(201);
    expect((await api('DELETE', '/api/v1/developers/not-a-uuid', { token: adminToken })).status).toBe(400);
  });

  it('a developer may leave while another remains; the last developer cannot be deleted', async () => {
    const { developer, token } = await member('self');
    expect((await api('DELETE', `/api/v1/developers/${developer.id}`, { token })).status).toBe(200);
    // Everyone but the admin goes; then the admin is the last one.
    const everyone = (await api('GET', '/api/v1/developers', { token: adminToken })).json as Developer[];
    for (const other of everyone.filter((d) => d.id !== admin.id)) {
      expect((await api('DELETE', `/api/v1/developers/${other.id}`, { token: adminToken })).status).toBe(200);
    }
    const last = await api('DELETE', `/api/v1/developers/${admin.id}`, { token: adminToken });
    expect(last).toEqual({
      status: 400,
      json: { detail: 'Cannot delete the last developer: invite another developer first' },
    });
  });

  it('two developers deleting each other at once leave one of them', async () => {
    const a = await member('pair-a');
    const b = await member('pair-b');
    // Past authentication, as both requests would be: through the API, a request that starts after the other one's
    // delete answers 401 instead (its caller is gone), which a loaded machine makes happen.
    const answers = await Promise.all([
      statusOf(removeDeveloper(a.developer, b.developer.id)),
      statusOf(removeDeveloper(b.developer, a.developer.id)),
    ]);
    expect(answers.sort()).toEqual([200, 400]);
    const remaining = (await api('GET', '/api/v1/developers', { token: adminToken })).json as Developer[];
    expect(remaining.filter((d) => d.id === a.developer.id || d.id === b.developer.id)).toHaveLength(1);
  });
});
