/**
 * `value` x 10^places as an integer, rounded half away from zero. The shift is done on the decimal text, so
 * 1.0005 (binary 1.000499999...) rounds up like the number the client wrote; `+ 0` turns -0 into 0.
 */
export function shiftRound(value: number, places: number): number {
  const [mantissa, exponent = '0'] = String(Math.abs(value)).split('e');
  return Math.sign(value) * Math.round(Number(`${mantissa}e${Number(exponent) + places}`)) + 0;
}

/**
 * Rounds to `places` decimals, half away from zero, as a numeric(…, places) column does; null stays null. A value
 * of 2^53 or more is already whole (and shifting it could overflow to Infinity), so it stays as it is.
 */
export function roundTo<T extends number | null>(value: T, places: number): T {
  if (value === null || Math.abs(value) >= 2 ** 53) return value;
  return (shiftRound(value, places) / 10 ** places) as T;
}
