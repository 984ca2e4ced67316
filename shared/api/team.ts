import * as z from 'zod/mini';
import { developerOf } from '#shared/api/caller.js';
import { developerRead, name100, uuid } from '#shared/api/schemas.js';
import { developerUpdate } from '#shared/api/tokens.js';
import { defineRoute, type Route } from '#shared/http/route.js';
import { CAP, cappedEmail, cappedString } from '#shared/http/validation.js';
import {
  developerView,
  listDeveloperViews,
  removeDeveloper,
  requireDeveloper,
  updateProfile,
} from '#shared/identity/developers.js';
import {
  acceptInvitation,
  inviteDeveloper,
  listActiveInvitations,
  resendInvitation,
  revokeInvitation,
} from '#shared/identity/invitations.js';

const developerParams = z.object({ developer_id: uuid() });
const invitationParams = z.object({ invitation_id: uuid() });

const invitationRead = z
  .object({
    id: z.uuid(),
    email: z.string(),
    token: z
      .string()
      .check(z.describe('The token in full only when created or resent; a hint of it elsewhere')),
    status: z.enum(['pending', 'sent', 'failed', 'accepted', 'expired', 'revoked']),
    expires_at: z.iso.datetime(),
    created_at: z.iso.datetime(),
    invited_by_id: z.nullable(z.uuid()),
  })
  .check(z.meta({ id: 'Invitation' }));

/** Team management (contract 4.16): developers and invitations. Served by the tokens area. */
export const teamRoutes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/developers',
    auth: 'DEV',
    tag: 'Team',
    summary: 'List the developers (team members)',
    response: z.array(developerRead).check(z.meta({ id: 'DeveloperList' })),
    handle: () => listDeveloperViews(),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/developers/{developer_id}',
    auth: 'DEV',
    tag: 'Team',
    summary: 'Get a developer',
    params: developerParams,
    response: developerRead,
    handle: async ({ params }) => developerView(await requireDeveloper(params.developer_id)),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/api/v1/developers/{developer_id}',
    auth: 'DEV',
    tag: 'Team',
    summary: 'Update a developer (as PATCH /auth/me)',
    params: developerParams,
    body: developerUpdate,
    response: developerRead,
    handle: async ({ params, body }) =>
      developerView(await updateProfile(await requireDeveloper(params.developer_id), body)),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/developers/{developer_id}',
    auth: 'DEV',
    tag: 'Team',
    summary: 'Delete a developer (not the last one); their applications go to the caller',
    params: developerParams,
    response: developerRead,
    handle: async ({ caller, params }) =>
      developerView(await removeDeveloper(developerOf(caller), params.developer_id)),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/invitations',
    auth: 'DEV',
    tag: 'Team',
    summary: 'Invite a developer (the token is returned here; emailed too when SES is configured)',
    status: 201,
    body: z.object({ email: cappedEmail() }),
    response: invitationRead,
    handle: ({ caller, body }) => inviteDeveloper(body.email, developerOf(caller)),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/invitations',
    auth: 'DEV',
    tag: 'Team',
    summary: 'List the active invitations (pending or sent, not expired), newest first',
    response: z.array(invitationRead).check(z.meta({ id: 'InvitationList' })),
    handle: () => listActiveInvitations(),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/invitations/{invitation_id}',
    auth: 'DEV',
    tag: 'Team',
    summary: 'Revoke an invitation',
    params: invitationParams,
    response: invitationRead,
    handle: ({ params }) => revokeInvitation(params.invitation_id),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/invitations/{invitation_id}/resend',
    auth: 'DEV',
    tag: 'Team',
    summary: 'Resend an invitation: a new token (the old one stops working) and a new expiry',
    params: invitationParams,
    response: invitationRead,
    handle: ({ caller, params }) => resendInvitation(params.invitation_id, developerOf(caller)),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/invitations/accept',
    auth: 'NONE',
    tag: 'Team',
    summary: 'Accept an invitation: creates the developer account',
    status: 201,
    body: z.object({
      token: cappedString(CAP.token).check(z.minLength(1)),
      first_name: name100.check(z.trim(), z.minLength(1)),
      last_name: name100.check(z.trim(), z.minLength(1)),
      password: cappedString(CAP.password).check(z.minLength(8)),
    }),
    response: developerRead,
    doc: { errors: [400, 404] },
    handle: ({ body }) => acceptInvitation(body),
  }),
];
