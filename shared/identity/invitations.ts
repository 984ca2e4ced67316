import { randomBytes, randomUUID } from 'node:crypto';
import { badRequest, notFound } from '#shared/http/errors.js';
import { hashPassword, sha256 } from '#shared/identity/credentials.js';
import { developerView } from '#shared/identity/developers.js';
import {
  emailConfigured,
  invitationSettings,
  sendInvitationEmail,
} from '#shared/identity/invitation-email.js';
import { apiDateTime, isoAt } from '#shared/model/time.js';
import {
  createDeveloper,
  type Developer,
  EmailTaken,
  getDeveloperByEmail,
} from '#shared/store/developers.js';
import {
  acceptanceWrites,
  getInvitation,
  getInvitationByTokenHash,
  type Invitation,
  InvitationChanged,
  type InvitationStatus,
  insertInvitation,
  listInvitations,
  replaceInvitation,
} from '#shared/store/invitations.js';

/** Statuses that can be accepted (the reference's "active"): listed, and blocking another invitation, until expiry. */
const ACTIVE: readonly InvitationStatus[] = ['pending', 'sent'];
/** Statuses that may be revoked or resent, as in the reference (`failed` is in the contract; nothing here writes it). */
const OPEN: readonly InvitationStatus[] = ['pending', 'sent', 'failed'];

const DAY_MS = 86_400_000;
const NOT_FOUND = 'Invitation not found';

/** 256 random bits, URL-safe (the reference's `token_urlsafe(32)`). */
const newToken = () => randomBytes(32).toString('base64url');
/** Enough of the token for an inviter to tell two invitations apart; useless to anyone else. */
const hintOf = (token: string) => `${token.slice(0, 6)}...`;

const expiry = (now: number) => isoAt(now + invitationSettings().INVITATION_EXPIRE_DAYS * DAY_MS);

/** `InvitationRead`. The token in clear exists only in the answers that issue it (create, resend). */
export const invitationView = (invitation: Invitation, token?: string) => ({
  id: invitation.id,
  email: invitation.email,
  token: token ?? invitation.token_hint,
  status: invitation.status,
  expires_at: apiDateTime(invitation.expires_at),
  created_at: apiDateTime(invitation.created_at),
  invited_by_id: invitation.invited_by_id,
});

async function requireInvitation(id: string): Promise<Invitation> {
  const invitation = await getInvitation(id);
  if (!invitation) throw notFound(NOT_FOUND);
  return invitation;
}

const isActive = (invitation: Invitation, now: number) =>
  ACTIVE.includes(invitation.status) && Date.parse(invitation.expires_at) >= now;

/**
 * Emails the link when SES is configured: `sent`. Otherwise, or when SES refuses it (logged), the invitation stays
 * `pending`, acceptable as ever: the inviter has the token in the answer and passes the link on, or resends.
 */
async function deliver(invitation: Invitation, token: string, inviterEmail: string | null) {
  if (!emailConfigured()) return invitation;
  if (!(await sendInvitationEmail(invitation.email, token, inviterEmail))) return invitation;
  const next: Invitation = { ...invitation, status: 'sent' };
  try {
    await replaceInvitation(invitation, next);
    return next;
  } catch (error) {
    if (error instanceof InvitationChanged) return invitation;
    throw error;
  }
}

export async function inviteDeveloper(email: string, inviter: Developer) {
  if (await getDeveloperByEmail(email)) throw badRequest('A developer with this email already exists');
  const lower = email.toLowerCase();
  const now = Date.now();
  const open = await listInvitations();
  if (open.some((i) => i.email.toLowerCase() === lower && isActive(i, now))) {
    throw badRequest('A pending invitation already exists for this email');
  }
  const token = newToken();
  const invitation: Invitation = {
    id: randomUUID(),
    email,
    token_hash: sha256(token),
    token_hint: hintOf(token),
    status: 'pending',
    expires_at: expiry(now),
    created_at: isoAt(now),
    invited_by_id: inviter.id,
  };
  await insertInvitation(invitation);
  return invitationView(await deliver(invitation, token, inviter.email), token);
}

/** `GET /invitations`: the active ones (pending or sent, and not expired), newest first. */
export async function listActiveInvitations() {
  const now = Date.now();
  return (await listInvitations()).filter((i) => isActive(i, now)).map((i) => invitationView(i));
}

export async function revokeInvitation(id: string) {
  const invitation = await requireInvitation(id);
  if (!OPEN.includes(invitation.status)) {
    throw badRequest(`Cannot revoke invitation with status: ${invitation.status}`);
  }
  const revoked: Invitation = { ...invitation, status: 'revoked' };
  await changed(() => replaceInvitation(invitation, revoked));
  return invitationView(revoked);
}

/** A new token (the old one stops working), a new expiry, status pending, and the email again if configured. */
export async function resendInvitation(id: string, caller: Developer) {
  const invitation = await requireInvitation(id);
  if (!OPEN.includes(invitation.status)) {
    throw badRequest(`Cannot resend invitation with status: ${invitation.status}`);
  }
  const token = newToken();
  const next: Invitation = {
    ...invitation,
    token_hash: sha256(token),
    token_hint: hintOf(token),
    status: 'pending',
    expires_at: expiry(Date.now()),
  };
  await changed(() => replaceInvitation(invitation, next));
  return invitationView(await deliver(next, token, caller.email), token);
}

export async function acceptInvitation(input: {
  token: string;
  first_name: string;
  last_name: string;
  password: string;
}) {
  const invitation = await getInvitationByTokenHash(sha256(input.token));
  if (!invitation) throw notFound(NOT_FOUND);
  if (!ACTIVE.includes(invitation.status)) throw badRequest(`Invitation is ${invitation.status}`);
  if (Date.parse(invitation.expires_at) < Date.now()) {
    await replaceInvitation(invitation, { ...invitation, status: 'expired' }).catch((error) => {
      if (!(error instanceof InvitationChanged)) throw error;
    });
    throw badRequest('Invitation has expired');
  }
  if (await getDeveloperByEmail(invitation.email)) {
    throw badRequest('A developer with this email already exists');
  }
  const developer = await createDeveloper(
    {
      email: invitation.email,
      password_hash: await hashPassword(input.password),
      first_name: input.first_name,
      last_name: input.last_name,
    },
    acceptanceWrites(invitation),
  ).catch(async (error) => {
    if (!(error instanceof EmailTaken)) throw error;
    // The email was taken meanwhile, or the invitation was decided meanwhile (revoked, accepted twice at once).
    const now = await getInvitation(invitation.id);
    if (now && now.status !== invitation.status) throw badRequest(`Invitation is ${now.status}`);
    throw badRequest('A developer with this email already exists');
  });
  return developerView(developer);
}

/** Two changes of one invitation at once: the second sees the first's status, as if it had come after. */
async function changed(write: () => Promise<void>) {
  try {
    await write();
  } catch (error) {
    if (error instanceof InvitationChanged)
      throw badRequest('The invitation changed meanwhile; reload and retry');
    throw error;
  }
}
