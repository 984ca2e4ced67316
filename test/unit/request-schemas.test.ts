import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { check } from 'recheck';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { allRoutes } from '#shared/api/index.js';
import { loginForm } from '#shared/api/tokens.js';
import { parseSyncRequest } from '#shared/ingest/sdk-payload.js';
import { sdkLogsBody } from '#shared/ingest/sdk-runs.js';

/**
 * Every request schema must validate in linear time, whatever a caller sends. Time is not measured: the work is
 * counted. Every regular-expression match is recorded (pattern, input length) while parsing; a pattern that
 * `recheck` cannot prove linear may only ever see short input, and the characters all patterns examine must grow
 * at most linearly with the input (1x vs 10x). Strings are also structurally capped: every string a route accepts
 * has a maximum length (or is an enum, a constant or a fixed-length UUID).
 */

type Json = Record<string, unknown>;

interface Target {
  name: string;
  /** Builds an input with `value` at one string position. */
  inputs: (value: string) => unknown[];
  parse: (input: unknown) => unknown;
}

/** Patterns that are not provably linear may run on at most this many characters. */
const SHORT_INPUT = 256;

const jsonSchemaOf = (schema: z.ZodMiniType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;

/** Paths of every string (or record key) position in a JSON schema; `[]` marks an array item. */
function stringPaths(node: Json, path: string[] = []): string[][] {
  if (Array.isArray(node.anyOf) || Array.isArray(node.oneOf)) {
    return ([...((node.anyOf as Json[]) ?? []), ...((node.oneOf as Json[]) ?? [])] as Json[]).flatMap((n) =>
      stringPaths(n, path),
    );
  }
  if (node.type === 'string') return [path];
  if (node.type === 'array' && node.items) return stringPaths(node.items as Json, [...path, '[]']);
  const paths: string[][] = [];
  for (const [key, child] of Object.entries((node.properties as Record<string, Json>) ?? {})) {
    paths.push(...stringPaths(child, [...path, key]));
  }
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    paths.push([...path, '{key}']);
  }
  return paths;
}

function place(path: string[], value: string): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '[]') return [place(rest, value)];
  if (head === '{key}') return { [value]: true };
  return { [head]: place(rest, value) };
}

/** String and number leaves of a JSON document (the SDK fixtures; numbers may be sent as text), with a setter each. */
function jsonLeaves(document: unknown): Array<(value: string) => unknown> {
  const setters: Array<(value: string) => unknown> = [];
  const walk = (node: unknown, rebuild: (replacement: unknown) => unknown) => {
    if (typeof node === 'string' || typeof node === 'number') setters.push((value) => rebuild(value));
    else if (Array.isArray(node)) {
      node.forEach((item, i) => {
        walk(item, (replacement) => rebuild(node.map((x, j) => (j === i ? replacement : x))));
      });
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        walk(child, (replacement) => rebuild({ ...node, [key]: replacement }));
      }
    }
  };
  walk(document, (replacement) => replacement);
  return setters;
}

function schemaTarget(name: string, schema: z.ZodMiniType): Target {
  const paths = stringPaths(jsonSchemaOf(schema));
  return {
    name,
    inputs: (value) => paths.map((path) => place(path, value)),
    parse: (input) => z.safeParse(schema, input),
  };
}

const sdkFixture = (file: string) => {
  const document = JSON.parse(readFileSync(`test/fixtures/sdk/${file}`, 'utf8'));
  // One record of each kind keeps the run small; every field of it is exercised.
  const data = document.data as Record<string, unknown[]>;
  const trimmed = {
    ...document,
    data: Object.fromEntries(Object.entries(data).map(([kind, items]) => [kind, items.slice(0, 1)])),
  };
  const setters = jsonLeaves(trimmed);
  return { setters };
};

const targets: Target[] = [
  ...allRoutes.flatMap((route) =>
    (['params', 'query', 'body'] as const)
      .filter((part) => route[part] !== undefined)
      .map((part) => schemaTarget(`${route.method} ${route.path} ${part}`, route[part]!)),
  ),
  schemaTarget('login form', loginForm),
  schemaTarget('SDK logs', sdkLogsBody),
  ...['ios-example.json', 'health-connect.json', 'samsung.json'].map((file) => {
    const { setters } = sdkFixture(file);
    return {
      name: `SDK push ${file}`,
      inputs: (value: string) => setters.map((set) => set(value)),
      parse: (input: unknown) => parseSyncRequest(input),
    };
  }),
];

interface Match {
  pattern: RegExp;
  length: number;
}

let matches: Match[] = [];
const originalExec = RegExp.prototype.exec;

beforeEach(() => {
  matches = [];
  // Every match (test, match, replace, split...) goes through exec once it is replaced.
  RegExp.prototype.exec = function exec(this: RegExp, input: string) {
    matches.push({ pattern: this, length: String(input).length });
    return originalExec.call(this, input);
  };
});

afterEach(() => {
  RegExp.prototype.exec = originalExec;
});

const linearity = new Map<string, Promise<boolean>>();
function provablyLinear(pattern: RegExp): Promise<boolean> {
  const key = `${pattern.source}/${pattern.flags}`;
  let verdict = linearity.get(key);
  if (!verdict) {
    verdict = check(pattern.source, pattern.flags.replace(/[gy]/g, '')).then(
      (result) => result.status === 'safe',
    );
    linearity.set(key, verdict);
  }
  return verdict;
}

/** Characters examined by regular expressions while parsing every input built with `value`, and the input size. */
function charactersExamined(target: Target, value: string) {
  const before = matches.length;
  const inputs = target.inputs(value);
  for (const input of inputs) target.parse(input);
  const seen = matches.slice(before);
  return { total: seen.reduce((sum, m) => sum + m.length, 0), seen, size: inputs.length * value.length };
}

async function assertLinearPatterns(name: string, seen: Match[]) {
  for (const match of seen) {
    if (match.length > SHORT_INPUT && !(await provablyLinear(match.pattern))) {
      throw new Error(
        `${name}: /${match.pattern.source}/ is not provably linear and ran on ${match.length} characters`,
      );
    }
  }
}

/** Repeated units that make ambiguous patterns backtrack: digits, dots, signs, spaces, separators, unicode. */
const adversarialUnit = fc.constantFrom(
  '0',
  '1.',
  '.5',
  'e',
  '-',
  '+',
  ' ',
  '\t',
  ':',
  'T',
  'Z',
  '@a',
  'a.',
  '%',
  '/',
  'é',
  '\u0000',
);
const suffix = fc.constantFrom('', '!', '\u0000', 'x', '@');

describe('request validation runs in linear time', () => {
  it('covers every route schema and every field of the SDK payload examples', () => {
    expect(targets.length).toBeGreaterThan(40);
    for (const target of targets.filter((t) => t.name.startsWith('SDK push'))) {
      expect(target.inputs('x').length).toBeGreaterThan(20);
    }
  });

  it('caps every string a route accepts', () => {
    const uncapped: string[] = [];
    const visit = (node: Json, where: string) => {
      if (node.type === 'string') {
        const bounded =
          typeof node.maxLength === 'number' || 'enum' in node || 'const' in node || node.format === 'uuid';
        if (!bounded) uncapped.push(where);
      }
      for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
        for (const child of (node[key] as Json[] | undefined) ?? []) visit(child, where);
      }
      if (node.items) visit(node.items as Json, `${where}[]`);
      for (const [name, child] of Object.entries((node.properties as Record<string, Json>) ?? {})) {
        visit(child, `${where}.${name}`);
      }
      if (node.propertyNames) visit(node.propertyNames as Json, `${where}{key}`);
    };
    for (const route of allRoutes) {
      for (const part of ['params', 'query', 'body'] as const) {
        if (route[part]) visit(jsonSchemaOf(route[part]!), `${route.method} ${route.path} ${part}`);
      }
    }
    visit(jsonSchemaOf(loginForm), 'login form');
    expect(uncapped).toEqual([]);
  });

  it('a 40,000-digit SDK value is dropped after one linear pass over it', async () => {
    const record = {
      type: 'HKQuantityTypeIdentifierHeartRate',
      startDate: '2025-01-01T00:00:00Z',
      endDate: '2025-01-01T00:00:00Z',
      unit: 'count/min',
      value: `${'1'.repeat(40_000)}x`,
    };
    const before = matches.length;
    const result = parseSyncRequest({
      provider: 'apple',
      sdkVersion: '0.6.0',
      syncTimestamp: '2025-01-01T00:00:00Z',
      data: { records: [record] },
    });
    const seen = matches.slice(before);
    expect(result.ok && result.request.dropped).toBe(1);
    await assertLinearPatterns('SDK value', seen);
    expect(seen.reduce((sum, m) => sum + m.length, 0)).toBeLessThan(2 * record.value.length);
  });

  it('every pattern is provably linear or only sees short input, and work grows linearly', async () => {
    await fc.assert(
      fc.asyncProperty(
        adversarialUnit,
        fc.integer({ min: 300, max: 3_000 }),
        suffix,
        async (unit, n, end) => {
          for (const target of targets) {
            const small = charactersExamined(target, `${unit.repeat(n)}${end}`);
            await assertLinearPatterns(target.name, small.seen);
            const large = charactersExamined(target, `${unit.repeat(n * 10)}${end}`);
            await assertLinearPatterns(target.name, large.seen);
            // Linear: the work at 10x is bounded by ten times the work plus the input at 1x.
            if (large.total > 10 * (small.total + small.size) + 10_000) {
              throw new Error(
                `${target.name}: ${small.total} characters examined at 1x, ${large.total} at 10x`,
              );
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
