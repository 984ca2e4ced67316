import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (what Svix sends and what the reference's integrators verify): the key is the base64
 * part of a `whsec_` secret, the signed content `<message id>.<unix seconds>.<raw body>`, each signature
 * `v1,<base64 HMAC-SHA256>`, several separated by spaces (during a rotation both the new and the old secret sign).
 */
export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** A fresh signing secret: `whsec_` and 32 random bytes in base64. */
export const newSigningSecret = (): string =>
  `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;

const keyOf = (secret: string): Buffer => {
  if (!secret.startsWith(SECRET_PREFIX)) throw new TypeError('a signing secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
};

/** One `v1,` signature of a message under one secret. */
function sign(secret: string, messageId: string, timestampSeconds: number, body: string | Buffer): string {
  const hmac = createHmac('sha256', keyOf(secret));
  hmac.update(`${messageId}.${timestampSeconds}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

/**
 * The headers of one delivery, in both spellings receivers check (`webhook-*` of Standard Webhooks, `svix-*` of
 * the reference's Svix): one signature per secret, in the order given (newest first).
 */
export function signatureHeaders(
  messageId: string,
  timestampSeconds: number,
  body: string | Buffer,
  secrets: string[],
): Record<string, string> {
  if (secrets.length === 0) throw new TypeError('at least one signing secret is needed');
  const timestamp = String(Math.floor(timestampSeconds));
  const signatures = secrets.map((secret) => sign(secret, messageId, Number(timestamp), body)).join(' ');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures,
    'svix-id': messageId,
    'svix-timestamp': timestamp,
    'svix-signature': signatures,
  };
}
