import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { db } from '#shared/store/client.js';
import type { Developer } from '#shared/store/developers.js';
import { getInvitation, replaceInvitation } from '#shared/store/invitations.js';
import { adminSession, api, email, login } from '#test/helpers/team.js';

/** Contract 3.2 rows 63-67 and 4.16 (team: invitations), and our additions (tokens at rest, SES). */

let admin: Developer;
let adminToken: string;

beforeAll(async () => {
  ({ admin, adminToken } = await adminSession());
});

/** Moves an invitation's expiry into the past, as time would. */
async function expire(id: string) {
  const stored = (await getInvitation(id))!;
  await replaceInvitation(stored, { ...stored, expires_at: new Date(Date.now() - 1000).toISOString() });
}

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
    expect(await login(address, 'invited-password')).toBe(200);
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
    await expire(created.json.id);
    expect(await accept(created.json.token)).toEqual({
      status: 400,
      json: { detail: 'Invitation has expired' },
    });
    expect(await accept(created.json.token)).toEqual({
      status: 400,
      json: { detail: 'Invitation is expired' },
    });
  });

  it('list shows only active invitations: not accepted, revoked or expired ones', async () => {
    const [accepted, revoked, expired, open] = await Promise.all(
      ['accepted', 'revoked', 'expired', 'open'].map((label) => invite(email(label))),
    );
    await accept(accepted!.json.token);
    await api('DELETE', `/api/v1/invitations/${revoked!.json.id}`, { token: adminToken });
    await expire(expired!.json.id);
    const ids = (await api('GET', '/api/v1/invitations', { token: adminToken })).json.map(
      (i: { id: string }) => i.id,
    );
    expect(ids).toContain(open!.json.id);
    for (const gone of [accepted, revoked, expired]) expect(ids).not.toContain(gone!.json.id);
  });

  it('an expired invitation does not block a new one for the same email', async () => {
    const address = email('again');
    const first = await invite(address);
    await expire(first.json.id);
    const second = await invite(address);
    expect(second.status).toBe(201);
    expect((await accept(second.json.token)).status).toBe(201);
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

  it('a refused email leaves the invitation pending: listed, acceptable, and it can be resent', async () => {
    fail = true;
    const created = await api('POST', '/api/v1/invitations', {
      token: adminToken,
      json: { email: email('bounced') },
    });
    expect(created.json.status).toBe('pending');
    const listed = (await api('GET', '/api/v1/invitations', { token: adminToken })).json;
    expect(listed.find((i: { id: string }) => i.id === created.json.id)?.status).toBe('pending');
    fail = false;
    const resent = await api('POST', `/api/v1/invitations/${created.json.id}/resend`, { token: adminToken });
    expect(resent.json.status).toBe('sent');
    fail = true;
    const again = await api('POST', '/api/v1/invitations', {
      token: adminToken,
      json: { email: email('bounced') },
    });
    fail = false;
    const joined = await api('POST', '/api/v1/invitations/accept', {
      json: { token: again.json.token, first_name: 'Link', last_name: 'Holder', password: 'passed-on-link' },
    });
    expect(joined.status).toBe(201);
  });
});
