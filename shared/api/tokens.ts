import * as z from 'zod/mini';
import { apiKeyRoutes } from '#shared/api/api-keys.js';
import { developerOf } from '#shared/api/caller.js';
import {
  developerRead,
  invitationTokenResponse,
  message,
  name100,
  tokenResponse,
  userIdParams,
} from '#shared/api/schemas.js';
import { badRequest, unauthorized } from '#shared/http/errors.js';
import { sourceIp } from '#shared/http/request.js';
import { defineRoute, Reply } from '#shared/http/route.js';
import { CAP, cappedEmail, cappedString } from '#shared/http/validation.js';
import { changePassword, developerView, loginDeveloper, updateProfile } from '#shared/identity/developers.js';
import { createInvitationCode, INVITATION_CODE_PATTERN, redeem } from '#shared/identity/invitation-codes.js';
import { issueTokens, refreshTokens, revokeToken, tokensForAppCredentials } from '#shared/identity/tokens.js';
import { requireUser } from '#shared/identity/users.js';

export const loginForm = z.object({
  username: cappedString(CAP.email).check(z.minLength(1)),
  password: cappedString(CAP.password).check(z.minLength(1)),
});
const refreshBody = z.object({ refresh_token: cappedString(CAP.token) });
const password = cappedString(CAP.password).check(z.minLength(8));

/** `PATCH /auth/me`, and `PATCH /developers/{id}` (contract 4.16: "as /auth/me"). */
export const developerUpdate = z._default(
  z.object({
    first_name: z.nullish(name100),
    last_name: z.nullish(name100),
    email: z.optional(cappedEmail()),
    password: z.optional(password),
  }),
  {},
);

const invitationCode = z
  .object({
    id: z.uuid(),
    code: z.string(),
    user_id: z.uuid(),
    expires_at: z.string(),
    created_at: z.string(),
  })
  .check(z.meta({ id: 'InvitationCode' }));

const INCORRECT_LOGIN = 'Incorrect email or password';

export const tokensRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/auth/login',
    auth: 'NONE',
    tag: 'Auth',
    summary: 'Developer login (form: username = email, password)',
    bodyFormat: 'form',
    // Any malformed form is a 401 with the login text (contract 1.2), so parsing happens inside.
    body: z.unknown(),
    response: tokenResponse,
    doc: { errors: [401] },
    handle: async ({ body, event }) => {
      const form = loginForm.safeParse(body);
      const developer = await loginDeveloper(form.success ? form.data : undefined, sourceIp(event));
      if (!developer) throw unauthorized(INCORRECT_LOGIN, true);
      return issueTokens({
        token_type: 'developer',
        developer_id: developer.id,
        credential_version: developer.credential_version ?? 0,
      });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/auth/logout',
    auth: 'DEV',
    tag: 'Auth',
    summary: 'Log out (stateless access tokens; revoke the refresh token with /token/revoke)',
    response: message,
    handle: async () => ({ message: 'Successfully logged out' }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/auth/change-password',
    auth: 'DEV',
    tag: 'Auth',
    summary: 'Change the current developer password',
    body: z
      .object({
        current_password: cappedString(CAP.password),
        new_password: password,
        confirm_password: password,
      })
      .check(
        z.refine((b) => b.new_password === b.confirm_password, {
          message: 'Value error, The confirmation password does not match the new password',
        }),
      ),
    response: message,
    handle: async ({ caller, body }) => {
      await changePassword(developerOf(caller), body.current_password, body.new_password);
      return { message: 'Password updated successfully' };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/auth/me',
    auth: 'DEV',
    tag: 'Auth',
    summary: 'The current developer',
    response: developerRead,
    handle: async ({ caller }) => developerView(developerOf(caller)),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/api/v1/auth/me',
    auth: 'DEV',
    tag: 'Auth',
    summary: 'Update the current developer',
    body: developerUpdate,
    response: developerRead,
    handle: async ({ caller, body }) => developerView(await updateProfile(developerOf(caller), body)),
  }),
  ...apiKeyRoutes,
  defineRoute({
    method: 'POST',
    path: '/api/v1/users/{user_id}/token',
    auth: 'TOKEN',
    tag: 'SDK tokens',
    summary: 'Issue an SDK access + refresh token for a user (app credentials, or a developer bearer token)',
    params: userIdParams,
    body: z.nullish(
      z.object({ app_id: z.nullish(cappedString(CAP.id)), app_secret: z.nullish(cappedString(CAP.token)) }),
    ),
    response: tokenResponse,
    doc: { errors: [400, 401, 404] },
    handle: async ({ params, body, caller }) => {
      await requireUser(params.user_id);
      if (body?.app_id && body.app_secret) {
        return tokensForAppCredentials(params.user_id, body.app_id, body.app_secret);
      }
      if (caller.kind === 'developer') {
        return issueTokens({
          token_type: 'sdk',
          user_id: params.user_id,
          app_id: `admin:${caller.developer.id}`,
          credential_version: caller.developer.credential_version ?? 0,
        });
      }
      throw badRequest(
        'Either app credentials (app_id, app_secret) or admin authentication (Bearer token) is required',
      );
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/token/refresh',
    auth: 'NONE',
    mobile: true,
    tag: 'SDK tokens',
    summary: 'Exchange a refresh token for a new token pair (rotation; reuse revokes the family)',
    body: refreshBody,
    response: tokenResponse,
    doc: { errors: [400, 401] },
    handle: ({ body }) => refreshTokens(body.refresh_token),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/token/revoke',
    auth: 'NONE',
    tag: 'SDK tokens',
    summary: 'Revoke a refresh token (and every token rotated from the same login)',
    body: refreshBody,
    doc: { errors: [400, 404] },
    handle: async ({ body }) => {
      await revokeToken(body.refresh_token);
      return Reply.noContent();
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/users/{user_id}/invitation-code',
    auth: 'DEV',
    tag: 'SDK tokens',
    summary: 'Generate a single-use invitation code for the user (revokes earlier codes)',
    status: 201,
    params: userIdParams,
    response: invitationCode,
    handle: async ({ caller, params }) => {
      await requireUser(params.user_id);
      return createInvitationCode(params.user_id, developerOf(caller).id);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/invitation-code/redeem',
    auth: 'NONE',
    mobile: true,
    tag: 'SDK tokens',
    summary: 'Redeem an invitation code for SDK tokens',
    body: z.object({ code: cappedString(CAP.id).check(z.regex(INVITATION_CODE_PATTERN)) }),
    response: invitationTokenResponse,
    doc: { errors: [400, 404] },
    handle: ({ body, event }) => redeem(body.code, sourceIp(event)),
  }),
];
