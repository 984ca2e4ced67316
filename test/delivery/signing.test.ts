import fc from 'fast-check';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { newSigningSecret, signatureHeaders } from '#shared/delivery/signing.js';

/** Both receiver libraries, each given only its own header family. */
function verifiesWith(secret: string, body: string | Buffer, headers: Record<string, string>): boolean {
  const pick = (prefix: string) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith(prefix)));
  const attempts = [
    () => new SvixWebhook(secret).verify(body, pick('svix-')),
    () => new StandardWebhook(secret).verify(body, pick('webhook-')),
  ];
  const results = attempts.map((attempt) => {
    try {
      attempt();
      return true;
    } catch {
      return false;
    }
  });
  // Both libraries implement one algorithm: they never disagree.
  expect(results[0]).toBe(results[1]);
  return results[0]!;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const secretArbitrary = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`);
// Both libraries parse the verified body as JSON; the wire body always is.
const bodyArbitrary = fc.json({ maxDepth: 3, stringUnit: 'grapheme' });
const idArbitrary = fc.stringMatching(/^msg_[a-z2-7]{27}$/);

describe('newSigningSecret', () => {
  it('is whsec_ and 32 random bytes in base64, different every time', () => {
    const a = newSigningSecret();
    const b = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });
});

describe('signatureHeaders', () => {
  it('sends both header families with identical values', () => {
    const headers = signatureHeaders('msg_1', 1_700_000_000, '{}', [newSigningSecret()]);
    expect(Object.keys(headers).sort()).toEqual([
      'svix-id',
      'svix-signature',
      'svix-timestamp',
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ]);
    expect(headers['webhook-timestamp']).toBe('1700000000');
    expect(headers['svix-signature']).toBe(headers['webhook-signature']);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('signs once per secret, newest first, space-separated', () => {
    const [newer, older] = [newSigningSecret(), newSigningSecret()];
    const both = signatureHeaders('msg_1', 1, 'x', [newer, older])['webhook-signature']!.split(' ');
    expect(both).toEqual([
      signatureHeaders('msg_1', 1, 'x', [newer])['webhook-signature'],
      signatureHeaders('msg_1', 1, 'x', [older])['webhook-signature'],
    ]);
  });

  it('signs a Buffer body exactly as its UTF-8 text', () => {
    const secret = newSigningSecret();
    const text = '{"type":"workout.created","name":"Läufer 🏃"}';
    expect(signatureHeaders('m', 5, Buffer.from(text), [secret])).toEqual(
      signatureHeaders('m', 5, text, [secret]),
    );
  });

  it('refuses an empty secret list and a secret without the prefix', () => {
    expect(() => signatureHeaders('m', 1, '{}', [])).toThrow(/at least one/);
    expect(() => signatureHeaders('m', 1, '{}', ['c2VjcmV0'])).toThrow(/whsec_/);
  });

  it('verifies with svix and standardwebhooks for any body, id and secret', () => {
    fc.assert(
      fc.property(secretArbitrary, idArbitrary, bodyArbitrary, (secret, id, body) => {
        expect(verifiesWith(secret, body, signatureHeaders(id, nowSeconds(), body, [secret]))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('fails for a flipped byte of the body, a wrong secret or another id', () => {
    fc.assert(
      fc.property(
        secretArbitrary,
        secretArbitrary,
        idArbitrary,
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (secret, other, id, text, at, mask) => {
          fc.pre(other !== secret);
          const body = JSON.stringify({ text });
          const headers = signatureHeaders(id, nowSeconds(), body, [secret]);
          const tampered = Buffer.from(body);
          tampered[at % tampered.length]! ^= mask;
          expect(verifiesWith(secret, tampered, headers)).toBe(false);
          expect(verifiesWith(other, body, headers)).toBe(false);
          expect(verifiesWith(secret, body, { ...headers, 'svix-id': 'x', 'webhook-id': 'x' })).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('with two secrets (a rotation) verifies under either, and under no third', () => {
    fc.assert(
      fc.property(secretArbitrary, secretArbitrary, idArbitrary, bodyArbitrary, (newer, older, id, body) => {
        fc.pre(newer !== older);
        const headers = signatureHeaders(id, nowSeconds(), body, [newer, older]);
        expect(verifiesWith(newer, body, headers)).toBe(true);
        expect(verifiesWith(older, body, headers)).toBe(true);
        expect(verifiesWith(newSigningSecret(), body, headers)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('is rejected by both libraries when the timestamp is outside their 5-minute tolerance', () => {
    const secret = newSigningSecret();
    const headers = signatureHeaders('msg_1', nowSeconds() - 3_600, '{}', [secret]);
    expect(verifiesWith(secret, '{}', headers)).toBe(false);
  });
});
