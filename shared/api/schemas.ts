import * as z from 'zod';
import { CAP, cappedString } from '#shared/http/validation.js';

/** Any hyphenated hex UUID (as pydantic accepts), normalised to lower case. */
export const uuid = () => z.guid().transform((value) => value.toLowerCase());

export const userIdParams = z.object({ user_id: uuid() });

/** `?flag=true|false|1|0` as FastAPI reads booleans. */
export const queryBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

export const name100 = cappedString(CAP.name);

export const tokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    refresh_token: z.string(),
    expires_in: z.number().int(),
  })
  .meta({ id: 'TokenResponse' });

export const invitationTokenResponse = tokenResponse
  .extend({ user_id: z.uuid() })
  .meta({ id: 'InvitationTokenResponse' });

export const message = z.object({ message: z.string() }).meta({ id: 'Message' });

export const userRead = z
  .object({
    id: z.uuid(),
    created_at: z.iso.datetime(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    email: z.string().nullable(),
    external_user_id: z.string().nullable(),
    last_synced_at: z.iso.datetime().nullable(),
    last_synced_provider: z.string().nullable(),
    has_active_connection: z.boolean(),
  })
  .meta({ id: 'User' });

/** The offset page of `GET /users` (contract 1.5). */
export const userPage = z
  .object({
    items: z.array(userRead),
    total: z.number().int(),
    page: z.number().int(),
    limit: z.number().int(),
    pages: z.number().int(),
    has_next: z.boolean(),
    has_prev: z.boolean(),
  })
  .meta({ id: 'UserPage' });

export const developerRead = z
  .object({
    id: z.uuid(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    email: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'Developer' });

export const apiKeyRead = z
  .object({
    id: z.uuid(),
    name: z.string(),
    key_prefix: z.string(),
    created_by: z.string().nullable(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'ApiKey' });

export const apiKeyList = z.array(apiKeyRead).meta({ id: 'ApiKeyList' });

/** A new or rotated key: the only time `key` is shown. */
export const apiKeyWithKey = apiKeyRead.extend({ key: z.string() }).meta({ id: 'ApiKeyWithKey' });

export const applicationRead = z
  .object({
    id: z.uuid(),
    app_id: z.string(),
    name: z.string(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'Application' });

export const applicationList = z.array(applicationRead).meta({ id: 'ApplicationList' });

/** A new application, or one whose secret was rotated: the only time `app_secret` is shown. */
export const applicationWithSecret = applicationRead
  .extend({ app_secret: z.string() })
  .meta({ id: 'ApplicationWithSecret' });
