import { unauthorized } from '#shared/http/errors.js';
import type { Caller } from '#shared/http/route.js';
import type { Developer } from '#shared/store/developers.js';

/** DEV routes always resolve a developer; this narrows the caller type for them. */
export const developerOf = (caller: Caller): Developer => {
  if (caller.kind !== 'developer') throw unauthorized('Could not validate credentials', true);
  return caller.developer;
};
