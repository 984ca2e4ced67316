import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { HttpError } from '#shared/http/errors.js';
import { decodeBody, MAX_BODY_BYTES, queryParams } from '#shared/http/request.js';

const event = (partial: Partial<APIGatewayProxyEventV2>) =>
  ({ headers: {}, ...partial }) as APIGatewayProxyEventV2;

const statusOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as HttpError).statusCode;
  }
  return 'no error';
};

describe('request decoding', () => {
  it('parses JSON whether or not it was base64-encoded by API Gateway', () => {
    const json = JSON.stringify({ a: 1 });
    expect(decodeBody(event({ body: json }), 'json')).toEqual({ a: 1 });
    expect(
      decodeBody(event({ body: Buffer.from(json).toString('base64'), isBase64Encoded: true }), 'json'),
    ).toEqual({ a: 1 });
  });

  it('inflates gzip bodies', () => {
    const body = gzipSync(JSON.stringify({ records: [1, 2, 3] })).toString('base64');
    const decoded = decodeBody(
      event({ body, isBase64Encoded: true, headers: { 'content-encoding': 'gzip' } }),
      'json',
    );
    expect(decoded).toEqual({ records: [1, 2, 3] });
  });

  it('refuses a gzip bomb with 413 rather than inflating it', () => {
    const bomb = gzipSync(Buffer.alloc(MAX_BODY_BYTES + 1024, 32)).toString('base64');
    expect(
      statusOf(() =>
        decodeBody(
          event({ body: bomb, isBase64Encoded: true, headers: { 'content-encoding': 'gzip' } }),
          'json',
        ),
      ),
    ).toBe(413);
  });

  it('answers 400 for invalid JSON and for corrupt gzip', () => {
    expect(statusOf(() => decodeBody(event({ body: '{"a":' }), 'json'))).toBe(400);
    expect(
      statusOf(() =>
        decodeBody(
          event({ body: 'bm90IGd6aXA=', isBase64Encoded: true, headers: { 'content-encoding': 'gzip' } }),
          'json',
        ),
      ),
    ).toBe(400);
  });

  it('answers 413 for bodies over the Lambda limit', () => {
    expect(statusOf(() => decodeBody(event({ body: 'x'.repeat(MAX_BODY_BYTES + 1) }), 'json'))).toBe(413);
  });

  it('decodes forms', () => {
    expect(decodeBody(event({ body: 'username=a%40b.c&password=p%26w' }), 'form')).toEqual({
      username: 'a@b.c',
      password: 'p&w',
    });
  });

  it('keeps repeated query keys as arrays', () => {
    expect(queryParams(event({ rawQueryString: 'types=a&types=b&limit=5' }))).toEqual({
      types: ['a', 'b'],
      limit: '5',
    });
    expect(queryParams(event({}))).toEqual({});
  });
});
