import type { ProviderGet } from '#shared/providers/types.js';

/**
 * A scripted Fitbit for unit tests of the provider module: the answer per path prefix (an Error is thrown), every
 * path asked recorded in `calls`.
 */
export function scriptedFitbit(answers: Record<string, unknown>, calls: string[] = []): ProviderGet {
  return async (path) => {
    calls.push(path);
    const key = Object.keys(answers).find((prefix) => path.startsWith(prefix));
    const answer = key === undefined ? undefined : answers[key];
    if (answer instanceof Error) throw answer;
    return answer;
  };
}

/** A profile in India (+05:30 all year). */
export const KOLKATA_PROFILE = {
  user: { encodedId: 'FB1', timezone: 'Asia/Kolkata', offsetFromUTCMillis: 19_800_000 },
};
