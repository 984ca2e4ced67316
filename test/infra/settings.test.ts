import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { buildApp } from '#lib/app.js';
import { AppFunction } from '#lib/app-function.js';
import { readConfig } from '#lib/config.js';
import { describeSettings, functionSettings } from '#lib/settings.js';
import { apiAreas } from '#shared/api/index.js';
import { apiEnvSchema, parseEnv } from '#shared/config/env.js';
import { settingsOf } from '#shared/config/settings.js';
import { QUEUES } from '#shared/jobs/queues.js';
import { providersEnvSchema } from '#shared/providers/registry.js';

/** Issue 12: every runtime setting deployable from one typed schema, documented in one README table. */

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, navigated by path in assertions
type Json = any;

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const build = (context: Record<string, unknown> = {}) =>
  buildApp({ ...NO_BUNDLING, stage: 'test', ...context });

/** Each function's environment in the template, by its entry name (`functions/<name>.ts`). */
function environments(stack: Stack): Record<string, Record<string, Json>> {
  const resources = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  return Object.fromEntries(
    Object.values(resources)
      .filter((fn) => fn.Properties.FunctionName)
      .map((fn) => [
        (fn.Properties.FunctionName as string).replace('open-wearables-test-', ''),
        fn.Properties.Environment.Variables,
      ]),
  );
}

const appFunctions = (stack: Stack) =>
  stack.node.findAll().filter((c): c is AppFunction<z.ZodMiniObject> => c instanceof AppFunction);

const { stack } = build();
const settings = describeSettings(stack);
const areas = Object.keys(apiAreas);

/** The README's Functions cell: the API areas as one phrase when most of them take the setting. */
function consumersCell(consumers: string[]): string {
  const taking = areas.filter((area) => consumers.includes(area));
  const others = consumers.filter((name) => !areas.includes(name));
  if (taking.length <= areas.length / 2) return consumers.join(', ');
  const missing = areas.filter((area) => !taking.includes(area)).sort();
  const phrase = `every API area${missing.length > 0 ? ` except ${missing.join(', ')}` : ''}`;
  return [phrase, ...others].join('; ');
}

/** The rows of the README table headed `| Setting |`, cells trimmed, backticks of the first two cells removed. */
function readmeRows(): string[][] {
  const lines = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').split('\n');
  const start = lines.findIndex((line) => /^\|\s*Setting\s*\|/.test(line));
  expect(start, 'README has a table headed "| Setting |"').toBeGreaterThan(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    rows.push(cells.map((cell, i) => (i < 2 ? cell.replace(/^`|`$/g, '') : cell)));
  }
  return rows;
}

describe('the settings schema and the README table', () => {
  it('the README table lists exactly the settings of the stack: name, default, meaning, functions', () => {
    const expected = settings.map((s) => [s.name, s.default, s.doc, consumersCell(s.consumers)]);
    const markdown = expected.map(
      ([name, value, doc, cell]) => `| \`${name}\` | \`${value}\` | ${doc} | ${cell} |`,
    );
    expect(readmeRows(), `README "Settings" rows should be:\n${markdown.join('\n')}\n`).toEqual(expected);
  });

  it('covers the settings the sandbox reads, and what each is for', () => {
    const names = settings.map((s) => s.name);
    for (const name of [
      'ACCESS_TOKEN_EXPIRE_MINUTES',
      'REFRESH_TOKEN_EXPIRE_DAYS',
      'USER_INVITATION_CODE_EXPIRE_DAYS',
      'OAUTH_REDIRECT_ALLOWLIST',
      'HISTORICAL_SYNC_ON_CONNECT',
      'OUTGOING_WEBHOOKS_ENABLED',
      'WEBHOOK_SILENCE_HOURS',
      'SYNC_INTERVAL_MINUTES',
    ]) {
      expect(names).toContain(name);
    }
    for (const s of settings) expect(s.doc.length, s.name).toBeGreaterThan(10);
  });

  /**
   * A variable a schema reads that the stack neither sets nor takes as a setting cannot be set on AWS. The only
   * ones allowed: secret values and sandbox plumbing (they never travel in a Lambda environment) and the provider
   * variables, which live in the provider credentials secret on AWS (README "Wearable providers").
   */
  it('every variable of every function schema is a setting, set by the stack, or deliberately not in env', () => {
    const notInLambdaEnv = new Set([
      'JWT_SECRET',
      'ADMIN_EMAIL',
      'ADMIN_PASSWORD',
      'TOKEN_ENCRYPTION_KEY',
      'OBJECTS_DIR',
      'IMPORTS_UPLOAD_ENDPOINT',
      // Sandbox only: on Lambda, loopback and link-local endpoints would reach the Lambda Runtime API.
      'WEBHOOK_ALLOW_PRIVATE',
      // Switched off with their stack feature (-c eventBus / dataLake / delivery), set by lib/delivery.ts otherwise.
      'EVENT_BUS_NAME',
      'LAKE_BUCKET',
      'EVENTS_QUEUE_URL',
      ...Object.keys(providersEnvSchema.shape),
    ]);
    // Sandbox plumbing of one function only: the seed notifies the sdk-uploads queue itself where a folder stands
    // in for the uploads bucket (OBJECTS_DIR); on AWS the bucket's notifications do (test/infra/stack.test.ts).
    const sandboxOnly: Record<string, string[]> = { admin: [QUEUES.sdkUploads.urlVariable] };
    const taken = new Set(settings.map((s) => s.name));
    const env = environments(stack);
    for (const fn of appFunctions(stack)) {
      const set = env[fn.entryName]!;
      const unreachable = Object.keys(fn.envSchema.shape).filter(
        (name) =>
          !(name in set) &&
          !taken.has(name) &&
          !notInLambdaEnv.has(name) &&
          !sandboxOnly[fn.entryName]?.includes(name),
      );
      expect(unreachable, `${fn.entryName}: wrap each in setting() or set it in the stack`).toEqual([]);
    }
    // Still read, and still unset on AWS (no grant to go with it).
    for (const [name, variables] of Object.entries(sandboxOnly)) {
      const fn = appFunctions(stack).find((f) => f.entryName === name)!;
      for (const variable of variables) {
        expect(Object.keys(fn.envSchema.shape), name).toContain(variable);
        expect(env[name]![variable], `${name} ${variable}`).toBeUndefined();
      }
    }
  });
});

describe('deploying settings (-c settings= and -c NAME=)', () => {
  const custom = build({
    settings: JSON.stringify({
      ACCESS_TOKEN_EXPIRE_MINUTES: 30,
      OUTGOING_WEBHOOKS_ENABLED: false,
      OAUTH_REDIRECT_ALLOWLIST: ['https://app.example.com', 'http://localhost:3000'],
      WEBHOOK_SILENCE_HOURS: 12,
    }),
    // A key of its own wins over the same key in `settings`.
    WEBHOOK_SILENCE_HOURS: '6',
    HISTORICAL_SYNC_ON_CONNECT: 'false',
    EVENT_BUS_EVENT_TYPES: '!series.*',
  });
  const env = environments(custom.stack);
  const byName = Object.fromEntries(describeSettings(custom.stack).map((s) => [s.name, s.consumers]));

  it('gives each setting to exactly the functions whose schema has it, as the string they parse', () => {
    const expected: Record<string, string> = {
      ACCESS_TOKEN_EXPIRE_MINUTES: '30',
      OUTGOING_WEBHOOKS_ENABLED: 'false',
      OAUTH_REDIRECT_ALLOWLIST: 'https://app.example.com,http://localhost:3000',
      WEBHOOK_SILENCE_HOURS: '6',
      HISTORICAL_SYNC_ON_CONNECT: 'false',
      EVENT_BUS_EVENT_TYPES: '!series.*',
    };
    for (const [name, value] of Object.entries(expected)) {
      const having = Object.keys(env).filter((fn) => name in env[fn]!);
      expect(having.sort(), name).toEqual(byName[name]);
      for (const fn of having) expect(env[fn]![name], `${fn} ${name}`).toBe(value);
    }
    expect(byName.HISTORICAL_SYNC_ON_CONNECT).toEqual(['oauth']);
    expect(byName.EVENT_BUS_EVENT_TYPES).toEqual(['event-fanout']);
    expect(byName.ACCESS_TOKEN_EXPIRE_MINUTES).toContain('sdk-authorizer');
  });

  it('leaves every other function environment as without settings: defaults stay in the code', () => {
    const plain = environments(stack);
    for (const [fn, variables] of Object.entries(plain)) {
      const added = Object.keys(env[fn]!).filter((name) => !(name in variables));
      for (const name of added) expect(byName[name], `${fn} ${name}`).toContain(fn);
    }
  });

  it('takes SYNC_INTERVAL_MINUTES as the sync dispatch rate; the context key syncIntervalMinutes still works', () => {
    const rate = (context: Record<string, unknown>) =>
      Object.values(Template.fromStack(build(context).stack).findResources('AWS::Scheduler::Schedule'))
        .filter((s) => s.Properties.Target.Input === '{"provider":"fitbit"}')
        .map((s) => s.Properties.ScheduleExpression);
    expect(rate({ settings: { SYNC_INTERVAL_MINUTES: 20 } })).toEqual(['rate(20 minutes)']);
    expect(rate({ SYNC_INTERVAL_MINUTES: '25', syncIntervalMinutes: '40' })).toEqual(['rate(25 minutes)']);
  });
});

describe('a bad setting fails the synth, naming it', () => {
  const refusals: Array<[Record<string, unknown>, RegExp]> = [
    [{ ACCESS_TOKEN_EXPIRE_MINUTES: '0' }, /ACCESS_TOKEN_EXPIRE_MINUTES/],
    [{ ACCESS_TOKEN_EXPIRE_MINUTES: '1441' }, /ACCESS_TOKEN_EXPIRE_MINUTES.*1440/],
    [{ settings: '{"REFRESH_TOKEN_EXPIRE_DAYS":"ninety"}' }, /REFRESH_TOKEN_EXPIRE_DAYS/],
    [{ HISTORICAL_SYNC_ON_CONNECT: 'maybe' }, /HISTORICAL_SYNC_ON_CONNECT/],
    [{ WEBHOOK_TIMEOUT_SECONDS: '31' }, /WEBHOOK_TIMEOUT_SECONDS/],
    [{ SYNC_INTERVAL_MINUTES: '0' }, /SYNC_INTERVAL_MINUTES/],
    [{ OAUTH_REDIRECT_ALLOWLIST: 'x'.repeat(1025) }, /OAUTH_REDIRECT_ALLOWLIST/],
    [
      { settings: { ACCES_TOKEN_EXPIRE_MINUTES: 30 } },
      /ACCES_TOKEN_EXPIRE_MINUTES: no function takes this setting/,
    ],
    [{ settings: '{"ACCESS_TOKEN_EXPIRE_MINUTES":' }, /settings/],
    [{ settings: { 'lower-case': 1 } }, /settings/],
    // The bus's event types must be the catalogue's: a typo would silently put nothing of that type.
    [{ EVENT_BUS_EVENT_TYPES: 'sync.*,workout.creatd' }, /EVENT_BUS_EVENT_TYPES.*workout\.creatd/],
    [{ EVENT_BUS_EVENT_TYPES: ' , ' }, /EVENT_BUS_EVENT_TYPES.*leaves no event type/],
    [{ EVENT_BUS_EVENT_TYPES: '!*' }, /EVENT_BUS_EVENT_TYPES.*leaves no event type/],
    [{ EVENT_BUS_EVENT_TYPES: 'sync.*,!sync.*' }, /EVENT_BUS_EVENT_TYPES.*leaves no event type/],
    [{ EVENT_BUS_EVENT_TYPES: 'series.,!sleeps.*' }, /EVENT_BUS_EVENT_TYPES.*series\., !sleeps\.\*/],
    [{ EVENT_BUS_EVENT_TYPES: '!series.*', eventBus: 'false' }, /EVENT_BUS_EVENT_TYPES .* needs the bus/],
    // A rule across two settings, checked by the function's own schema at synth.
    [{ OAUTH_PUBLIC_AUTHORIZE: 'true' }, /OAUTH_PUBLIC_AUTHORIZE=true requires OAUTH_REDIRECT_ALLOWLIST/],
  ];
  it.each(
    refusals.map(([context, message]) => [JSON.stringify(context).slice(0, 80), context, message] as const),
  )('refuses %s', (_label, context, message) => {
    expect(() => Template.fromStack(build(context).stack)).toThrow(message);
  });

  it('accepts a value at synth exactly when the function would at cold start (the same field)', () => {
    const config = readConfig(new App({ context: { stage: 'test' } }).node);
    const fields = settingsOf(apiEnvSchema);
    const base = { TABLE_NAME: 't', API_BASE_URL: 'https://api.example.com', JWT_SECRET: 'x'.repeat(32) };
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(fields)),
        fc.oneof(fc.integer({ min: -10, max: 100_000 }).map(String), fc.string({ maxLength: 8 })),
        (name, value) => {
          const scope = new Stack(new App(), 'Check');
          const synth = () =>
            functionSettings(scope, { ...config, settings: { [name]: value } }, 'fn', apiEnvSchema);
          const runtime = () => parseEnv(apiEnvSchema, { ...base, [name]: value });
          let runtimeOk = true;
          try {
            runtime();
          } catch {
            runtimeOk = false;
          }
          if (runtimeOk) expect(synth()).toEqual({ [name]: value });
          else expect(synth).toThrow(name);
        },
      ),
      { numRuns: 200 },
    );
  });
});
