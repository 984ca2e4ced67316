import { HttpError } from '#shared/http/errors.js';

/** The HTTP status a service call would produce: 200 when it resolves, the HttpError's status when it throws. */
export async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof HttpError) return error.statusCode;
    throw error;
  }
}
