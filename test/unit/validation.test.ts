import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { uuid } from '#shared/api/schemas.js';
import { validationDetail } from '#shared/http/validation.js';

const detailOf = (schema: z.ZodMiniType, input: unknown) => {
  const result = z.safeParse(schema, input);
  if (result.success) throw new Error('expected a validation error');
  return validationDetail(result.error);
};

describe('validation details use the reference wording', () => {
  it.each([
    ['missing field', z.object({ a: z.string() }), {}, 'Field required'],
    ['bad uuid', z.object({ id: uuid() }), { id: 'nope' }, 'Input should be a valid UUID'],
    ['bad email', z.object({ e: z.email() }), { e: 'x@' }, 'value is not a valid email address'],
    [
      'long name',
      z.object({ n: z.string().check(z.maxLength(100)) }),
      { n: 'x'.repeat(101) },
      'String should have at most 100 characters',
    ],
    ['short password', z.string().check(z.minLength(8)), 'short', 'String should have at least 8 characters'],
    ['enum', z.enum(['asc', 'desc']), 'up', "Input should be 'asc' or 'desc'"],
    [
      'int range',
      z.coerce.number().check(z.int(), z.lte(100)),
      '101',
      'Input should be less than or equal to 100',
    ],
    [
      'pattern',
      z.string().check(z.regex(/^[A-Z2-9]{8}$/)),
      'abc',
      "String should match pattern '^[A-Z2-9]{8}$'",
    ],
    ['not an object', z.object({ a: z.string() }), 'text', 'Input should be a valid dictionary or object'],
  ])('%s', (_name, schema, input, detail) => {
    expect(detailOf(schema, input)).toBe(detail);
  });

  it('accepts any hyphenated hex UUID and lower-cases it', () => {
    expect(uuid().parse('AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE')).toBe('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
  });
});
