import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Generated credentials, in the reference's formats. */
export const newApiKey = () => `sk-${hex(16)}`;
export const newAppId = () => `app_${hex(16)}`;
export const newAppSecret = () => `secret_${hex(32)}`;
export const newRefreshToken = () => `rt-${hex(16)}`;

/** Masked form shown in listings: enough to recognise a key, useless to an attacker (96 bits remain hidden). */
export const maskApiKey = (key: string) => `${key.slice(0, 11)}...`;

/**
 * Generated secrets carry >=128 bits of entropy, so a plain SHA-256 is a safe at-rest form and allows
 * lookup by hash. Passwords are low-entropy and get scrypt instead.
 */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const derived = await scryptAsync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${derived.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem };
  const derived = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, options);
  return timingSafeEqual(derived, expected);
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
