import { mkdir, mkdtemp, readFile, realpath, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { esbuildOptions } from '#lib/bundling.js';
import { resetEnvCache } from '#shared/config/env.js';
import { Logger } from '#shared/logger.js';
import { mapFrames, mappedStack } from '#shared/source-mapped-stack.js';

// The Error is made on line 2 of the chunk's source, column 10; the entry calls for it on line 3, column 10.
const FAIL_TS = "export function fail(): Error {\n  return new Error('boom from chunk');\n}\n";
const ENTRY_TS =
  "export async function run(): Promise<Error> {\n  const { fail } = await import('./fail.js');\n  return fail();\n}\n";

let root: string;

/**
 * A fresh bundle built as lib/bundling.ts builds a function (its banner line too), with a code-split chunk; its
 * files and sources. It lives under a node_modules directory so that vitest leaves its import to Node, as on Lambda:
 * any other file it would transform, applying the bundle's source map itself.
 */
async function bundle(name: string) {
  const dir = join(root, 'node_modules', name);
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'src', 'fail.ts'), FAIL_TS);
  await writeFile(join(dir, 'src', 'index.ts'), ENTRY_TS);
  const { metafile } = await build({
    ...esbuildOptions({ bundleAwsSdk: false }, join(dir, 'src', 'index.ts'), join(dir, 'out')),
    metafile: true,
  });
  const chunk = Object.keys(metafile.outputs).find(
    (file) => file.endsWith('.mjs') && file.includes('chunks/'),
  );
  return {
    index: join(dir, 'out', 'index.mjs'),
    chunk: join(process.cwd(), chunk!),
    fail: join(dir, 'src', 'fail.ts'),
    entry: join(dir, 'src', 'index.ts'),
  };
}

/** The Error the bundle makes (its chunk's, called from the entry). */
async function errorFrom(index: string): Promise<Error> {
  const { run } = await import(/* @vite-ignore */ pathToFileURL(index).href);
  return run();
}

/** The one frame line of the stack that is in `file`. */
function frameIn(stack: string, file: string): string {
  const frames = stack.split('\n').filter((line) => line.includes(`${pathToFileURL(file).href}:`));
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'source-mapped-stack-')));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('mapping bundle stack frames to the original sources (shared/source-mapped-stack.ts)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    resetEnvCache();
  });

  it('points each bundle frame, in the entry and in a chunk, at its source line, the rest as it was', async () => {
    const { index, chunk, fail, entry } = await bundle('mapped');
    const stack = (await errorFrom(index)).stack!;
    const chunkFrame = frameIn(stack, chunk);
    const indexFrame = frameIn(stack, index);
    expect(chunkFrame).toMatch(/^ {4}at \S+ \(file:\/\/\/.+\/chunks\/fail-\w+\.mjs:2:\d+\)$/);
    expect(indexFrame).toMatch(/^ {4}at \S+ \(file:\/\/\/.+\/out\/index\.mjs:2:\d+\)$/);

    const expected = stack
      .replace(chunkFrame, chunkFrame.replace(/\(file:.+\)$/, `(${fail}:2:10)`))
      .replace(indexFrame, indexFrame.replace(/\(file:.+\)$/, `(${entry}:3:10)`));
    expect(expected).not.toBe(stack);
    expect(mapFrames(stack)).toBe(expected);
  });

  it('maps a bare frame and a location given as a path', async () => {
    const { index, chunk, fail } = await bundle('bare');
    const column = /:2:(\d+)\)$/.exec(frameIn((await errorFrom(index)).stack!, chunk))![1];
    expect(mapFrames(`    at async ${chunk}:2:${column}`)).toBe(`    at async ${fail}:2:10`);
    expect(mapFrames(`    at ${pathToFileURL(chunk).href}:2:${column}`)).toBe(`    at ${fail}:2:10`);
    expect(mapFrames(`    at Module.x (${chunk}:2:${column})`)).toBe(`    at Module.x (${fail}:2:10)`);
  });

  it('leaves a position the map has nothing for as it is', async () => {
    const { chunk } = await bundle('unmapped');
    for (const frame of [`    at f (${chunk}:1:3)`, `    at f (${chunk}:7:3)`]) {
      expect(mapFrames(frame)).toBe(frame);
    }
  });

  it("writes the mapped stack in the logger's ERROR line, its cause's too", async () => {
    const { index, fail } = await bundle('logged');
    const made = await errorFrom(index);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    resetEnvCache();
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((text: unknown) => {
      written.push(String(text));
      return true;
    });
    new Logger().error('sync failed', { error: new Error('wrapped', { cause: made }) });
    const line = JSON.parse(written.join('')) as { level: string; error: { cause: { stack: string } } };
    expect(line.level).toBe('ERROR');
    expect(line.error.cause.stack).toBe(mapFrames(made.stack!));
    expect(line.error.cause.stack).toContain(`(${fail}:2:10)`);
    expect(line.error.cause.stack).not.toContain('.mjs:');
  });

  it("never rewrites the error's message, even one holding a frame of the bundle", async () => {
    const { index, chunk, fail } = await bundle('message');
    const made = await errorFrom(index);
    const realFrame = frameIn(made.stack!, chunk);
    const message = `provider said:\n${realFrame}\nand more`;
    const error = new Error(message);
    error.stack = `Error: ${message}\n${realFrame}`;
    const mapped = mappedStack(error)!;
    expect(mapped.startsWith(`Error: ${message}\n`)).toBe(true);
    expect(mapped.slice(`Error: ${message}`.length)).toContain(`(${fail}:2:10)`);
    // A stack that does not start with its error's header is left alone.
    const renamed = Object.assign(new Error('x'), { stack: `Other: x\n${realFrame}` });
    expect(mappedStack(renamed)).toBe(renamed.stack);
  });

  it('leaves the stack as it is when the bundle has no map beside it', async () => {
    const { index, chunk } = await bundle('no-map');
    await Promise.all([unlink(`${index}.map`), unlink(`${chunk}.map`)]);
    const stack = (await errorFrom(index)).stack!;
    expect(stack).toContain('.mjs:2:');
    expect(mapFrames(stack)).toBe(stack);
  });

  it('leaves the stack as it is, without throwing, when a map is corrupt', async () => {
    const { index, chunk } = await bundle('corrupt');
    await writeFile(`${index}.map`, '{"version":3,"sources":["../src/index.ts"],"mappings":');
    // A map that parses, with a source no URL can be made of: the mapping itself fails.
    const chunkMap = JSON.parse(await readFile(`${chunk}.map`, 'utf8'));
    await writeFile(`${chunk}.map`, JSON.stringify({ ...chunkMap, sources: ['http://['] }));
    const stack = (await errorFrom(index)).stack!;
    expect(stack).toContain('.mjs:2:');
    expect(mapFrames(stack)).toBe(stack);
  });

  it('never throws and keeps the number of lines, whatever the text; text naming no .mjs stays as it is', async () => {
    const { chunk } = await bundle('arbitrary');
    const frame = fc
      .tuple(
        fc.constantFrom('    at ', '    at async ', '    at f (', '  at x.y [as z] ('),
        fc.constantFrom(
          chunk,
          pathToFileURL(chunk).href,
          '/no/such/x.mjs',
          'file:///no/such/y.mjs',
          'file://host/z.mjs',
          'file:///no/such%2Fz.mjs',
        ),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('', ')', ') '),
      )
      .map(([before, file, line, column, after]) => `${before}${file}:${line}:${column}${after}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), frame)), (lines) => {
        const stack = lines.join('\n');
        expect(mapFrames(stack).split('\n')).toHaveLength(stack.split('\n').length);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        fc.pre(!text.includes('.mjs'));
        expect(mapFrames(text)).toBe(text);
      }),
    );
  });
});
