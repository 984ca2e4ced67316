import { adminCredentials } from '#shared/config/secrets.js';
import { badRequest, entityNotFound } from '#shared/http/errors.js';
import { hashPassword, verifyPassword } from '#shared/identity/credentials.js';
import {
  accountSubject,
  assertNotThrottled,
  clearFailures,
  POLICIES,
  recordFailure,
  type Throttled,
} from '#shared/identity/throttle.js';
import { apiDateTime } from '#shared/model/time.js';
import { handOver } from '#shared/store/developer-handover.js';
import {
  bootstrapMarkerWrite,
  isBootstrapped,
  listAllDevelopers,
  markBootstrapped,
} from '#shared/store/developer-setup.js';
import {
  createDeveloper,
  type Developer,
  deleteDeveloper,
  EmailTaken,
  getDeveloper,
  getDeveloperByEmail,
  LastDeveloper,
  updateDeveloper,
} from '#shared/store/developers.js';

/**
 * Creates the bootstrap developer from ADMIN_EMAIL/ADMIN_PASSWORD (or the admin secret) once per deployment: a
 * marker written in the same transaction says it was done, so an admin later deleted or renamed never comes back
 * with the deployment's password. A deployment from before the marker has its developers already: it gets the
 * marker and no new account.
 */
export async function ensureAdminDeveloper(): Promise<void> {
  if (await isBootstrapped()) return;
  const { email, password } = await adminCredentials();
  if ((await getDeveloperByEmail(email)) || (await listAllDevelopers()).length > 0) {
    await markBootstrapped();
    return;
  }
  try {
    await createDeveloper({ email, password_hash: await hashPassword(password) }, [bootstrapMarkerWrite()]);
  } catch (error) {
    if (!(error instanceof EmailTaken)) throw error;
  }
}

let adminReady: Promise<void> | undefined;

/** Once per process (per Lambda container): cheap enough for the login path, and needs no deploy-time hook. */
export function ensureAdminDeveloperOnce(): Promise<void> {
  adminReady ??= ensureAdminDeveloper().catch((error) => {
    adminReady = undefined;
    throw error;
  });
  return adminReady;
}

/** A throwaway hash so that unknown emails cost as much as wrong passwords (no user enumeration by timing). */
let decoyHash: Promise<string> | undefined;

export async function authenticateDeveloper(email: string, password: string): Promise<Developer | undefined> {
  await ensureAdminDeveloperOnce();
  const developer = await getDeveloperByEmail(email);
  decoyHash ??= hashPassword('decoy-password');
  const valid = await verifyPassword(password, developer?.password_hash ?? (await decoyHash));
  return developer && valid ? developer : undefined;
}

/**
 * `POST /auth/login`: the developer, or undefined for wrong (or malformed) credentials. Failures back off per
 * account and per address (429 with Retry-After while blocked, before any password is checked).
 */
export async function loginDeveloper(
  credentials: { username: string; password: string } | undefined,
  address: string,
): Promise<Developer | undefined> {
  const account: Throttled | undefined = credentials && {
    policy: POLICIES.loginAccount,
    subject: accountSubject(credentials.username),
  };
  const keys: Throttled[] = [
    { policy: POLICIES.loginAddress, subject: address },
    ...(account ? [account] : []),
  ];
  await assertNotThrottled(keys);
  const developer = credentials && (await authenticateDeveloper(credentials.username, credentials.password));
  if (!developer) {
    await recordFailure(keys);
    return undefined;
  }
  if (account) await clearFailures(account);
  return developer;
}

export const developerView = (d: Developer) => ({
  id: d.id,
  first_name: d.first_name,
  last_name: d.last_name,
  email: d.email,
  created_at: apiDateTime(d.created_at),
  updated_at: apiDateTime(d.updated_at),
});

/** A new password also moves the credential version, which ends every session issued under the old one. */
async function newPassword(developer: Developer, password: string) {
  return {
    password_hash: await hashPassword(password),
    credential_version: (developer.credential_version ?? 0) + 1,
  };
}

export async function changePassword(developer: Developer, current: string, next: string): Promise<void> {
  if (!(await verifyPassword(current, developer.password_hash)))
    throw badRequest('Incorrect current password');
  await updateDeveloper(developer, await newPassword(developer, next));
}

export async function updateProfile(
  developer: Developer,
  changes: { first_name?: string | null; last_name?: string | null; email?: string; password?: string },
): Promise<Developer> {
  const { password, ...profile } = changes;
  try {
    return await updateDeveloper(developer, {
      ...profile,
      ...(password !== undefined ? await newPassword(developer, password) : {}),
    });
  } catch (error) {
    if (error instanceof EmailTaken) throw badRequest('A developer with this email already exists');
    throw error;
  }
}

/** `GET|PATCH|DELETE /developers/{id}`: the developer, or the reference's 404. */
export async function requireDeveloper(id: string): Promise<Developer> {
  const developer = await getDeveloper(id);
  if (!developer) throw entityNotFound('Developer', id);
  return developer;
}

export const listDeveloperViews = async () => (await listAllDevelopers()).map(developerView);

export const LAST_DEVELOPER = 'Cannot delete the last developer: invite another developer first';

/**
 * `DELETE /developers/{id}` by `caller`: the account goes, then what it owned goes to the caller (or, when the
 * caller leaves, to the longest-standing other developer; see handOver). The last developer stays, and a refused
 * delete hands nothing over.
 */
export async function removeDeveloper(caller: Developer, id: string): Promise<Developer> {
  const target = await requireDeveloper(id);
  const heir =
    caller.id !== target.id ? caller : (await listAllDevelopers()).find((other) => other.id !== target.id);
  if (!heir) throw badRequest(LAST_DEVELOPER);
  try {
    if (!(await deleteDeveloper(target, heir))) throw entityNotFound('Developer', id);
  } catch (error) {
    if (error instanceof LastDeveloper) throw badRequest(LAST_DEVELOPER);
    throw error;
  }
  await handOver(target, heir);
  return target;
}
