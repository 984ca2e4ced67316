import type { Sample } from '#shared/model/health-data.js';
import { shiftRound } from '#shared/model/numbers.js';

/**
 * Binary encoding of one chunk: the samples of one (user, series, source) inside one time bucket.
 *
 * Layout (all integers are LEB128 varints, signed ones zigzag-encoded):
 *   format version | sample count
 *   time step | per sample: (timestamp - previous timestamp) / time step, the first relative to the bucket start
 *   value step | per sample: zigzag((milli value - previous milli value) / value step), the first relative to 0
 *   zone offsets: dictionary, then a per-sample dictionary index only when the dictionary has several entries
 *   daily-total flags: the same dictionary scheme
 *
 * Steps are the GCD of the deltas, so a regular series costs about one byte per timestamp (1-minute heart rate:
 * step 60 000 ms, every delta 1) and integer-valued series about one byte per value (step 1 000 milli-units).
 * Values are stored in thousandths, like the reference's numeric(10,3).
 */

const FORMAT_VERSION = 1;

/** Thousandths, rounded half away from zero as numeric(10,3) does. */
export function toMilli(value: number): number {
  const milli = shiftRound(value, 3);
  if (!Number.isSafeInteger(milli)) throw new RangeError(`Sample value out of range: ${value}`);
  return milli;
}

export const roundValue = (value: number): number => toMilli(value) / 1000;

/** Samples must be sorted by timestamp, unique per timestamp and not before the bucket start. */
export function encodeChunk(bucketStartMs: number, samples: readonly Sample[]): Uint8Array {
  const timeDeltas = deltas(bucketStartMs, samples.map(timestampOf));
  if (timeDeltas.some((delta, i) => delta < 0 || (i > 0 && delta === 0))) {
    throw new RangeError(
      'Chunk samples must be sorted, unique per timestamp and not before the bucket start',
    );
  }
  const out = new ByteWriter();
  out.uint(FORMAT_VERSION);
  out.uint(samples.length);
  writeDeltas(out, timeDeltas, false);
  writeDeltas(out, deltas(0, samples.map(milliValueOf)), true);
  writeDictionaryColumn(out, samples.map(zoneOffsetOf), writeZoneOffset);
  writeDictionaryColumn(out, samples.map(flagOf), writeFlag);
  return out.bytes();
}

const timestampOf = (s: Sample) => s.timestamp;
const milliValueOf = (s: Sample) => toMilli(s.value);
const zoneOffsetOf = (s: Sample) => s.zoneOffset;
const flagOf = (s: Sample) => s.isDailyTotal;

export function decodeChunk(bucketStartMs: number, bytes: Uint8Array): Sample[] {
  const input = new ByteReader(bytes);
  const version = input.uint();
  if (version !== FORMAT_VERSION) throw new Error(`Unknown chunk format version ${version}`);
  const count = input.uint();
  const timestamps = runningSum(bucketStartMs, readDeltas(input, count, false));
  const milliValues = runningSum(0, readDeltas(input, count, true));
  const zoneOffsets = readDictionaryColumn(input, count, readZoneOffset);
  const flags = readDictionaryColumn(input, count, readFlag);
  return timestamps.map((timestamp, i) => ({
    timestamp,
    value: milliValues[i]! / 1000,
    zoneOffset: zoneOffsets[i] ?? null,
    isDailyTotal: flags[i] ?? null,
  }));
}

function deltas(start: number, values: number[]): number[] {
  return values.map((value, i) => value - (i === 0 ? start : values[i - 1]!));
}

function runningSum(start: number, steps: number[]): number[] {
  let total = start;
  return steps.map((step) => {
    total += step;
    return total;
  });
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function writeDeltas(out: ByteWriter, values: number[], signed: boolean): void {
  const step = values.reduce((acc, v) => gcd(acc, Math.abs(v)), 0) || 1;
  out.uint(step);
  for (const value of values) {
    if (signed) out.int(value / step);
    else out.uint(value / step);
  }
}

function readDeltas(input: ByteReader, count: number, signed: boolean): number[] {
  const step = input.uint();
  return Array.from({ length: count }, () => (signed ? input.int() : input.uint()) * step);
}

/** Distinct values first; a per-sample index follows only when there is more than one. */
function writeDictionaryColumn<T>(
  out: ByteWriter,
  values: T[],
  writeEntry: (out: ByteWriter, value: T) => void,
) {
  const dictionary = [...new Set(values)];
  out.uint(dictionary.length);
  for (const entry of dictionary) writeEntry(out, entry);
  if (dictionary.length < 2) return;
  const index = new Map(dictionary.map((entry, i) => [entry, i]));
  for (const value of values) out.uint(index.get(value)!);
}

function readDictionaryColumn<T>(input: ByteReader, count: number, readEntry: (input: ByteReader) => T): T[] {
  const dictionary = Array.from({ length: input.uint() }, () => readEntry(input));
  if (dictionary.length < 2) return Array.from({ length: count }, () => dictionary[0]!);
  return Array.from({ length: count }, () => dictionary[input.uint()]!);
}

/** Length + 1, so that 0 stands for null. */
function writeZoneOffset(out: ByteWriter, zoneOffset: string | null): void {
  const utf8 = zoneOffset === null ? null : Buffer.from(zoneOffset, 'utf8');
  out.uint(utf8 === null ? 0 : utf8.length + 1);
  if (utf8) out.raw(utf8);
}

function readZoneOffset(input: ByteReader): string | null {
  const length = input.uint();
  return length === 0 ? null : Buffer.from(input.raw(length - 1)).toString('utf8');
}

const FLAG_CODES = [null, false, true] as const;
const writeFlag = (out: ByteWriter, flag: boolean | null) => out.uint(FLAG_CODES.indexOf(flag));
const readFlag = (input: ByteReader) => FLAG_CODES[input.uint()] ?? null;

/** Varints use arithmetic, not bit operators: milli-values and their deltas exceed 32 bits. */
class ByteWriter {
  private readonly buffer: number[] = [];

  uint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.buffer.push((rest % 0x80) + 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.buffer.push(rest);
  }

  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  raw(bytes: Uint8Array): void {
    for (const byte of bytes) this.buffer.push(byte);
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.buffer);
  }
}

class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Uint8Array) {}

  uint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.buffer[this.offset++];
      if (byte === undefined) throw new RangeError('Truncated chunk');
      value += (byte % 0x80) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }

  int(): number {
    const zigzag = this.uint();
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }

  raw(length: number): Uint8Array {
    if (this.offset + length > this.buffer.length) throw new RangeError('Truncated chunk');
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}
