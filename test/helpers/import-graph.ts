/**
 * The project's import graph, read with the TypeScript compiler API (no type checking): every `import`,
 * `export … from`, `import(…)` and `typeof import(…)` in the tsconfig's files, resolved exactly as `tsc`
 * resolves them (NodeNext: the package.json "imports" aliases `#shared/*`, `#lib/*`, `#test/*` and the
 * `.js` → `.ts` mapping). Plus a rule checker and a cycle finder over that graph, kept free of the real
 * file system so they can be proven on a synthetic graph.
 */
import { isBuiltin } from 'node:module';
import { isAbsolute, join, relative, sep } from 'node:path';
import ts from 'typescript';

/** `type`: erased at compile time (`import type`, `export type … from`, `typeof import(…)`). */
export type ImportKind = 'static' | 'type' | 'dynamic';

/** One import written in a project file, as found in its source. */
export interface ImportSite {
  /** Importing file, relative to the project root, `/`-separated. */
  from: string;
  specifier: string;
  line: number;
  kind: ImportKind;
}

/** An import of another project file. */
export interface ImportEdge extends ImportSite {
  /** Imported file, relative to the project root, `/`-separated. */
  to: string;
}

export interface ImportGraph {
  /** Every project file, relative to the root, `/`-separated, sorted. */
  modules: string[];
  /** Imports between project files. */
  edges: ImportEdge[];
  /** Imports of npm packages and node built-ins. */
  external: ImportSite[];
  /** Relative or `#alias` imports that resolve to no file (a typo, or a file that moved). */
  unresolved: ImportSite[];
  /** `import(expression)` whose target the source does not name; `specifier` is the expression's text. */
  computed: ImportSite[];
}

export interface GraphSource {
  /** Absolute project root; module paths are relative to it. */
  root: string;
  /** Absolute paths of the files to read. */
  fileNames: readonly string[];
  options: ts.CompilerOptions;
  /** File system for module resolution and reading sources (ts.sys, or an in-memory one). */
  host: ts.ModuleResolutionHost;
}

/** The graph of the real project: the files and compiler options of `<root>/tsconfig.json`. */
export function loadProjectGraph(root: string): ImportGraph {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  if (parsed.errors.length > 0) {
    throw new Error(
      parsed.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'),
    );
  }
  return buildImportGraph({ root, fileNames: parsed.fileNames, options: parsed.options, host: ts.sys });
}

export function buildImportGraph({ root, fileNames, options, host }: GraphSource): ImportGraph {
  const toId = (file: string) => relative(root, file).split(sep).join('/');
  const cache = ts.createModuleResolutionCache(root, (f) => f, options);
  const graph: ImportGraph = { modules: [], edges: [], external: [], unresolved: [], computed: [] };

  for (const fileName of [...fileNames].sort()) {
    const from = toId(fileName);
    graph.modules.push(from);
    const text = host.readFile(fileName);
    if (text === undefined) throw new Error(`cannot read ${fileName}`);

    for (const found of findImports(fileName, text)) {
      const site: ImportSite = { from, ...found };
      if (found.computed) {
        graph.computed.push(site);
        continue;
      }
      // Every project file is an ES module ("type": "module"), so resolve with the ESM conditions.
      const resolved = ts.resolveModuleName(
        found.specifier,
        fileName,
        options,
        host,
        cache,
        undefined,
        ts.ModuleKind.ESNext,
      ).resolvedModule;
      if (resolved && !resolved.isExternalLibraryImport && isInside(root, resolved.resolvedFileName)) {
        graph.edges.push({ ...site, to: toId(resolved.resolvedFileName) });
      } else if (resolved || isBuiltin(found.specifier) || isBarePackage(found.specifier)) {
        graph.external.push(site);
      } else graph.unresolved.push(site);
    }
  }
  return graph;
}

interface FoundImport {
  specifier: string;
  line: number;
  kind: ImportKind;
  computed: boolean;
}

/** Every module reference in one source file. */
export function findImports(fileName: string, text: string): FoundImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: FoundImport[] = [];
  const add = (node: ts.Node, specifier: ts.Expression, kind: ImportKind) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const literal = ts.isStringLiteral(specifier) || ts.isNoSubstitutionTemplateLiteral(specifier);
    found.push({
      specifier: literal ? specifier.text : specifier.getText(source),
      line,
      kind,
      computed: !literal,
    });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      // `import { type A } from` keeps a runtime import under verbatimModuleSyntax; only `import type` is erased.
      add(node, node.moduleSpecifier, node.importClause?.isTypeOnly ? 'type' : 'static');
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node, node.moduleSpecifier, node.isTypeOnly ? 'type' : 'static');
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      node.moduleReference.expression
    ) {
      add(node, node.moduleReference.expression, node.isTypeOnly ? 'type' : 'static');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument) add(node, argument, 'dynamic');
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node, node.argument.literal, 'type');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isInside(root: string, file: string): boolean {
  const path = relative(root, file);
  return (
    path !== '' && !path.startsWith('..') && !isAbsolute(path) && !path.split(sep).includes('node_modules')
  );
}

function isBarePackage(specifier: string): boolean {
  return !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('#');
}

/** A boundary: files matching `from` must not import project files matching `forbids`. */
export interface ImportRule {
  name: string;
  /** One sentence: why the boundary exists. */
  why: string;
  from: (file: string) => boolean;
  forbids: (target: string, file: string) => boolean;
}

export function violations(graph: ImportGraph, rule: ImportRule): ImportEdge[] {
  return graph.edges.filter((edge) => rule.from(edge.from) && rule.forbids(edge.to, edge.from));
}

/** `functions/users.ts:3 → lib/app.ts  ('#lib/app.js', type)` — one line per edge, for a failure message. */
export function describeEdge(edge: ImportEdge): string {
  const kind = edge.kind === 'static' ? '' : `, ${edge.kind}`;
  return `${edge.from}:${edge.line} → ${edge.to}  ('${edge.specifier}'${kind})`;
}

/**
 * The import cycles: for every strongly connected component (files that reach each other), the shortest
 * cycle through each of its files, deduplicated. Every file on a cycle appears in at least one listed
 * cycle; a component's cycles share edges, and cutting one edge may break several.
 */
export function findCycles(
  graph: ImportGraph,
  include: (edge: ImportEdge) => boolean = () => true,
): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) {
    if (!include(edge)) continue;
    const targets = next.get(edge.from) ?? [];
    if (!targets.includes(edge.to)) targets.push(edge.to);
    next.set(edge.from, targets);
  }
  for (const targets of next.values()) targets.sort();

  const cycles = new Map<string, string[]>();
  for (const component of stronglyConnected([...next.keys()].sort(), next)) {
    const members = new Set(component);
    for (const start of [...members].sort()) {
      const cycle = shortestCycle(start, members, next);
      if (!cycle) continue;
      const rotated = rotateToSmallest(cycle);
      cycles.set(rotated.join('\n'), rotated);
    }
  }
  return [...cycles.values()].sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}

/** `a.ts → b.ts → a.ts`, each hop tagged with its import kind when it is not a plain static import. */
export function describeCycle(graph: ImportGraph, cycle: string[]): string {
  const hops = cycle.map((from, i) => {
    const to = cycle[(i + 1) % cycle.length]!;
    const kinds = [...new Set(graph.edges.filter((e) => e.from === from && e.to === to).map((e) => e.kind))];
    return kinds.length === 1 && kinds[0] === 'static' ? ' → ' : ` →(${kinds.join('+')}) `;
  });
  return cycle.map((file, i) => `${file}${hops[i]}`).join('') + cycle[0];
}

/** Tarjan's algorithm; components of one file count only with a self-import. */
function stronglyConnected(nodes: string[], next: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const connect = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || next.get(node)?.includes(node)) components.push(component);
    }
  };
  for (const node of nodes) if (!index.has(node)) connect(node);
  return components;
}

/** Breadth-first within one component: the shortest path from `start` back to `start`. */
function shortestCycle(start: string, members: Set<string>, next: Map<string, string[]>): string[] | null {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const target of next.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return path;
      }
      if (parent.has(target)) continue;
      parent.set(target, node);
      queue.push(target);
    }
  }
  return null;
}

function rotateToSmallest(cycle: string[]): string[] {
  const smallest = [...cycle].sort()[0]!;
  const at = cycle.indexOf(smallest);
  return [...cycle.slice(at), ...cycle.slice(0, at)];
}

/** A read-only file system in memory, for resolving a synthetic project. Paths are absolute, `/`-separated. */
export function inMemoryHost(files: Record<string, string>): ts.ModuleResolutionHost {
  const directories = new Set<string>();
  for (const file of Object.keys(files)) {
    for (
      let dir = file.slice(0, file.lastIndexOf('/'));
      dir !== '';
      dir = dir.slice(0, dir.lastIndexOf('/'))
    ) {
      directories.add(dir);
    }
  }
  return {
    fileExists: (path) => Object.hasOwn(files, path),
    readFile: (path) => (Object.hasOwn(files, path) ? files[path] : undefined),
    directoryExists: (path) => directories.has(path.replace(/\/$/, '')),
    getCurrentDirectory: () => '/',
    realpath: (path) => path,
    useCaseSensitiveFileNames: true,
  };
}
