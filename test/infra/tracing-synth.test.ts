import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { AppFunction } from '#lib/app-function.js';
import { readConfig } from '#lib/config.js';
import { apiEnvSchema } from '#shared/config/env.js';

/** `-c tracing=true` reaches the bundles `cdk deploy` builds (what traced bundles do: tracing.test.ts). */
const ROOT = new URL('../../', import.meta.url).pathname;

describe('the stack’s functions', () => {
  /** `sdk-authorizer` synthesized with `context`, as `cdk deploy` bundles it: all its JavaScript. */
  function synthesizedCode(context: Record<string, string>): string {
    // Inside the project, as meta-bundle.test.ts does.
    const cache = join(ROOT, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const outdir = mkdtempSync(join(cache, 'tracing-synth-'));
    try {
      const app = new App({ outdir, context: { stage: 'test', ...context } });
      new AppFunction(new Stack(app, 'Traced'), 'Authorizer', {
        name: 'sdk-authorizer',
        config: readConfig(app.node),
        envSchema: apiEnvSchema,
        environment: { API_BASE_URL: 'https://api.example.com' },
      });
      app.synth({ skipValidation: true });
      const asset = readdirSync(outdir).find((file) => file.startsWith('asset.'))!;
      const files = readdirSync(join(outdir, asset), { recursive: true, encoding: 'utf8' });
      return files
        .filter((file) => file.endsWith('.mjs'))
        .map((file) => readFileSync(join(outdir, asset, file), 'utf8'))
        .join('\n');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }

  it('carry the tracer with -c tracing=true, and only then', () => {
    const carriesTracer = (code: string) => code.includes('AWS_XRAY_DAEMON_ADDRESS');
    expect(carriesTracer(synthesizedCode({ tracing: 'true' }))).toBe(true);
    expect(carriesTracer(synthesizedCode({}))).toBe(false);
  }, 120_000);
});
