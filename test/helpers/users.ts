import { createUser } from '#shared/identity/users.js';

/** A user that exists (every write path refuses to write for a user who does not). */
export const newUserId = async (): Promise<string> => (await createUser({})).id;
