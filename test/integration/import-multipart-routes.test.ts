import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { createApiKey } from '#shared/identity/api-keys.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { createUser } from '#shared/identity/users.js';
import { withLocalBucket } from '#shared/sandbox/local-bucket.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';

/**
 * Multipart uploads are held to the size declared at create: part URLs only for the parts that size needs, each
 * signed for its exact length (S3 refuses any other), at most 500 a call, living at most an hour. The sandbox's
 * upload endpoint checks part signatures as S3 does.
 */

const MIB = 1024 * 1024;
let headers: Record<string, string>;
let root: string;
let server: Server;
const { handler } = await import('../../functions/sdk.js');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ow-multipart-'));
  server = createServer(withLocalBucket((_req, res) => res.writeHead(404).end()));
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  Object.assign(process.env, {
    OBJECTS_DIR: root,
    IMPORTS_BUCKET: 'imports',
    IMPORTS_UPLOAD_ENDPOINT: `http://127.0.0.1:${port}/_local/s3`,
  });
  resetEnvCache();
  await ensureAdminDeveloper();
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  headers = { 'x-open-wearables-api-key': (await createApiKey('imports', admin!.id)).key };
});
afterAll(async () => {
  await new Promise((closed) => server.close(closed));
  await rm(root, { recursive: true, force: true });
});

async function call(userId: string, route: string, json: unknown) {
  const path = `/api/v1/users/${userId}/import/apple/xml/s3${route}`;
  const result = (await handler(
    httpEvent('POST', path, { headers, json }),
    lambdaContext('sdk'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(String(result.body)) };
}

async function created(fileSize: number) {
  const user = await createUser({});
  const upload = await call(user.id, '/multipart/create', { filename: 'big.xml', file_size: fileSize });
  expect(upload.status).toBe(201);
  return { userId: user.id, key: upload.body.key as string, upload_id: upload.body.upload_id as string };
}

const signedPart = (url: string) => {
  const query = new URL(url).searchParams;
  return {
    signedHeaders: query.get('X-Amz-SignedHeaders')?.split(';'),
    expires: Number(query.get('X-Amz-Expires')),
  };
};

describe('multipart uploads within the declared size', () => {
  it('signs only the parts the declared size needs, each for its exact length, for at most an hour', async () => {
    const { userId, key, upload_id } = await created(150 * MIB);
    const signed = await call(userId, '/multipart/sign', { key, upload_id, part_numbers: [1, 2] });
    expect(signed.status).toBe(200);
    for (const { url } of signed.body.urls) {
      expect(signedPart(url)).toEqual({ signedHeaders: ['content-length', 'host'], expires: 3600 });
    }
    const beyond = await call(userId, '/multipart/sign', { key, upload_id, part_numbers: [2, 3] });
    expect(beyond).toEqual({
      status: 400,
      body: { detail: 'Part number 3 is beyond the 2 part(s) of this upload' },
    });
    expect((await call(userId, '/multipart/sign', { key, upload_id, part_numbers: [10_000] })).status).toBe(
      400,
    );
    const completeBeyond = await call(userId, '/multipart/complete', {
      key,
      upload_id,
      parts: [{ part_number: 3, etag: '"x"' }],
    });
    expect(completeBeyond.status).toBe(400);
  });

  it('caps part URLs per call and their lifetime; an unknown upload is a 404', async () => {
    const { userId, key, upload_id } = await created(6 * MIB);
    const many = Array.from({ length: 501 }, (_, i) => i + 1);
    expect((await call(userId, '/multipart/sign', { key, upload_id, part_numbers: many })).status).toBe(400);
    const day = { key, upload_id, part_numbers: [1], expiration_seconds: 86_400 };
    expect((await call(userId, '/multipart/sign', day)).status).toBe(400);
    const unknown = await call(userId, '/multipart/sign', {
      key,
      upload_id: '00000000-0000-4000-8000-000000000000',
      part_numbers: [1],
    });
    expect(unknown).toEqual({ status: 404, body: { detail: 'Multipart upload not found: NoSuchUpload' } });
  });
});

describe("the sandbox's part upload endpoint", () => {
  it('accepts a part only with a valid signature and the signed length', async () => {
    const { userId, key, upload_id } = await created(6 * MIB);
    const signed = await call(userId, '/multipart/sign', { key, upload_id, part_numbers: [1] });
    const url: string = signed.body.urls[0].url;
    const part = Buffer.alloc(6 * MIB, 'a');

    const shorter = await fetch(url, { method: 'PUT', body: part.subarray(1) });
    expect(shorter.status).toBe(403);
    expect(await shorter.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const tampered = new URL(url);
    const sig = tampered.searchParams.get('X-Amz-Signature')!;
    tampered.searchParams.set('X-Amz-Signature', `${sig[0] === '0' ? '1' : '0'}${sig.slice(1)}`);
    expect((await fetch(tampered, { method: 'PUT', body: part })).status).toBe(403);
    const otherPart = new URL(url);
    otherPart.searchParams.set('partNumber', '2');
    expect((await fetch(otherPart, { method: 'PUT', body: part })).status).toBe(403);
    const notANumber = new URL(url);
    notANumber.searchParams.set('partNumber', 'abc');
    const invalid = await fetch(notANumber, { method: 'PUT', body: part });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('<Code>InvalidArgument</Code>');

    const put = await fetch(url, { method: 'PUT', body: part });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('escapes the text of its error messages', async () => {
    const user = await createUser({});
    const presigned = await call(user.id, '', { filename: 'export.xml' });
    const form = new FormData();
    for (const [name, value] of Object.entries(presigned.body.form_fields as Record<string, string>)) {
      form.append(name, name === 'Content-Type' ? 'text/plain' : value);
    }
    form.append('file', new Blob(['<HealthData/>']), 'export.xml');
    const refused = await fetch(presigned.body.upload_url, { method: 'POST', body: form });
    expect(refused.status).toBe(403);
    const message = /<Message>(.*)<\/Message>/.exec(await refused.text())?.[1];
    expect(message).toBe(
      'Invalid according to Policy: Policy Condition failed: [&quot;eq&quot;,&quot;$Content-Type&quot;,&quot;application/xml&quot;]',
    );
  });
});
