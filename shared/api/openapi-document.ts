import { readFileSync } from 'node:fs';

export interface OpenApiDocument {
  paths: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The committed document (shared/api/openapi.json), read from disk rather than bundled (it would be half of the meta
 * bundle): from the source tree in the sandbox and the tests, from next to index.mjs on Lambda, where lib/api.ts ships
 * it (META_BUNDLE_FILES). Either way it sits beside the running module, so one relative URL finds it.
 */
const DOCUMENT_URL = new URL('openapi.json', import.meta.url);

let document: OpenApiDocument | undefined;

export function openApiDocument(): OpenApiDocument {
  document ??= JSON.parse(readFileSync(DOCUMENT_URL, 'utf8')) as OpenApiDocument;
  return document;
}
