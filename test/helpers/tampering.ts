import fc from 'fast-check';

/** A body, a secret, and a byte flip (position wrapped to the body, a non-zero XOR mask): signature properties. */
export const signedBodyCase = fc.record({
  body: fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  secret: fc.string({ minLength: 1, maxLength: 64 }),
  position: fc.nat(),
  mask: fc.integer({ min: 1, max: 255 }),
});

/** A copy of `bytes` with the byte at `position` (wrapped) XORed with `mask`: never equal to the original. */
export function flipByte(bytes: Buffer, position: number, mask: number): Buffer {
  const copy = Buffer.from(bytes);
  const at = position % copy.length;
  copy[at] = copy[at]! ^ mask;
  return copy;
}
