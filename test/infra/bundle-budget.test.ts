import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '#lib/bundling.js';

/**
 * The most a function's own code may weigh: its index.mjs, minified, with the AWS SDK external (the bundled SDK is a
 * fixed ~390 KB more in every function: README "Bundles"). One function is held near today's size, not at the goal:
 * the `sync` area carries the API layer and, for inline syncs, every provider's sync half (shared/providers/cores.ts).
 */
const BUNDLE_BUDGET_KB = 350;
const OVER_BUDGET_KB: Record<string, number> = { sync: 370 };

const ROOT = new URL('../../', import.meta.url).pathname;
const FUNCTIONS = readdirSync(join(ROOT, 'functions'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, ''));

/** index.mjs of `functions/<name>.ts` as `cdk synth` builds it (lib/bundling.ts), in memory; its size in KB. */
async function bundleKb(name: string): Promise<number> {
  const outfile = join(ROOT, 'cdk.out/bundle-budget', name, 'index.mjs');
  const { outputFiles } = await build({
    ...esbuildOptions(false, join(ROOT, 'functions', `${name}.ts`), outfile),
    absWorkingDir: ROOT,
    write: false,
  });
  return outputFiles.find((file) => file.path === outfile)!.contents.byteLength / 1024;
}

describe(`every Lambda bundle stays within ${BUNDLE_BUDGET_KB} KB`, () => {
  it('builds every function as the stack does and names those over the budget', async () => {
    const sizes = await Promise.all(FUNCTIONS.map(async (name) => [name, await bundleKb(name)] as const));
    const over = sizes
      .filter(([name, kb]) => kb > (OVER_BUDGET_KB[name] ?? BUNDLE_BUDGET_KB))
      .map(([name, kb]) => `${name}: ${kb.toFixed(1)} KB`);
    expect(sizes.length).toBeGreaterThan(0);
    expect(over, `over the ${BUNDLE_BUDGET_KB} KB budget`).toEqual([]);
  }, 120_000);
});
