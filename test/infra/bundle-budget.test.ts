import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions, loadedAtStart } from '#lib/bundling.js';

/**
 * The most a function's own code may weigh: its index.mjs and chunks, minified, with the AWS SDK external (the
 * bundled SDK adds 260-640 KB per function: README "Bundles").
 */
const BUNDLE_BUDGET_KB = 350;

/** SDK clients a cold start must not load: each is reached through `import()` where it is used. */
const LAZY_CLIENTS = /^@aws-sdk\/(client-s3|client-kms|client-sesv2|client-secrets-manager|s3-.*)$/;

const ROOT = new URL('../../', import.meta.url).pathname;
const FUNCTIONS = readdirSync(join(ROOT, 'functions'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, ''));

/**
 * `functions/<name>.ts` as `cdk synth` builds it (lib/bundling.ts), in memory: the KB of all its files, their
 * inputs, and the external modules Node loads at a cold start (those imported statically by index.mjs and the
 * chunks it imports statically).
 */
async function bundle(name: string) {
  const outdir = join(ROOT, 'cdk.out/bundle-budget', name);
  const { outputFiles, metafile } = await build({
    ...esbuildOptions({ bundleAwsSdk: false }, join(ROOT, 'functions', `${name}.ts`), outdir),
    absWorkingDir: ROOT,
    write: false,
    metafile: true,
  });
  const code = outputFiles.filter((file) => file.path.endsWith('.mjs'));
  const kb = code.reduce((sum, file) => sum + file.contents.byteLength, 0) / 1024;
  const outputs = Object.values(metafile.outputs);
  const inputs = outputs.flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput)
      .map(([path]) => path),
  );
  const { externals, externalsOnFirstUse } = loadedAtStart(
    metafile,
    relative(ROOT, join(outdir, 'index.mjs')),
  );
  return { name, kb, inputs, chunks: code.length - 1, externalsAtStart: externals, externalsOnFirstUse };
}

/** Built once for the tests below. */
let built: Promise<Awaited<ReturnType<typeof bundle>>[]> | undefined;
const bundles = () => (built ??= Promise.all(FUNCTIONS.map(bundle)));

describe(`every Lambda bundle stays within ${BUNDLE_BUDGET_KB} KB`, () => {
  it('builds every function as `cdk synth -c bundleAwsSdk=false` does and names those over the budget', async () => {
    const sizes = await bundles();
    const over = sizes
      .filter(({ kb }) => kb > BUNDLE_BUDGET_KB)
      .map(({ name, kb }) => `${name}: ${kb.toFixed(1)} KB`);
    expect(sizes.length).toBeGreaterThan(0);
    expect(over, `over the ${BUNDLE_BUDGET_KB} KB budget`).toEqual([]);
  }, 120_000);

  it('loads the S3, KMS, SES and Secrets Manager clients on first use, never at a cold start', async () => {
    const sizes = await bundles();
    for (const { name, externalsAtStart } of sizes) {
      expect(
        externalsAtStart.filter((module) => LAZY_CLIENTS.test(module)),
        name,
      ).toEqual([]);
    }
    // What the check sees: the authorizer loads DynamoDB at its start and Secrets Manager on first use.
    const authorizer = sizes.find(({ name }) => name === 'sdk-authorizer')!;
    expect(authorizer.externalsAtStart).toContain('@aws-sdk/lib-dynamodb');
    expect(authorizer.externalsOnFirstUse).toContain('@aws-sdk/client-secrets-manager');
    // Our own modules reached through import() are split out too, rather than inlined into index.mjs.
    expect(sizes.find(({ name }) => name === 'sdk')?.chunks).toBeGreaterThan(0);
  }, 120_000);

  it('bundles zod/mini with its English messages only: no classic API, no other locale', async () => {
    for (const { name, inputs } of await bundles()) {
      const zod = inputs.filter((path) => path.includes('node_modules/zod/'));
      if (zod.length === 0) continue;
      // The classic API (70 KB), or zod's core read as a namespace value (every locale, 375 KB).
      expect(
        zod.filter((path) => /\/v4\/classic\/|\/locales\/(?!en\.js)/.test(path)),
        name,
      ).toEqual([]);
      // Without it every validation message reads "Invalid input" (shared/config/zod.ts).
      expect(zod, name).toContain('node_modules/zod/v4/locales/en.js');
    }
  }, 120_000);

  it('carries no tracer unless built with -c tracing=true (shared/tracing/off.ts)', async () => {
    for (const { name, inputs } of await bundles()) {
      expect(
        inputs.filter((path) =>
          /aws-xray-sdk|@aws-lambda-powertools\/tracer|cls-hooked|tracing\/xray/.test(path),
        ),
        name,
      ).toEqual([]);
    }
  }, 120_000);
});
