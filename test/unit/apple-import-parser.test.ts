import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDevice, sdkValue } from '#shared/imports/export-mapping.js';
import { ExportStructureError } from '#shared/imports/export-splitter.js';
import { type ReadElement, readExport } from '#shared/imports/export-stream.js';
import { importKey, partSize } from '#shared/imports/upload-rules.js';
import { appleExportText } from '#test/helpers/apple-export.js';

const EXPORT = Buffer.from(appleExportText({ days: 2, heartRatesPerDay: 6, start: Date.UTC(2024, 0, 1) }));

async function readAll(chunks: Buffer[], offset = 0): Promise<ReadElement[]> {
  const out: ReadElement[] = [];
  for await (const element of readExport(chunks, offset)) out.push(element);
  return out;
}

/** The bytes cut at `cuts` (sorted, distinct offsets inside the buffer). */
const split = (bytes: Buffer, cuts: number[]) =>
  [0, ...cuts, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));

describe('Apple Health export reader', () => {
  it('reads every top-level element: records, sleep, correlations, workouts; ignores ExportDate, Me, summaries', async () => {
    const elements = await readAll([EXPORT]);
    const items = elements.flatMap((e) => [...e.items.records, ...e.items.sleep, ...e.items.workouts]);
    // Per day: 7 stages + 6 heart rates + 2 steps + 1 weight + 1 correlation (2 records) + 1 workout.
    expect(items).toHaveLength(2 * (7 + 6 + 2 + 1 + 2 + 1));
    expect(elements.filter((e) => e.outcome === 'ignored')).toHaveLength(2 + 2);
    expect(elements.at(-1)?.end).toBe(EXPORT.lastIndexOf('</HealthData>') - 1);
    const weight = elements
      .flatMap((e) => e.items.records)
      .find((r) => (r as { type: string }).type.endsWith('BodyMass'));
    expect(weight).toMatchObject({
      unit: 'kg',
      zoneOffset: '+0100',
      source: { deviceModel: 'iPhone15,2', deviceName: 'iPhone' },
    });
    const [workout] = elements.flatMap((e) => e.items.workouts) as Array<{
      type: string;
      values: Array<{ type: string; value: number }>;
    }>;
    expect(workout?.type).toBe('running');
    expect(workout?.values).toEqual(
      expect.arrayContaining([
        { type: 'distance', value: 3 * 1609.344, unit: 'm' },
        { type: 'duration', value: 1800, unit: '' },
        { type: 'averageHeartRate', value: 151, unit: 'count/min' },
        { type: 'elevationAscended', value: 45.2, unit: 'm' },
      ]),
    );
  });

  it('gives the same elements for any split of the byte stream into chunks', async () => {
    const whole = await readAll([EXPORT]);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: EXPORT.length - 1 }), { maxLength: 60 }),
        async (cuts) => {
          const parts = split(
            EXPORT,
            [...cuts].sort((a, b) => a - b),
          );
          expect(await readAll(parts)).toEqual(whole);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('resumed from any element boundary, in any chunks, reads exactly the rest', async () => {
    const whole = await readAll([EXPORT]);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: whole.length - 1 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { maxLength: 10 }),
        async (index, cuts) => {
          const offset = whole[index]!.end;
          const rest = EXPORT.subarray(offset);
          const parts = split(
            rest,
            cuts.filter((c) => c < rest.length).sort((a, b) => a - b),
          );
          expect(await readAll(parts, offset)).toEqual(whole.slice(index + 1));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('skips and counts a malformed element, and goes on', async () => {
    const broken = EXPORT.toString('utf8').replace(
      '<Record type="HKQuantityTypeIdentifierHeartRate" ',
      '<Record type="HKQuantityTypeIdentifierHeartRate" value=broken ',
    );
    const elements = await readAll([Buffer.from(broken)]);
    expect(elements.filter((e) => e.outcome === 'malformed')).toHaveLength(1);
    expect(elements).toHaveLength((await readAll([EXPORT])).length);
    const missing = EXPORT.toString('utf8').replace(/<Workout workoutActivityType="[^"]*"/, '<Workout');
    expect((await readAll([Buffer.from(missing)])).filter((e) => e.outcome === 'malformed')).toHaveLength(1);
  });

  it('refuses a file whose structure is lost instead of reading it whole', async () => {
    const unterminated = Buffer.concat([
      EXPORT.subarray(0, 2000),
      Buffer.from(' <Record type="x'),
      Buffer.alloc(17 * 1024 * 1024, 'a'),
    ]);
    await expect(readAll([unterminated])).rejects.toThrow(ExportStructureError);
  });

  it('parses device strings and converts units to what the SDK sends', () => {
    expect(
      parseDevice(
        '<<HKDevice: 0x1>, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:9.0>',
      ),
    ).toEqual({
      name: 'Apple Watch',
      manufacturer: 'Apple Inc.',
      model: 'Watch',
      hardware: 'Watch6,1',
      software: '9.0',
    });
    expect(sdkValue('kg', 100, 'lb').value).toBeCloseTo(45.359237);
    expect(sdkValue('celsius', 212, 'degF')).toEqual({ value: 100, unit: 'degC' });
    expect(sdkValue('kcal', 4.184, 'kJ')).toEqual({ value: 1, unit: 'kcal' });
    expect(sdkValue('count', 5, 'count')).toEqual({ value: 5, unit: 'count' });
  });

  it('names upload keys and part sizes as the reference does', () => {
    expect(importKey('u1', '../my export (1).xml')).toBe('u1/raw/..myexport1.xml');
    expect(importKey('u1', '..', new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe(
      'u1/raw/2024-01-02T03-04-05-006Z.xml',
    );
    expect(partSize(200 * 1024 * 1024)).toBe(100 * 1024 * 1024);
    expect(Math.ceil((1024 * 1024 * 1024 * 1024) / partSize(1024 * 1024 * 1024 * 1024))).toBeLessThanOrEqual(
      10_000,
    );
  });
});
