import * as z from 'zod/mini';
import '#shared/config/zod.js';

/**
 * Validation messages in the reference's (pydantic) wording, so integrators matching on `detail` keep working.
 * Registered once, globally; anything not listed keeps zod's own message.
 */
const joinChoices = (values: readonly unknown[]) => {
  const quoted = values.map((v) => `'${String(v)}'`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
};

function pydanticMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'Field required';
      if (issue.expected === 'number' || issue.expected === 'int')
        return issue.expected === 'int'
          ? 'Input should be a valid integer, unable to parse string as an integer'
          : 'Input should be a valid number, unable to parse string as a number';
      if (issue.expected === 'boolean') return 'Input should be a valid boolean';
      if (issue.expected === 'string') return 'Input should be a valid string';
      if (issue.expected === 'object') return 'Input should be a valid dictionary or object';
      if (issue.expected === 'array') return 'Input should be a valid list';
      return undefined;
    case 'invalid_format':
      if (issue.format === 'uuid' || issue.format === 'guid') return 'Input should be a valid UUID';
      if (issue.format === 'email') return 'value is not a valid email address';
      if (issue.format === 'url') return 'Input should be a valid URL';
      if (issue.format === 'regex')
        return `String should match pattern '${String(issue.pattern).replace(/^\/|\/[a-z]*$/g, '')}'`;
      if (issue.format === 'datetime') return 'Input should be a valid datetime';
      return undefined;
    case 'too_big':
      if (issue.origin === 'string') return `String should have at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `List should have at most ${issue.maximum} items`;
      return `Input should be less than or equal to ${issue.maximum}`;
    case 'too_small':
      if (issue.origin === 'string') return `String should have at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `List should have at least ${issue.minimum} items`;
      return `Input should be greater than or equal to ${issue.minimum}`;
    case 'invalid_value':
      return `Input should be ${joinChoices(issue.values)}`;
    case 'unrecognized_keys':
      return 'Extra inputs are not permitted';
    default:
      return undefined;
  }
}

z.config({ customError: pydanticMessage });

/** The contract's 400 detail: the first error's message. */
export function validationDetail(error: z.core.$ZodError): string {
  return error.issues[0]?.message ?? 'Invalid request';
}

/**
 * A request string capped at `max` characters. The cap aborts the parse before any later check, so a pattern or
 * transform after it never runs on more than `max` characters: no input can make validation superlinear.
 */
export const cappedString = (max: number) => z.string().check(z.maxLength(max, { abort: true }));

/** Length caps of request strings, in one place. */
export const CAP = {
  /** Ids, keys, slugs, enum-like words, cursors' building blocks. */
  id: 64,
  /** Names and labels. */
  name: 100,
  /** RFC 5321's practical maximum. */
  email: 320,
  /** Free text: descriptions, search terms, messages. */
  text: 1_024,
  /** Dates, times, offsets and numbers sent as text. */
  datetime: 64,
  /** Opaque tokens and secrets we or a provider issue. */
  token: 2_048,
  url: 2_048,
  password: 1_024,
} as const;

/** An email address, capped before zod's email pattern runs. */
export const cappedEmail = () => z.pipe(cappedString(CAP.email), z.email());
