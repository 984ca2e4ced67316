import { isDeepStrictEqual } from 'node:util';
import * as z from 'zod/mini';

export type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

const DEFS = '#/$defs/';
const COMPONENTS = '#/components/schemas/';

/** Every `$ref` into `$defs` pointed at the component of the name `rename` gives. */
function rewriteRefs<T>(value: T, rename: (id: string) => string): T {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, rename)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key === '$ref' && typeof inner === 'string' && inner.startsWith(DEFS)
        ? [key, COMPONENTS + rename(inner.slice(DEFS.length))]
        : [key, rewriteRefs(inner, rename)],
    ),
  ) as T;
}

/**
 * `components.schemas` of the document. zod puts each schema named with `z.meta({ id })` in `$defs` of the JSON
 * Schema of whatever uses it; those are lifted here, so every use refers to one component by `$ref`.
 */
export class SchemaComponents {
  private readonly schemas = new Map<string, JsonSchema>();

  /**
   * The JSON Schema of `schema` with its named parts referenced; the root itself becomes a `$ref` when it is
   * named, or when `fallbackName` is given (then under that name).
   */
  add(schema: z.ZodMiniType, io: 'input' | 'output', fallbackName?: string): JsonSchema {
    const {
      $schema: _,
      $defs = {},
      ...root
    } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    const names = new Map(Object.keys($defs).map((id) => [id, id]));
    // Request bodies are read as zod inputs (defaults make fields optional): a name taken by the output form
    // of the same schema gets its own input component.
    for (const [id, def] of Object.entries($defs)) {
      const taken = this.schemas.get(id);
      if (
        io === 'input' &&
        taken &&
        !isDeepStrictEqual(
          taken,
          rewriteRefs(def, (ref) => ref),
        )
      ) {
        names.set(id, `${id}Input`);
      }
    }
    const rename = (id: string) => names.get(id) ?? id;
    for (const [id, def] of Object.entries($defs)) this.put(rename(id), rewriteRefs(def, rename));
    const rewritten = rewriteRefs(root, rename);
    if (rewritten.$ref || !fallbackName) return rewritten;
    this.put(fallbackName, rewritten);
    return { $ref: COMPONENTS + fallbackName };
  }

  /** A reference to the component `name`, which must have been added. */
  ref(name: string): JsonSchema {
    if (!this.schemas.has(name)) throw new Error(`no component schema named ${name}`);
    return { $ref: COMPONENTS + name };
  }

  /** The components, sorted by name. */
  toJSON(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.schemas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private put(name: string, schema: JsonSchema) {
    const taken = this.schemas.get(name);
    if (taken && !isDeepStrictEqual(taken, schema)) {
      throw new Error(`two different schemas are named ${name}: give one another z.meta({ id })`);
    }
    this.schemas.set(name, schema);
  }
}
