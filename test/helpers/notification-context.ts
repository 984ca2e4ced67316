import { ProviderRequestError } from '#shared/providers/http.js';
import type { PullResult } from '#shared/providers/types.js';
import type { NotificationContext } from '#shared/providers/webhook-types.js';

/**
 * A NotificationContext whose provider answers GETs from `answers` by path (a missing path is the provider's 404
 * with `notFoundBody`), recording what a webhook handler does: the paths it asked, what it saved, removed and
 * revoked.
 */
export function recordingContext(
  answers: Record<string, () => unknown>,
  { scope = null, notFoundBody = '{}' }: { scope?: string | null; notFoundBody?: string } = {},
) {
  const calls: string[] = [];
  const saved: PullResult[] = [];
  const removed: string[] = [];
  const revoked: string[] = [];
  const context: NotificationContext = {
    userId: 'user-1',
    scope,
    async get(path) {
      calls.push(path);
      const answer = answers[path];
      if (!answer) throw new ProviderRequestError(404, notFoundBody);
      return answer();
    },
    async save(result) {
      saved.push(result);
    },
    async removeEvent(category, externalId) {
      removed.push(`${category}:${externalId}`);
      return true;
    },
    async revoke(reason) {
      revoked.push(reason);
    },
    async setScope() {},
    async arrived() {},
  };
  return { context, calls, saved, removed, revoked };
}
