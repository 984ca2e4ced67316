import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSchema, schemaPath } from '../../web/client/generate.js';

describe('typed client', () => {
  it('schema.d.ts is what `npm run client` generates from openapi.json', async () => {
    // A stale file: run `npm run client` (after `npm run openapi` when routes changed).
    expect(readFileSync(schemaPath, 'utf8') === (await generateSchema())).toBe(true);
  });

  it('types every documented path', async () => {
    const document = JSON.parse(
      readFileSync(new URL('../../shared/api/openapi.json', import.meta.url), 'utf8'),
    );
    const schema = readFileSync(schemaPath, 'utf8');
    for (const path of Object.keys(document.paths)) expect(schema).toContain(`    "${path}": {`);
  });
});
