import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Bucket } from '#shared/imports/s3-bucket.js';

/**
 * The imports bucket on S3, against a stand-in for S3's HTTP answers: reads are of one ETag only (`If-Match`,
 * 412 when the object was replaced), also at the very end of the object; multipart uploads are `application/xml`
 * whatever the client asked for.
 */

const OBJECT = Buffer.from('<HealthData>0123456789</HealthData>');
const ETAG = '"9b2cf535f27731c974343645a3985328"';
const requests: IncomingMessage[] = [];
let server: Server;
let bucket: S3Bucket;

const xmlError = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req);
    const url = new URL(req.url ?? '/', 'http://s3.invalid');
    if (req.method === 'POST' && url.searchParams.has('uploads')) {
      res.writeHead(200, { 'content-type': 'application/xml' });
      return res.end(
        '<InitiateMultipartUploadResult><Bucket>imports</Bucket><Key>k</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>',
      );
    }
    if (req.headers['if-match'] !== ETAG) {
      res.writeHead(412, { 'content-type': 'application/xml' });
      return res.end(req.method === 'HEAD' ? undefined : xmlError('PreconditionFailed'));
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-length': OBJECT.length, etag: ETAG });
      return res.end();
    }
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    if (from >= OBJECT.length) {
      res.writeHead(416, { 'content-type': 'application/xml' });
      return res.end(xmlError('InvalidRange'));
    }
    res.writeHead(req.headers.range ? 206 : 200, {
      'content-length': OBJECT.length - from,
      'content-range': `bytes ${from}-${OBJECT.length - 1}/${OBJECT.length}`,
      etag: ETAG,
    });
    res.end(OBJECT.subarray(from));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  bucket = new S3Bucket('imports', client);
});
afterAll(() => new Promise((closed) => server.close(closed)));

describe('S3 imports bucket', () => {
  it('reads only the ETag asked for, from any offset, and tells a replaced object', async () => {
    const etag = ETAG.replace(/"/g, '');
    const read = await bucket.read('u/raw/x.xml', 12, etag);
    if (typeof read === 'string') throw new Error(read);
    expect(read.size).toBe(OBJECT.length);
    expect(Buffer.concat(await read.body.toArray()).toString()).toBe('0123456789</HealthData>');
    expect(await bucket.read('u/raw/x.xml', 0, 'another-etag')).toBe('changed');
    const atEnd = await bucket.read('u/raw/x.xml', OBJECT.length, etag);
    expect(typeof atEnd === 'string' ? atEnd : atEnd.size).toBe(OBJECT.length);
    expect(await bucket.read('u/raw/x.xml', OBJECT.length, 'another-etag')).toBe('changed');
    expect(requests.filter((r) => r.method === 'GET').every((r) => r.headers['if-match'])).toBe(true);
  });

  it('creates multipart uploads as application/xml', async () => {
    expect(await bucket.createMultipart('u/raw/x.xml')).toBe('up-1');
    expect(requests.at(-1)?.headers['content-type']).toBe('application/xml');
  });
});
