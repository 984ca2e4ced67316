import { HttpError } from '#shared/http/errors.js';

/**
 * Concurrent writers kept beating this one (a transaction conflict, an optimistic write losing every retry): the
 * write did not happen, and the caller may simply retry. A 503 on the API, which every SDK retries (a 429 or 500
 * would make the iOS SDK skip the chunk).
 */
export class ContentionError extends HttpError {
  override name = 'ContentionError';
  constructor(what: string) {
    super(503, 'Service temporarily overloaded, please retry', { 'retry-after': '1' });
    this.message = `${what}: too much contention`;
  }
}

const CONFLICT_ATTEMPTS = 6;

/**
 * True for a write that lost to a concurrent transaction and changed nothing: DynamoDB's TransactionConflict, as
 * a single-item error or as the only reason a transaction was cancelled (a failed condition is not a conflict).
 */
export function isTransactionConflict(error: unknown): boolean {
  const { name, CancellationReasons } = error as {
    name?: string;
    CancellationReasons?: Array<{ Code?: string }>;
  };
  if (name === 'TransactionConflictException') return true;
  if (name !== 'TransactionCanceledException' || !CancellationReasons) return false;
  const codes = CancellationReasons.map((reason) => reason.Code ?? 'None');
  return (
    codes.includes('TransactionConflict') && codes.every((c) => c === 'None' || c === 'TransactionConflict')
  );
}

/**
 * Retries a request that lost to a concurrent transaction (every guarded write checks the user's profile, so two
 * writes for one user may meet there), with jittered backoff; nothing was written, so a retry is safe. Gives up
 * with a ContentionError.
 */
type Handler = (args: { input: unknown }) => Promise<unknown>;

export const retryTransactionConflicts =
  (next: Handler, context: { commandName?: string }) => async (args: { input: unknown }) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(args);
      } catch (error) {
        if (!isTransactionConflict(error)) throw error;
        if (attempt === CONFLICT_ATTEMPTS) throw new ContentionError(context.commandName ?? 'a write');
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1_000, 20 * 2 ** attempt)));
    }
  };
