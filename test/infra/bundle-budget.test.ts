import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '#lib/bundling.js';

/**
 * The most a function's own code may weigh: its index.mjs, minified, with the AWS SDK external (the bundled SDK adds
 * 230-560 KB per function: README "Bundles").
 */
const BUNDLE_BUDGET_KB = 350;

const ROOT = new URL('../../', import.meta.url).pathname;
const FUNCTIONS = readdirSync(join(ROOT, 'functions'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, ''));

/** index.mjs of `functions/<name>.ts` as `cdk synth` builds it (lib/bundling.ts), in memory: its KB and inputs. */
async function bundle(name: string) {
  const outfile = join(ROOT, 'cdk.out/bundle-budget', name, 'index.mjs');
  const { outputFiles, metafile } = await build({
    ...esbuildOptions(false, join(ROOT, 'functions', `${name}.ts`), outfile),
    absWorkingDir: ROOT,
    write: false,
    metafile: true,
  });
  const kb = outputFiles.find((file) => file.path === outfile)!.contents.byteLength / 1024;
  const kept = Object.entries(metafile.outputs[relative(ROOT, outfile)]!.inputs).filter(
    ([, input]) => input.bytesInOutput,
  );
  return { name, kb, inputs: kept.map(([path]) => path) };
}

/** Built once for both tests. */
let built: Promise<Awaited<ReturnType<typeof bundle>>[]> | undefined;
const bundles = () => (built ??= Promise.all(FUNCTIONS.map(bundle)));

describe(`every Lambda bundle stays within ${BUNDLE_BUDGET_KB} KB`, () => {
  it('builds every function as the stack does and names those over the budget', async () => {
    const sizes = await bundles();
    const over = sizes
      .filter(({ kb }) => kb > BUNDLE_BUDGET_KB)
      .map(({ name, kb }) => `${name}: ${kb.toFixed(1)} KB`);
    expect(sizes.length).toBeGreaterThan(0);
    expect(over, `over the ${BUNDLE_BUDGET_KB} KB budget`).toEqual([]);
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
});
