import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { createApplication, listApplicationViews } from '#shared/identity/applications.js';
import { hashPassword } from '#shared/identity/credentials.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { issueTokens } from '#shared/identity/tokens.js';
import { db } from '#shared/store/client.js';
import { createDeveloper, type Developer, getDeveloperByEmail } from '#shared/store/developers.js';
import { getInvitation, replaceInvitation } from '#shared/store/invitations.js';
import { keys } from '#shared/store/keys.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/tokens.js';

/** Contract 3.2 rows 59-67 and 4.16 (team), test_auth.py's developer rows, and our additions (last developer, tokens at rest, SES). */

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly and assert on them.
  json: any;
}

async function api(method: string, path: string, options: { token?: string; json?: unknown } = {}) {
  const event = httpEvent(method, path, {
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    ...(options.json !== undefined && { json: options.json }),
  });
  const result = (await handler(event, lambdaContext('tokens'))) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, json: result.body ? JSON.parse(result.body) : undefined } as Answer;
}

const tokenOf = async (developer: Developer) =>
  (
    await issueTokens({
      token_type: 'developer',
      developer_id: developer.id,
      credential_version: developer.credential_version ?? 0,
    })
  ).access_token;

let admin: Developer;
let adminToken: string;
let counter = 0;
const email = (label: string) => `${label}-${++counter}@team.test`;

async function member(label: string): Promise<{ developer: Developer; token: string }> {
  const developer = await createDeveloper({
    email: email(label),
    password_hash: await hashPassword('password-1'),
  });
  return { developer, token: await tokenOf(developer) };
}

beforeAll(async () => {
  await ensureAdminDeveloper();
  admin = (await getDeveloperByEmail(process.env.ADMIN_EMAIL!))!;
  adminToken = await tokenOf(admin);
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

  it('a developer from before the team routes joins the list at their next login', async () => {
    const { developer } = await member('older');
    const { doc, table } = db();
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.developer(developer.id),
        UpdateExpression: 'REMOVE GSI1PK, GSI1SK',
      }),
    );
    const ids = async () =>
      (await api('GET', '/api/v1/developers', { token: adminToken })).json.map((d: Developer) => d.id);
    expect(await ids()).not.toContain(developer.id);
    const login = await handler(
      httpEvent('POST', '/api/v1/auth/login', {
        form: { username: developer.email, password: 'password-1' },
      }),
      lambdaContext('tokens'),
    );
    expect((login as APIGatewayProxyStructuredResultV2).statusCode).toBe(200);
    expect(await ids()).toContain(developer.id);
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
    const answers = await Promise.all([
      api('DELETE', `/api/v1/developers/${b.developer.id}`, { token: a.token }),
      api('DELETE', `/api/v1/developers/${a.developer.id}`, { token: b.token }),
    ]);
    expect(answers.map((x) => x.status).sort()).toEqual([200, 400]);
    const remaining = (await api('GET', '/api/v1/developers', { token: adminToken })).json as Developer[];
    expect(remaining.filter((d) => d.id === a.developer.id || d.id === b.developer.id)).toHaveLength(1);
  });
});

describe('invitations', () => {
  const invite = (address: string) =>
    api('POST', '/api/v1/invitations', { token: adminToken, json: { email: address } });
  const accept = (token: string, password = 'invited-password') =>
    api('POST', '/api/v1/invitations/accept', {
      json: { token, first_name: 'New', last_name: 'Member', password },
    });

  it('create answers 201 InvitationRead with the token; the table keeps only its hash', async () => {
    const address = email('invitee');
    const created = await invite(address);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ email: address, status: 'pending', invited_by_id: admin.id });
    expect(created.json.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(created.json.expires_at) - Date.parse(created.json.created_at)) / 86_400_000;
    expect(Math.round(days)).toBe(7);
    const { doc, table } = db();
    const items = await doc.send(new ScanCommand({ TableName: table }));
    expect(JSON.stringify(items.Items)).not.toContain(created.json.token);
  });

  it('refuses an existing developer and a second open invitation with the reference texts', async () => {
    expect((await invite(admin.email)).json).toEqual({
      detail: 'A developer with this email already exists',
    });
    const address = email('twice');
    await invite(address);
    expect(await invite(address.toUpperCase())).toEqual({
      status: 400,
      json: { detail: 'A pending invitation already exists for this email' },
    });
    expect((await invite('not-an-email')).status).toBe(400);
  });

  it('list shows open invitations newest first, with a hint of the token, never the token', async () => {
    const first = await invite(email('list'));
    const second = await invite(email('list'));
    const list = await api('GET', '/api/v1/invitations', { token: adminToken });
    expect(list.status).toBe(200);
    const ids = list.json.map((i: { id: string }) => i.id);
    expect(ids.indexOf(second.json.id)).toBeLessThan(ids.indexOf(first.json.id));
    expect(JSON.stringify(list.json)).not.toContain(first.json.token);
    const shown = list.json.find((i: { id: string }) => i.id === first.json.id);
    expect(shown.token).toBe(`${first.json.token.slice(0, 6)}...`);
  });

  it('accept creates a developer who can log in; a second accept is refused', async () => {
    const address = email('joins');
    const created = await invite(address);
    const joined = await accept(created.json.token);
    expect(joined.status).toBe(201);
    expect(joined.json).toMatchObject({ email: address, first_name: 'New', last_name: 'Member' });
    const login = await handler(
      httpEvent('POST', '/api/v1/auth/login', { form: { username: address, password: 'invited-password' } }),
      lambdaContext('tokens'),
    );
    expect((login as APIGatewayProxyStructuredResultV2).statusCode).toBe(200);
    expect(await accept(created.json.token)).toEqual({
      status: 400,
      json: { detail: 'Invitation is accepted' },
    });
    const listed = (await api('GET', '/api/v1/invitations', { token: adminToken })).json;
    expect(listed.map((i: { id: string }) => i.id)).not.toContain(created.json.id);
    const team = (await api('GET', '/api/v1/developers', { token: adminToken })).json;
    expect(team.map((d: { id: string }) => d.id)).toContain(joined.json.id);
  });

  it('accept: unknown token 404, invalid body 400, expired 400', async () => {
    expect(await accept('no-such-token')).toEqual({ status: 404, json: { detail: 'Invitation not found' } });
    expect((await accept('x', 'short')).status).toBe(400);
    expect(
      (
        await api('POST', '/api/v1/invitations/accept', {
          json: { token: 'x', first_name: '', last_name: 'L', password: 'long-enough' },
        })
      ).status,
    ).toBe(400);
    const created = await invite(email('late'));
    const stored = (await getInvitation(created.json.id))!;
    await replaceInvitation(stored, { ...stored, expires_at: new Date(Date.now() - 1000).toISOString() });
    expect(await accept(created.json.token)).toEqual({
      status: 400,
      json: { detail: 'Invitation has expired' },
    });
    expect(await accept(created.json.token)).toEqual({
      status: 400,
      json: { detail: 'Invitation is expired' },
    });
  });

  it('revoke: 200 with status revoked, then 400; 404 unknown; a revoked token is refused', async () => {
    const created = await invite(email('revoked'));
    const revoked = await api('DELETE', `/api/v1/invitations/${created.json.id}`, { token: adminToken });
    expect(revoked).toMatchObject({ status: 200, json: { id: created.json.id, status: 'revoked' } });
    expect(await api('DELETE', `/api/v1/invitations/${created.json.id}`, { token: adminToken })).toEqual({
      status: 400,
      json: { detail: 'Cannot revoke invitation with status: revoked' },
    });
    const missing = '00000000-0000-4000-8000-000000000002';
    expect(await api('DELETE', `/api/v1/invitations/${missing}`, { token: adminToken })).toEqual({
      status: 404,
      json: { detail: 'Invitation not found' },
    });
    expect(await accept(created.json.token)).toEqual({
      status: 400,
      json: { detail: 'Invitation is revoked' },
    });
    expect(await api('POST', `/api/v1/invitations/${created.json.id}/resend`, { token: adminToken })).toEqual(
      { status: 400, json: { detail: 'Cannot resend invitation with status: revoked' } },
    );
  });

  it('resend issues a new token and expiry; the old token stops working', async () => {
    const created = await invite(email('resent'));
    const resent = await api('POST', `/api/v1/invitations/${created.json.id}/resend`, { token: adminToken });
    expect(resent.status).toBe(200);
    expect(resent.json.token).not.toBe(created.json.token);
    expect(resent.json.id).toBe(created.json.id);
    expect(await accept(created.json.token)).toEqual({
      status: 404,
      json: { detail: 'Invitation not found' },
    });
    expect((await accept(resent.json.token)).status).toBe(201);
    const missing = '00000000-0000-4000-8000-000000000003';
    expect((await api('POST', `/api/v1/invitations/${missing}/resend`, { token: adminToken })).status).toBe(
      404,
    );
  });
});

describe('invitation email through SES (fake SES v2 endpoint)', () => {
  // biome-ignore lint/suspicious/noExplicitAny: the request bodies SES received, read field by field.
  const sent: Array<{ path: string; body: any }> = [];
  let fail = false;
  let server: Server;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        sent.push({ path: req.url ?? '', body: JSON.parse(body || '{}') });
        res.writeHead(fail ? 400 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(fail ? { message: 'Email address is not verified.' } : { MessageId: 'm-1' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      INVITATION_EMAIL_SENDER: 'team@example.com',
      INVITATION_ACCEPT_URL: 'https://dashboard.example.com/accept-invite',
    });
    resetEnvCache();
  });

  afterAll(async () => {
    for (const name of ['AWS_ENDPOINT_URL_SESV2', 'INVITATION_EMAIL_SENDER', 'INVITATION_ACCEPT_URL']) {
      delete process.env[name];
    }
    resetEnvCache();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the link from the configured identity; the invitation is then sent', async () => {
    const address = email('mailed');
    const created = await api('POST', '/api/v1/invitations', { token: adminToken, json: { email: address } });
    expect(created.json.status).toBe('sent');
    const message = sent.at(-1)!;
    expect(message.path).toBe('/v2/email/outbound-emails');
    expect(message.body).toMatchObject({
      FromEmailAddress: 'team@example.com',
      Destination: { ToAddresses: [address] },
    });
    const text: string = message.body.Content.Simple.Body.Text.Data;
    expect(text).toContain(`https://dashboard.example.com/accept-invite?token=${created.json.token}`);
    // A sent invitation can be accepted.
    const joined = await api('POST', '/api/v1/invitations/accept', {
      json: {
        token: created.json.token,
        first_name: 'Mail',
        last_name: 'Reader',
        password: 'mailed-password',
      },
    });
    expect(joined.status).toBe(201);
  });

  it('a refused email marks the invitation failed; it stays listed and can be resent', async () => {
    fail = true;
    const created = await api('POST', '/api/v1/invitations', {
      token: adminToken,
      json: { email: email('bounced') },
    });
    expect(created.json.status).toBe('failed');
    const listed = (await api('GET', '/api/v1/invitations', { token: adminToken })).json;
    expect(listed.find((i: { id: string }) => i.id === created.json.id)?.status).toBe('failed');
    fail = false;
    const resent = await api('POST', `/api/v1/invitations/${created.json.id}/resend`, { token: adminToken });
    expect(resent.json.status).toBe('sent');
  });
});
