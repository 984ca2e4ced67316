import { randomUUID } from 'node:crypto';
import { badRequest, entityNotFound } from '#shared/http/errors.js';
import { queueErasure, SECOND_PASS_DELAY_SECONDS } from '#shared/jobs/erasure.js';
import { apiDateTime, nowIso } from '#shared/model/time.js';
import { listConnections } from '#shared/store/connections.js';
import { eraseUserData } from '#shared/store/erase-user.js';
import {
  ExternalIdTaken,
  getUser,
  insertUser,
  listUsers,
  replaceUser,
  tombstoneUser,
  type User,
} from '#shared/store/users.js';

export type UserFields = Partial<Pick<User, 'first_name' | 'last_name' | 'email' | 'external_user_id'>>;

export const userView = (user: User) => ({
  id: user.id,
  created_at: apiDateTime(user.created_at),
  first_name: user.first_name,
  last_name: user.last_name,
  email: user.email,
  external_user_id: user.external_user_id,
  last_synced_at: apiDateTime(user.last_synced_at),
  last_synced_provider: user.last_synced_provider ?? null,
  has_active_connection: user.has_active_connection ?? false,
});

/** Any active connection (one partition read): computed for every user response, not only the list. */
const hasActiveConnection = async (userId: string) =>
  (await listConnections(userId)).some((c) => c.status === 'active');

/** The user as every route answers it, `has_active_connection` included. */
export const userResponse = async (user: User) =>
  userView({ ...user, has_active_connection: await hasActiveConnection(user.id) });

const externalIdConflict = (value: string) =>
  badRequest(`User entity already exists. Details: external_user_id '${value}' is already in use`);

export async function createUser(fields: UserFields) {
  const user: User = {
    id: randomUUID(),
    created_at: nowIso(),
    first_name: fields.first_name ?? null,
    last_name: fields.last_name ?? null,
    email: fields.email ?? null,
    external_user_id: fields.external_user_id ?? null,
  };
  try {
    await insertUser(user);
  } catch (error) {
    if (error instanceof ExternalIdTaken) throw externalIdConflict(error.message);
    throw error;
  }
  return userView(user);
}

export async function requireUser(id: string): Promise<User> {
  const user = await getUser(id);
  if (!user) throw entityNotFound('User', id);
  return user;
}

/** Nobody's id: no user is ever created with it, so every read of its data is empty. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

/**
 * The id to read a user's health data with: theirs while the user exists, else an id that owns nothing, so a
 * deleted user's data is never readable, not even what a writer that raced the erasure may have left for the
 * second pass to remove. Every read answers exactly as for an unknown user (contract: 200, empty).
 */
export async function readableUserId(id: string): Promise<string> {
  return (await getUser(id)) ? id : NOBODY;
}

/** Only the fields present in `fields` change (PATCH semantics). */
export async function updateUser(id: string, fields: UserFields) {
  const current = await requireUser(id);
  const next: User = { ...current, ...fields };
  try {
    await replaceUser(current, next);
  } catch (error) {
    if (error instanceof ExternalIdTaken) throw externalIdConflict(error.message);
    throw error;
  }
  return userResponse(next);
}

/** How long a DELETE request erases inline before handing the rest to the erasure queue. */
const INLINE_ERASURE_MS = 10_000;

/**
 * GDPR erasure of every item of the user, answered with the user as it was (shared/jobs/erasure.ts). The second
 * pass is queued first (if that fails, nothing happened yet), then the profile becomes a tombstone, which stops
 * every write for the user; the data goes inline for up to 10 s, the rest on the erasure queue.
 */
export async function deleteUser(id: string) {
  const response = await userResponse(await requireUser(id));
  await queueErasure(id, { final: true, delaySeconds: SECOND_PASS_DELAY_SECONDS });
  await tombstoneUser(id);
  if ((await eraseUserData(id, Date.now() + INLINE_ERASURE_MS)) === 'partial') await queueErasure(id);
  return response;
}

export type SortField = 'created_at' | 'email' | 'first_name' | 'last_name' | 'last_synced_at';

export interface ListUsersQuery {
  page: number;
  limit: number;
  sort_by: SortField;
  sort_order: 'asc' | 'desc';
  search?: string | undefined;
  email?: string | undefined;
  external_user_id?: string | undefined;
}

/**
 * Null placement follows the reference (PostgreSQL): nulls sort as the largest value, except
 * `last_synced_at`, which puts never-synced users first ascending and last descending.
 */
export function compareUsers(sortBy: SortField, order: 'asc' | 'desc') {
  const direction = order === 'asc' ? 1 : -1;
  const nullsLargest = sortBy !== 'last_synced_at';
  return (a: User, b: User): number => {
    const x = a[sortBy] ?? null;
    const y = b[sortBy] ?? null;
    let result: number;
    if (x === y) result = 0;
    else if (x === null) result = nullsLargest ? 1 : -1;
    else if (y === null) result = nullsLargest ? -1 : 1;
    else result = x < y ? -1 : 1;
    if (result === 0) result = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return result * direction;
  };
}

export function matchesFilters(
  user: User,
  query: Pick<ListUsersQuery, 'search' | 'email' | 'external_user_id'>,
) {
  if (query.email !== undefined && user.email?.toLowerCase() !== query.email.toLowerCase()) return false;
  if (query.external_user_id !== undefined && user.external_user_id !== query.external_user_id) return false;
  if (query.search) {
    const needle = query.search.toLowerCase();
    return [user.email, user.first_name, user.last_name].some((v) => v?.toLowerCase().includes(needle));
  }
  return true;
}

/** The contract's offset envelope: `pages = ceil(total/limit)`, `has_next = page < pages`. */
export function offsetPage<T>(items: T[], page: number, limit: number) {
  const total = items.length;
  const pages = Math.ceil(total / limit);
  return {
    items: items.slice((page - 1) * limit, page * limit),
    total,
    page,
    limit,
    pages,
    has_next: page < pages,
    has_prev: page > 1,
  };
}

export async function listUserPage(query: ListUsersQuery) {
  const users = (await listUsers()).filter((u) => matchesFilters(u, query));
  users.sort(compareUsers(query.sort_by, query.sort_order));
  const page = offsetPage(users, query.page, query.limit);
  // One connection read per user shown, in parallel (a page is at most 100).
  return { ...page, items: await Promise.all(page.items.map(userResponse)) };
}
