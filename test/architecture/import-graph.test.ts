/**
 * Architecture rules over the import graph, so the module shape cannot rot. The graph is every file of
 * tsconfig.json with its imports resolved as tsc resolves them (`#shared/*`, `#lib/*`, `#test/*`, `.js` → `.ts`);
 * `import type`, `export … from`, `import('literal')` and `typeof import('literal')` are all edges.
 * Not enforced, on purpose: `lib/` (CDK) imports `shared/` only for registries and schemas (a review
 * matter), and `vi.mock('…')` specifiers, which are not imports.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  buildImportGraph,
  describeCycle,
  describeEdge,
  findCycles,
  type ImportGraph,
  type ImportRule,
  inMemoryHost,
  loadProjectGraph,
  violations,
} from '#test/helpers/import-graph.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `area` is a folder (`shared/sync`) or a file without extension; true for the file or anything inside. */
const within = (file: string, ...areas: string[]) =>
  areas.some((area) => file === `${area}.ts` || file.startsWith(`${area}/`));

/** The provider folder a file lives in (`shared/providers/fitbit/api.ts` → `fitbit`), if any. */
const providerFolder = (file: string) => /^shared\/providers\/([^/]+)\//.exec(file)?.[1];

const ENGINE = ['shared/sync', 'shared/api', 'shared/webhooks'];

const RULES: ImportRule[] = [
  {
    name: 'functions/*.ts import only from shared/ (besides node built-ins and npm packages)',
    why: 'handlers stay thin, and their bundles never pull in CDK (lib/), tests, benchmarks or another handler',
    from: (file) => /^functions\/[^/]+\.ts$/.test(file),
    forbids: (target) => !within(target, 'shared'),
  },
  {
    name: 'nothing under shared/ imports test/, bench/, lib/ or bin/',
    why: 'product code must not depend on test doubles, benchmarks or infrastructure code',
    from: (file) => within(file, 'shared'),
    forbids: (target) => within(target, 'test', 'bench', 'lib', 'bin'),
  },
  {
    name: 'a provider folder imports neither shared/sync, shared/api, shared/webhooks nor another provider folder',
    why:
      'a provider is a pure adapter against the provider layer (shared/providers/*.ts), so adding or removing ' +
      'one touches only its folder and one registry line',
    from: (file) => providerFolder(file) !== undefined,
    forbids: (target, file) =>
      within(target, ...ENGINE) ||
      (providerFolder(target) !== undefined && providerFolder(target) !== providerFolder(file)),
  },
  {
    name: 'the provider layer (shared/providers/*.ts) imports neither shared/sync, shared/api nor shared/webhooks',
    why: 'the engine depends on the providers, never the reverse',
    from: (file) => /^shared\/providers\/[^/]+\.ts$/.test(file),
    forbids: (target) => within(target, ...ENGINE),
  },
];

/**
 * Type-only imports count: a type cycle is still a layering knot (and `import { type A }` is a runtime
 * import under verbatimModuleSyntax anyway); each hop of a reported cycle says when it is type-only.
 */
const NO_CYCLES_WHY =
  'a cycle makes load order matter (a binding read before its module ran) and fuses its modules into one unit';

describe('import graph architecture', () => {
  const graph = loadProjectGraph(ROOT);

  it('reads the whole project: every project file, every relative and #alias import resolved', () => {
    expect(graph.modules.length, 'a plausible graph, not an empty one').toBeGreaterThan(150);
    expect(graph.edges.length).toBeGreaterThan(500);
    expect(graph.modules).toEqual(
      expect.arrayContaining(['functions/users.ts', 'shared/providers/registry.ts', 'lib/app.ts']),
    );
    // An import the resolver cannot follow would be invisible to every rule below.
    expect(graph.unresolved.map((s) => `${s.from}:${s.line} '${s.specifier}'`)).toEqual([]);
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      expect(
        graph.edges.some((edge) => rule.from(edge.from)),
        `no file imports anything under the rule's scope; was a folder renamed? (${rule.name})`,
      ).toBe(true);
      expect(violations(graph, rule).map(describeEdge), `${rule.name}: ${rule.why}`).toEqual([]);
    });
  }

  it('product code imports only what the rules can see: no computed import() in functions/ or shared/', () => {
    // The dev sandbox loads handlers by name (shared/sandbox/sandbox.ts); it never ships in a bundle.
    const hidden = graph.computed.filter(
      (site) => within(site.from, 'functions', 'shared') && !within(site.from, 'shared/sandbox'),
    );
    expect(hidden.map((s) => `${s.from}:${s.line} import(${s.specifier})`)).toEqual([]);
  });

  it('has no import cycles among the project modules (type-only imports included)', () => {
    expect(
      findCycles(graph).map((cycle) => describeCycle(graph, cycle)),
      NO_CYCLES_WHY,
    ).toEqual([]);
  });
});

describe('the rule checker itself, on a synthetic project in memory', () => {
  const files: Record<string, string> = {
    '/virtual/package.json': JSON.stringify({
      type: 'module',
      imports: { '#shared/*': './shared/*', '#lib/*': './lib/*', '#test/*': './test/*' },
    }),
    '/virtual/functions/users.ts': [
      "import { readFile } from 'node:fs/promises';",
      "import { z } from 'zod';",
      "import { handler } from '#shared/http/handler.js';",
      "import { STACK } from '#lib/stack.js';",
    ].join('\n'),
    '/virtual/shared/http/handler.ts': 'export const handler = 1;',
    '/virtual/lib/stack.ts': "import { handler } from '../shared/http/handler.js';\nexport const STACK = 1;",
    '/virtual/shared/sandbox/demo.ts': [
      "const fake = await import('#test/fakes/acme.js');",
      'const name = String(fake);',
      'await import(name);',
    ].join('\n'),
    '/virtual/test/fakes/acme.ts': "import './gone.js';\nexport const fake = 1;",
    '/virtual/shared/providers/types.ts': "export type { Window } from '#shared/sync/window.js';",
    '/virtual/shared/providers/registry.ts': [
      "import { acme } from './acme/index.js';",
      "import { zeta } from '#shared/providers/zeta/index.js';",
    ].join('\n'),
    '/virtual/shared/providers/acme/index.ts': [
      "import type { Window } from '../types.js';",
      "import { parse } from './parse.js';",
      "import { UNITS } from '../zeta/units.js';",
      "let schema: typeof import('#shared/api/schemas.js');",
      'export const acme = 1;',
    ].join('\n'),
    '/virtual/shared/providers/acme/parse.ts': "import { type Window } from '#shared/providers/types.js';",
    '/virtual/shared/providers/zeta/index.ts': "export { UNITS as zeta } from './units.js';",
    '/virtual/shared/providers/zeta/units.ts': 'export const UNITS = 1;',
    '/virtual/shared/sync/window.ts': "import { acme } from '#shared/providers/registry.js';",
    '/virtual/shared/api/schemas.ts': 'export const schemas = 1;',
    '/virtual/shared/store/a.ts': "import { b } from './b.js';\nexport const a = 1;",
    '/virtual/shared/store/b.ts': "import type { a } from './a.js';\nexport const b = 1;",
  };
  const synthetic: ImportGraph = buildImportGraph({
    root: '/virtual',
    fileNames: Object.keys(files).filter((file) => file.endsWith('.ts')),
    options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
    host: inMemoryHost(files),
  });
  const flagged = (index: number) => violations(synthetic, RULES[index]!).map(describeEdge);

  it('resolves aliases, .js → .ts, re-exports, dynamic and type imports; sets aside the rest', () => {
    expect(synthetic.modules).toHaveLength(Object.keys(files).length - 1);
    expect(synthetic.external.map((s) => s.specifier)).toEqual(['node:fs/promises', 'zod']);
    expect(synthetic.unresolved.map((s) => `${s.from} '${s.specifier}'`)).toEqual([
      "test/fakes/acme.ts './gone.js'",
    ]);
    expect(synthetic.computed.map((s) => `${s.from}:${s.line}`)).toEqual(['shared/sandbox/demo.ts:3']);
    expect(synthetic.edges.map((e) => `${e.from} → ${e.to} ${e.kind}`)).toEqual(
      expect.arrayContaining([
        'functions/users.ts → shared/http/handler.ts static',
        'shared/providers/zeta/index.ts → shared/providers/zeta/units.ts static',
        'shared/providers/acme/parse.ts → shared/providers/types.ts static',
        'shared/providers/acme/index.ts → shared/api/schemas.ts type',
        'shared/sandbox/demo.ts → test/fakes/acme.ts dynamic',
      ]),
    );
  });

  it('flags each rule’s offending edges, and only those', () => {
    expect(flagged(0)).toEqual(["functions/users.ts:4 → lib/stack.ts  ('#lib/stack.js')"]);
    expect(flagged(1)).toEqual([
      "shared/sandbox/demo.ts:1 → test/fakes/acme.ts  ('#test/fakes/acme.js', dynamic)",
    ]);
    expect(flagged(2)).toEqual([
      "shared/providers/acme/index.ts:3 → shared/providers/zeta/units.ts  ('../zeta/units.js')",
      "shared/providers/acme/index.ts:4 → shared/api/schemas.ts  ('#shared/api/schemas.js', type)",
    ]);
    expect(flagged(3)).toEqual([
      "shared/providers/types.ts:1 → shared/sync/window.ts  ('#shared/sync/window.js', type)",
    ]);
  });

  it('finds every cycle, each with its path and its type-only hops', () => {
    expect(findCycles(synthetic).map((cycle) => describeCycle(synthetic, cycle))).toEqual([
      'shared/store/a.ts → shared/store/b.ts →(type) shared/store/a.ts',
      'shared/providers/acme/index.ts →(type) shared/providers/types.ts →(type) shared/sync/window.ts → ' +
        'shared/providers/registry.ts → shared/providers/acme/index.ts',
      'shared/providers/acme/index.ts → shared/providers/acme/parse.ts → shared/providers/types.ts →(type) ' +
        'shared/sync/window.ts → shared/providers/registry.ts → shared/providers/acme/index.ts',
    ]);
    expect(findCycles(synthetic, (edge) => edge.kind !== 'type')).toEqual([]);
  });
});
