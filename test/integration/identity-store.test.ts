import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { createApiKey, deleteKey, listApiKeyViews, renameKey, rotateKey } from '#shared/identity/api-keys.js';
import { createApplication, rotateApplicationSecret } from '#shared/identity/applications.js';
import { sha256 } from '#shared/identity/credentials.js';
import {
  authenticateDeveloper,
  ensureAdminDeveloper,
  removeDeveloper,
  updateProfile,
} from '#shared/identity/developers.js';
import { createInvitationCode, redeem } from '#shared/identity/invitation-codes.js';
import { issueTokens, tokensForAppCredentials } from '#shared/identity/tokens.js';
import { createUser, deleteUser, updateUser } from '#shared/identity/users.js';
import { runErasureJob } from '#shared/jobs/erasure.js';
import { findApiKeyIdByHash } from '#shared/store/api-keys.js';
import { db } from '#shared/store/client.js';
import { createDeveloper, EmailTaken, getDeveloperByEmail } from '#shared/store/developers.js';
import { userItemKeys } from '#shared/store/users.js';
import { useLocalQueues } from '#test/helpers/local-queues.js';
import { statusOf } from '#test/helpers/status.js';

// DELETE /users queues erasure's second pass on a real (local) queue.
useLocalQueues();

async function tableDump(): Promise<string> {
  const { doc, table } = db();
  const out = await doc.send(new ScanCommand({ TableName: table }));
  return JSON.stringify(out.Items);
}

describe('developers', () => {
  it('the admin is created once, even by concurrent cold starts, and can log in', async () => {
    await Promise.all([ensureAdminDeveloper(), ensureAdminDeveloper(), ensureAdminDeveloper()]);
    const admin = await authenticateDeveloper(process.env.ADMIN_EMAIL!, process.env.ADMIN_PASSWORD!);
    expect(admin?.email).toBe(process.env.ADMIN_EMAIL);
    expect(await authenticateDeveloper(process.env.ADMIN_EMAIL!, 'wrong password')).toBeUndefined();
    expect(await authenticateDeveloper('nobody@example.com', 'whatever1')).toBeUndefined();
    expect(await tableDump()).not.toContain(process.env.ADMIN_PASSWORD!);
  });

  it('a removed or renamed bootstrap admin never comes back with the deployment password', async () => {
    await ensureAdminDeveloper();
    const admin = (await getDeveloperByEmail(process.env.ADMIN_EMAIL!))!;
    const renamed = await updateProfile(admin, { email: 'renamed-admin@example.com' });
    await ensureAdminDeveloper();
    expect(await getDeveloperByEmail(process.env.ADMIN_EMAIL!)).toBeUndefined();
    const other = await createDeveloper({ email: 'other-dev@example.com', password_hash: 'x' });
    await removeDeveloper(other, renamed.id);
    await ensureAdminDeveloper();
    expect(await getDeveloperByEmail(process.env.ADMIN_EMAIL!)).toBeUndefined();
    expect(
      await authenticateDeveloper(process.env.ADMIN_EMAIL!, process.env.ADMIN_PASSWORD!),
    ).toBeUndefined();
  });

  it('a deployment from before the bootstrap marker gets the marker, and no admin', async () => {
    const { doc, table } = db();
    await doc.send(new DeleteCommand({ TableName: table, Key: { PK: 'DEV#SETUP', SK: 'BOOTSTRAP' } }));
    await ensureAdminDeveloper();
    expect(await getDeveloperByEmail(process.env.ADMIN_EMAIL!)).toBeUndefined();
    expect(await tableDump()).toContain('"SK":"BOOTSTRAP"');
  });

  it('emails are unique regardless of case', async () => {
    await createDeveloper({ email: 'Dev@Example.com', password_hash: 'x' });
    await expect(createDeveloper({ email: 'dev@example.com', password_hash: 'x' })).rejects.toBeInstanceOf(
      EmailTaken,
    );
  });
});

describe('API keys', () => {
  it('are stored hashed: the key appears nowhere in the table, yet authenticates by hash', async () => {
    const created = await createApiKey('ci', 'dev-1');
    expect(created.key).toMatch(/^sk-[0-9a-f]{32}$/);
    expect(await tableDump()).not.toContain(created.key);
    expect(await findApiKeyIdByHash(sha256(created.key))).toBe(created.id);
    const listed = (await listApiKeyViews()).find((k) => k.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      name: 'ci',
      key_prefix: created.key_prefix,
      created_by: 'dev-1',
      created_at: created.created_at,
    });
  });

  it('rotate replaces the key atomically with one named "Default"; the old key stops authenticating', async () => {
    const created = await createApiKey('mine', 'dev-1');
    const rotated = await rotateKey(created.id, 'dev-1');
    expect(rotated.key).not.toBe(created.key);
    expect(rotated.name).toBe('Default');
    expect(await findApiKeyIdByHash(sha256(created.key))).toBeUndefined();
    expect(await findApiKeyIdByHash(sha256(rotated.key))).toBe(rotated.id);
    expect(await statusOf(rotateKey(created.id, 'dev-1'))).toBe(404);
  });

  it('can be managed by id or by the full key (reference-style id)', async () => {
    const created = await createApiKey('old', 'dev-1');
    expect((await renameKey(created.key, 'renamed')).name).toBe('renamed');
    expect((await renameKey(created.id, undefined)).name).toBe('renamed');
    expect((await deleteKey(created.key)).id).toBe(created.id);
    expect(await statusOf(deleteKey(created.id))).toBe(404);
    expect(await findApiKeyIdByHash(sha256(created.key))).toBeUndefined();
  });
});

describe('applications', () => {
  it('secrets are hashed, shown once, and rotation invalidates the old secret', async () => {
    const user = await createUser({});
    const app = await createApplication('dev-1', 'mobile');
    expect(await tableDump()).not.toContain(app.app_secret);
    await tokensForAppCredentials(user.id, app.app_id, app.app_secret);
    const rotated = await rotateApplicationSecret('dev-1', app.app_id);
    expect(rotated.app_id).toBe(app.app_id);
    expect(await statusOf(tokensForAppCredentials(user.id, app.app_id, app.app_secret))).toBe(401);
    expect(await statusOf(tokensForAppCredentials(user.id, app.app_id, rotated.app_secret))).toBe(200);
    expect(await statusOf(rotateApplicationSecret('dev-2', app.app_id))).toBe(404);
  });
});

describe('invitation codes', () => {
  it('a new code revokes the old; a code redeems once, even under concurrency', async () => {
    const user = await createUser({});
    const first = await createInvitationCode(user.id, 'dev-1');
    const second = await createInvitationCode(user.id, 'dev-1');
    expect(await statusOf(redeem(first.code, '10.0.0.1'))).toBe(404);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => statusOf(redeem(second.code, '10.0.0.1'))),
    );
    expect(outcomes.filter((s) => s === 200)).toHaveLength(1);
    expect(outcomes.filter((s) => s === 404)).toHaveLength(4);
  });
});

describe('users', () => {
  it('external_user_id stays unique across create and update', async () => {
    await createUser({ external_user_id: 'ext-1' });
    expect(await statusOf(createUser({ external_user_id: 'ext-1' }))).toBe(400);
    const other = await createUser({ external_user_id: 'ext-2' });
    expect(await statusOf(updateUser(other.id, { external_user_id: 'ext-1' }))).toBe(400);
    await updateUser(other.id, { external_user_id: 'ext-3' });
    await createUser({ external_user_id: 'ext-2' });
  });

  it('duplicate emails are allowed', async () => {
    const a = await createUser({ email: 'same@example.com' });
    const b = await createUser({ email: 'same@example.com' });
    expect(a.id).not.toBe(b.id);
  });

  it('erasure removes every item of the user (tokens, codes, locks) and nothing of others', async () => {
    const user = await createUser({ external_user_id: `erase-${Date.now()}` });
    const bystander = await createUser({});
    await issueTokens({ token_type: 'sdk', user_id: user.id, app_id: 'a', credential_version: 0 });
    await issueTokens({ token_type: 'sdk', user_id: bystander.id, app_id: 'a', credential_version: 0 });
    await createInvitationCode(user.id, 'dev-1');
    // The items found through the GSI appear once it has caught up (at once on DynamoDB Local): wait for that.
    await vi.waitFor(async () => expect((await userItemKeys(user.id)).length).toBeGreaterThanOrEqual(4), {
      timeout: 15_000,
      interval: 50,
    });
    await deleteUser(user.id);
    // Only the tombstone is left, until erasure's delayed second pass removes it.
    expect(await userItemKeys(user.id)).toEqual([{ PK: `USER#${user.id}`, SK: 'PROFILE' }]);
    await runErasureJob({ user_id: user.id, final: true }, Date.now() + 10_000);
    expect(await tableDump()).not.toContain(user.id);
    expect((await userItemKeys(bystander.id)).length).toBeGreaterThanOrEqual(2);
    expect(await statusOf(deleteUser(user.id))).toBe(404);
  });
});
