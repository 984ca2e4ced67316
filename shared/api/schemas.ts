import * as z from 'zod/mini';
import { CAP, cappedString } from '#shared/http/validation.js';

/** Any hyphenated hex UUID (as pydantic accepts), normalised to lower case. */
export const uuid = () =>
  z.pipe(
    z.guid(),
    z.transform((value: string) => value.toLowerCase()),
  );

export const userIdParams = z.object({ user_id: uuid() });

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'] as const;

/** `?flag=true|false|1|0` as FastAPI reads booleans. */
export const queryBoolean = (fallback: boolean) =>
  z.pipe(
    z._default(z.enum(BOOLEAN_WORDS), fallback ? 'true' : 'false'),
    z.transform((value: (typeof BOOLEAN_WORDS)[number]) => ['true', '1', 'yes', 'on'].includes(value)),
  );

export const name100 = cappedString(CAP.name);

export const tokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    refresh_token: z.string(),
    expires_in: z.number().check(z.int()),
  })
  .check(z.meta({ id: 'TokenResponse' }));

// Spread, not z.extend: an extended schema keeps the base's z.meta check, and so its id.
export const invitationTokenResponse = z
  .object({ ...tokenResponse.shape, user_id: z.uuid() })
  .check(z.meta({ id: 'InvitationTokenResponse' }));

export const message = z.object({ message: z.string() }).check(z.meta({ id: 'Message' }));

export const userRead = z
  .object({
    id: z.uuid(),
    created_at: z.iso.datetime(),
    first_name: z.nullable(z.string()),
    last_name: z.nullable(z.string()),
    email: z.nullable(z.string()),
    external_user_id: z.nullable(z.string()),
    last_synced_at: z.nullable(z.iso.datetime()),
    last_synced_provider: z.nullable(z.string()),
    has_active_connection: z.boolean(),
  })
  .check(z.meta({ id: 'User' }));

/** The offset page of `GET /users` (contract 1.5). */
export const userPage = z
  .object({
    items: z.array(userRead),
    total: z.number().check(z.int()),
    page: z.number().check(z.int()),
    limit: z.number().check(z.int()),
    pages: z.number().check(z.int()),
    has_next: z.boolean(),
    has_prev: z.boolean(),
  })
  .check(z.meta({ id: 'UserPage' }));

export const developerRead = z
  .object({
    id: z.uuid(),
    first_name: z.nullable(z.string()),
    last_name: z.nullable(z.string()),
    email: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .check(z.meta({ id: 'Developer' }));

export const apiKeyRead = z
  .object({
    id: z.uuid(),
    name: z.string(),
    key_prefix: z.string(),
    created_by: z.nullable(z.string()),
    created_at: z.iso.datetime(),
  })
  .check(z.meta({ id: 'ApiKey' }));

export const apiKeyList = z.array(apiKeyRead).check(z.meta({ id: 'ApiKeyList' }));

/** A new or rotated key: the only time `key` is shown. */
export const apiKeyWithKey = z
  .object({ ...apiKeyRead.shape, key: z.string() })
  .check(z.meta({ id: 'ApiKeyWithKey' }));

export const applicationRead = z
  .object({
    id: z.uuid(),
    app_id: z.string(),
    name: z.string(),
    created_at: z.iso.datetime(),
  })
  .check(z.meta({ id: 'Application' }));

export const applicationList = z.array(applicationRead).check(z.meta({ id: 'ApplicationList' }));

/** A new application, or one whose secret was rotated: the only time `app_secret` is shown. */
export const applicationWithSecret = z
  .object({ ...applicationRead.shape, app_secret: z.string() })
  .check(z.meta({ id: 'ApplicationWithSecret' }));
