import { createHash, randomBytes } from 'node:crypto';

/** Ids of outgoing delivery: lower-case RFC 4648 base32, safe in paths and sortable as plain text. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + ALPHABET[(value << (5 - bits)) & 31] : out;
}

const ID_CHARS = 27;

/**
 * The message of an event: `msg_` and 27 base32 characters (135 bits) of SHA-256 of the event id, so every
 * duplicate emission of one event is one message, delivered under one `webhook-id`.
 */
export const messageIdOf = (eventId: string): string =>
  `msg_${base32(createHash('sha256').update(eventId).digest()).slice(0, ID_CHARS)}`;

/** A fresh random id: `ep_...` for endpoints, `atmpt_...` for attempts (135 random bits). */
export const newId = (prefix: 'ep' | 'atmpt' | 'test'): string =>
  `${prefix}_${base32(randomBytes(17)).slice(0, ID_CHARS)}`;
