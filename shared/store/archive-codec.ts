import type { DayAggregate, Stats, Totals } from '#shared/archival/day-aggregate.js';
import { toMilli } from '#shared/store/chunk-codec.js';

/**
 * Binary encoding of the archived days of one (user, series, source, UTC month) (series-archive.ts): a format byte,
 * then per day present, ascending: day of month (1..31), flags (1 intraday, 2 daily totals), the intraday stats
 * (count, sum, min, max) and the totals (the same, then the latest total and its epoch ms). Every number is a
 * zigzag LEB128 varint of an integer (values in thousandths, exact like the stored samples): a minute-resolution
 * heart-rate day costs about 14 bytes, so a full month stays well under one write unit with its keys.
 */

const FORMAT_VERSION = 1;
const INTRADAY = 1;
const TOTALS = 2;

export type MonthDays = Map<number, DayAggregate>;

/** Arithmetic rather than bitwise: integers up to 2^53, beyond 32 bits. */
function writeVarint(out: number[], value: number): void {
  let z = value >= 0 ? value * 2 : -value * 2 - 1;
  while (z >= 128) {
    out.push((z % 128) + 128);
    z = Math.floor(z / 128);
  }
  out.push(z);
}

function readVarint(bytes: Uint8Array, at: { i: number }): number {
  let z = 0;
  let scale = 1;
  for (;;) {
    const byte = bytes[at.i++]!;
    z += (byte % 128) * scale;
    if (byte < 128) break;
    scale *= 128;
  }
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

export function encodeMonth(days: MonthDays): Uint8Array {
  const out: number[] = [FORMAT_VERSION];
  const stats = (s: Stats) => {
    writeVarint(out, s.count);
    writeVarint(out, Math.round(s.sumMilli));
    writeVarint(out, toMilli(s.min));
    writeVarint(out, toMilli(s.max));
  };
  for (const [day, d] of [...days].sort(([a], [b]) => a - b)) {
    out.push(day, (d.intraday ? INTRADAY : 0) | (d.totals ? TOTALS : 0));
    if (d.intraday) stats(d.intraday);
    if (d.totals) {
      stats(d.totals);
      writeVarint(out, toMilli(d.totals.latest));
      writeVarint(out, d.totals.latestAt);
    }
  }
  return Uint8Array.from(out);
}

export function decodeMonth(bytes: Uint8Array): MonthDays {
  if (bytes[0] !== FORMAT_VERSION) throw new Error(`Unknown archive format ${bytes[0]}`);
  const at = { i: 1 };
  const next = () => readVarint(bytes, at);
  const stats = (): Stats => ({ count: next(), sumMilli: next(), min: next() / 1000, max: next() / 1000 });
  const days: MonthDays = new Map();
  while (at.i < bytes.length) {
    const day = bytes[at.i++]!;
    const flags = bytes[at.i++]!;
    const intraday = flags & INTRADAY ? stats() : null;
    let totals: Totals | null = null;
    if (flags & TOTALS) {
      const s = stats();
      totals = { ...s, latest: next() / 1000, latestAt: next() };
    }
    days.set(day, { intraday, totals });
  }
  return days;
}
