import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { META_BUNDLE_FILES } from '#lib/api.js';
import { AppFunction } from '#lib/app-function.js';
import { readConfig } from '#lib/config.js';
import { apiEnvSchema } from '#shared/config/env.js';
import { httpEvent } from '#test/helpers/events.js';

const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

/** Calls the bundled handler in a fresh Node process laid out as Lambda runs it (LAMBDA_TASK_ROOT). */
function invokeBundle(bundleDir: string, event: unknown) {
  const script = `
    const { handler } = await import(${JSON.stringify(join(bundleDir, 'index.mjs'))});
    const context = { functionName: 'meta', awsRequestId: '1', getRemainingTimeInMillis: () => 29000 };
    process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, context)));`;
  const env = {
    PATH: process.env.PATH,
    LAMBDA_TASK_ROOT: bundleDir,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    API_BASE_URL: 'https://api.example.com',
  };
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { env }).toString(),
  );
}

type LambdaResource = { Type: string; Properties: { FunctionName: string; Code: { S3Key: string } } };

describe('the meta function bundle (esbuild, as `cdk deploy` builds it)', () => {
  // Inside the project, so that the bundle finds the AWS SDK it leaves to the runtime in node_modules.
  const cache = join(PROJECT_ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'meta-bundle-'));
  let bundleDir: string;
  const codeAssets: Record<string, string> = {};

  beforeAll(() => {
    const app = new App({ outdir, context: { stage: 'test' } });
    const meta = new AppFunction(new Stack(app, 'MetaBundle'), 'Meta', {
      name: 'meta',
      config: readConfig(app.node),
      envSchema: apiEnvSchema,
      environment: { API_BASE_URL: 'https://api.example.com' },
      bundleFiles: META_BUNDLE_FILES,
    });
    // A second function of the same stack, to check that each gets its own bundle.
    new AppFunction(Stack.of(meta), 'Authorizer', {
      name: 'sdk-authorizer',
      config: readConfig(app.node),
      envSchema: apiEnvSchema,
      environment: { API_BASE_URL: 'https://api.example.com' },
    });
    // The env check (stack.test.ts) would want a table and secrets; only the bundle matters here.
    app.synth({ skipValidation: true });
    const template = JSON.parse(readFileSync(join(outdir, 'MetaBundle.template.json'), 'utf8'));
    for (const resource of Object.values<LambdaResource>(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      codeAssets[resource.Properties.FunctionName] = resource.Properties.Code.S3Key.replace(/\.zip$/, '');
    }
    bundleDir = join(outdir, `asset.${codeAssets['open-wearables-test-meta']}`);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('is its own: each function of a stack gets the bundle of its entry', () => {
    expect(Object.keys(codeAssets).sort()).toEqual([
      'open-wearables-test-meta',
      'open-wearables-test-sdk-authorizer',
    ]);
    expect(new Set(Object.values(codeAssets)).size).toBe(2);
    const authorizer = join(outdir, `asset.${codeAssets['open-wearables-test-sdk-authorizer']}`);
    expect(readdirSync(authorizer)).not.toContain('openapi.json');
    // Code reached through import() (here the Secrets Manager client) is in chunks beside index.mjs.
    expect(readdirSync(join(authorizer, 'chunks')).some((file) => file.endsWith('.mjs'))).toBe(true);
  });

  it('ships the Swagger UI files next to index.mjs, byte for byte', () => {
    expect(Object.keys(META_BUNDLE_FILES).sort()).toEqual([
      'docs-assets/swagger-ui-bundle.js',
      'docs-assets/swagger-ui.css',
      'openapi.json',
    ]);
    for (const [to, from] of Object.entries(META_BUNDLE_FILES)) {
      expect(readFileSync(join(bundleDir, to)).equals(readFileSync(join(PROJECT_ROOT, from))), to).toBe(true);
    }
  });

  it('keeps them out of the JavaScript (Swagger UI alone is 1.5 MB)', () => {
    const chunks = readdirSync(join(bundleDir, 'chunks')).filter((file) => file.endsWith('.mjs'));
    const code = ['index.mjs', ...chunks.map((file) => join('chunks', file))];
    const bytes = code.reduce((sum, file) => sum + statSync(join(bundleDir, file)).size, 0);
    expect(chunks.length).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(1024 * 1024);
  });

  it('serves them from beside the bundle on Lambda, gzip-compressed', () => {
    const event = httpEvent('GET', '/docs/swagger-ui.css', { headers: { 'accept-encoding': 'gzip' } });
    const result = invokeBundle(bundleDir, event);
    expect(result).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      headers: { 'content-type': 'text/css; charset=utf-8', 'content-encoding': 'gzip' },
    });
    const css = readFileSync(join(bundleDir, 'docs-assets/swagger-ui.css'));
    expect(gunzipSync(Buffer.from(result.body, 'base64')).equals(css)).toBe(true);
  });

  it('serves the OpenAPI document shipped beside the bundle, and knows its paths for 404 vs 405', () => {
    const shipped = JSON.parse(readFileSync(join(bundleDir, 'openapi.json'), 'utf8'));
    const document = invokeBundle(bundleDir, httpEvent('GET', '/openapi.json'));
    expect(document.statusCode).toBe(200);
    expect(JSON.parse(document.body)).toEqual({ ...shipped, servers: [{ url: 'https://api.example.com' }] });
    expect(invokeBundle(bundleDir, httpEvent('DELETE', '/api/v1/health')).statusCode).toBe(405);
    expect(invokeBundle(bundleDir, httpEvent('GET', '/api/v1/nowhere')).statusCode).toBe(404);
  });
});
