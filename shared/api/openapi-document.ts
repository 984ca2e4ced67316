import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface OpenApiDocument {
  paths: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The committed document (shared/api/openapi.json), read from disk rather than bundled (it would be half of the meta
 * bundle): on Lambda from next to index.mjs, where lib/api.ts ships it (META_BUNDLE_FILES), whichever chunk this
 * module ends up in; in the sandbox and the tests from beside this module.
 */
function documentPath(): string | URL {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  return taskRoot ? join(taskRoot, 'openapi.json') : new URL('openapi.json', import.meta.url);
}

let document: OpenApiDocument | undefined;

export function openApiDocument(): OpenApiDocument {
  document ??= JSON.parse(readFileSync(documentPath(), 'utf8')) as OpenApiDocument;
  return document;
}
