import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as garminIndex from '#shared/providers/garmin/index.js';
import { sameSecret } from '#shared/providers/secrets.js';
import { idText, nonNegative, positive, zoneOffsetOf } from '#shared/providers/values.js';

/**
 * What the Garmin and Strava modules share through the provider layer (one way to do each thing): the value
 * readers of shared/providers/values.ts, the secret comparison of shared/providers/secrets.ts, and the day chunks
 * of shared/providers/units.ts, plus source checks that neither folder grows its own copy again.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const sources = (folder: string) =>
  readdirSync(`${ROOT}shared/providers/${folder}`)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({
      name: `${folder}/${name}`,
      text: readFileSync(`${ROOT}shared/providers/${folder}/${name}`, 'utf8'),
    }));
const providerSources = [...sources('garmin'), ...sources('strava')];

describe('shared value readers', () => {
  it.each([
    [3600, '+01:00'],
    [3600.0, '+01:00'],
    [-18000, '-05:00'],
    [19800, '+05:30'],
    [20700, '+05:45'],
    [-12600, '-03:30'],
    [0, '+00:00'],
    [-10, '+00:00'],
    [-20, '+00:00'],
    [50400, '+14:00'],
    [-50400, '-14:00'],
    [50460, null],
    [15 * 3600, null],
    ['3600', '+01:00'],
    ['x', null],
    [null, null],
    [undefined, null],
  ])('zone offset of %s seconds -> %s', (seconds, offset) => {
    expect(zoneOffsetOf(seconds)).toBe(offset);
  });

  it('reads ids as text: safe integers and non-blank strings', () => {
    expect(idText(21047283047)).toBe('21047283047');
    expect(idText(0)).toBe('0');
    expect(idText(' x36bc70e-6a3c0608 ')).toBe('x36bc70e-6a3c0608');
    for (const value of [1.5, 2 ** 53, Number.NaN, '', '  ', null, undefined, true, {}, []])
      expect(idText(value)).toBeNull();
  });

  it('reads non-negative and positive numbers (numeric strings too)', () => {
    expect([0, 1.5, '2', -1, 'x', null].map(nonNegative)).toEqual([0, 1.5, 2, null, null, null]);
    expect([0, 1.5, '2', -1, 'x', null].map(positive)).toEqual([null, 1.5, 2, null, null, null]);
  });

  it('are defined once: neither provider folder has its own copy', () => {
    for (const { name, text } of providerSources) {
      expect(text, name).not.toMatch(/MAX_OFFSET_SECONDS|padStart\(2/);
      expect(text, name).not.toMatch(
        /(function|const) (zoneOffset|zoneOffsetOf|idOf|idText|nonNegative|positive)\b/,
      );
    }
  });
});

describe('shared secret comparison', () => {
  it('matches only the exact configured value; never a missing or unset one', () => {
    expect(sameSecret('s3cret', 's3cret')).toBe(true);
    expect(sameSecret('s3cret', 's3cret ')).toBe(false);
    expect(sameSecret('', 's3cret')).toBe(false);
    expect(sameSecret(undefined, 's3cret')).toBe(false);
    expect(sameSecret('', '')).toBe(false);
    expect(sameSecret('x', undefined)).toBe(false);
    expect(sameSecret(undefined, undefined)).toBe(false);
  });

  it('equals string equality for any non-empty configured value (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (received, configured) => {
        expect(sameSecret(received, configured)).toBe(received === configured);
        expect(sameSecret(configured, configured)).toBe(true);
      }),
    );
  });

  it('is the one comparison both webhook verifiers use', () => {
    for (const { name, text } of providerSources)
      expect(text, name).not.toMatch(/timingSafeEqual|createHash/);
    for (const file of ['garmin/webhook.ts', 'strava/webhook.ts']) {
      const text = providerSources.find((s) => s.name === file)!.text;
      expect(text, file).toMatch(
        /import \{[^}]*\bsameSecret\b[^}]*\} from '#shared\/providers\/secrets\.js'/,
      );
    }
  });
});

describe('garmin backfill windows', () => {
  it('are the shared day chunks (no window loop of its own)', () => {
    const text = providerSources.find((s) => s.name === 'garmin/backfill.ts')!.text;
    expect(text).toMatch(/import \{ dayChunks \} from '#shared\/providers\/units\.js'/);
    expect(text).not.toMatch(/DAY_MS|while \(/);
  });
});

describe('garmin module exports', () => {
  it('are the module and its light half (the hooks registry) only: nothing else is re-exported for tests', () => {
    expect(Object.keys(garminIndex).sort()).toEqual(['garminHooks', 'garminModule']);
  });
});
