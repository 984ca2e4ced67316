import { readFileSync } from 'node:fs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STATELESS_AREAS } from '#lib/api.js';
import { buildApp } from '#lib/app.js';
import { DEFAULT_RESERVED_CONCURRENCY } from '#lib/context-values.js';
import { db } from '#shared/store/client.js';
import { NARROW_READS, runAsFunction, WRITE_SCOPES } from '#shared/store/write-scopes.js';

/**
 * Review findings 9 and 11: every API function could write any item (the `sdk` function could rewrite password
 * hashes), `meta` could read the JWT signing key, nothing reserved concurrency, and access logs carried raw paths
 * (`/developer/api-keys/sk-.../rotate`).
 */

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, navigated by path in assertions
type Json = any;

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const synth = (context: Record<string, unknown> = {}) =>
  Template.fromStack(buildApp({ ...NO_BUNDLING, stage: 'sec', ...context }).stack).toJSON()
    .Resources as Record<string, { Type: string; Properties: Json }>;
const resources = synth();
/** Our functions; CDK's bucket-notifications handler (no name, no table access) is not one of them. */
const functions = Object.entries(resources).filter(
  ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName,
);
const nameOf = (fn: Json) => (fn.Properties.FunctionName as string).replace('open-wearables-sec-', '');
const policyOf = (fn: Json) =>
  JSON.stringify(
    Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && r.Properties.Roles[0].Ref === fn.Properties.Role['Fn::GetAtt'][0],
    )?.Properties,
  );
const meta = functions.find(([, fn]) => nameOf(fn) === 'meta')![1];

describe('least privilege', () => {
  it('meta reads neither the JWT signing key nor the table', () => {
    expect(policyOf(meta)).not.toContain('secretsmanager:');
    expect(policyOf(meta)).not.toContain('dynamodb:');
    expect(meta.Properties.Environment.Variables).not.toHaveProperty('JWT_SECRET_ARN');
  });

  it('the API areas without table reads are the sandbox’s narrow readers, as lib/api.ts binds them', () => {
    expect([...STATELESS_AREAS].sort()).toEqual(Object.keys(NARROW_READS).sort());
  });

  it('only tokens may Scan (the table, not its index), the developer listing backfill of its first login', () => {
    const scanners = functions
      .filter(([, fn]) => policyOf(fn).includes('dynamodb:Scan'))
      .map(([, fn]) => nameOf(fn));
    expect(scanners).toEqual(['tokens']);
    const tokens = functions.find(([, fn]) => nameOf(fn) === 'tokens')![1];
    const statements = JSON.parse(policyOf(tokens)).PolicyDocument.Statement as Json[];
    const scan = statements.find((statement) => [statement.Action].flat().includes('dynamodb:Scan'));
    expect(scan.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^StorageTable/), 'Arn'] });
  });

  it('no function may write developer credentials but tokens (IAM and the sandbox agree)', async () => {
    for (const [, fn] of functions) {
      const policy = policyOf(fn);
      expect(policy.includes('"DEV#*"'), nameOf(fn)).toBe(nameOf(fn) === 'tokens');
    }
    const { doc, table } = db();
    const rewrite = new PutCommand({
      TableName: table,
      Item: { PK: 'DEV#someone', SK: 'DEV', password_hash: 'x' },
    });
    await expect(runAsFunction('sdk', () => doc.send(rewrite))).rejects.toThrow(/sdk may not write/);
    await runAsFunction('tokens', () => doc.send(rewrite));
  });

  it('every function has a write scope, and only the tokens function writes API keys and passwords', () => {
    expect(new Set(functions.map(([, fn]) => nameOf(fn)))).toEqual(new Set(Object.keys(WRITE_SCOPES)));
    const writers = Object.entries(WRITE_SCOPES).filter(([, prefixes]) =>
      (prefixes as readonly string[]).some((p) => ['DEV#', 'APIKEY#', 'APIKEYHASH#'].includes(p)),
    );
    expect(writers.map(([name]) => name)).toEqual(['tokens']);
  });
});

describe('reserved concurrency', () => {
  it('every function has its default, and a worker at least what its event sources deliver', () => {
    for (const [, fn] of functions) {
      const name = nameOf(fn) as keyof typeof DEFAULT_RESERVED_CONCURRENCY;
      expect(fn.Properties.ReservedConcurrentExecutions, name).toBe(DEFAULT_RESERVED_CONCURRENCY[name]);
    }
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    for (const mapping of mappings) {
      const target = functions.find(([id]) => id === mapping.Properties.FunctionName.Ref)![1];
      expect(target.Properties.ReservedConcurrentExecutions).toBeGreaterThanOrEqual(
        mapping.Properties.ScalingConfig.MaximumConcurrency,
      );
    }
  });

  it('is what the README lists per function, with the total and the account quota it takes', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const paragraph = readme.slice(readme.indexOf('Every function reserves concurrency by default'));
    const listed = paragraph.slice(0, paragraph.indexOf('\n\n')).replace(/\s+/g, ' ');
    for (const [name, reserved] of Object.entries(DEFAULT_RESERVED_CONCURRENCY)) {
      // The name, then no other number before its own: `users`, `tokens` 20; `sdk-upload-worker` 20, ...
      expect(listed, name).toMatch(new RegExp(`\`${name}\`[^;\\d]* ${reserved}\\b`));
    }
    const total = Object.values(DEFAULT_RESERVED_CONCURRENCY).reduce((sum, reserved) => sum + reserved, 0);
    expect(listed).toContain(`${total} in all`);
    // AWS keeps 100 of an account's concurrency unreserved.
    expect(listed).toContain(`below about ${total + 100}`);
  });

  it('is set per function from context, or turned off', { timeout: 120_000 }, () => {
    const custom = Object.values(synth({ reservedConcurrency: '{"sdk": 250}' })).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(custom.find((fn) => nameOf(fn) === 'sdk')!.Properties.ReservedConcurrentExecutions).toBe(250);
    const off = Object.values(synth({ reservedConcurrency: 'off' })).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(off.every((fn) => fn.Properties.ReservedConcurrentExecutions === undefined)).toBe(true);
    expect(() => synth({ reservedConcurrency: '{"nope": 1}' })).toThrow(
      /reservedConcurrency names functions/,
    );
  });
});

describe('access logs', () => {
  it('log the route key, never the raw path, query or a header', () => {
    const stage = Object.values(resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
    const format = stage.Properties.AccessLogSettings.Format as string;
    expect(format).toContain('$context.routeKey');
    for (const leak of ['$context.path', '$context.rawPath', 'querystring', '$request.header', '$input']) {
      expect(format).not.toContain(leak);
    }
  });
});
