import * as z from 'zod/mini';
import { developerOf } from '#shared/api/caller.js';
import {
  apiKeyList,
  apiKeyRead,
  apiKeyWithKey,
  applicationList,
  applicationWithSecret,
  name100,
} from '#shared/api/schemas.js';
import { defineRoute, Reply } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { createApiKey, deleteKey, listApiKeyViews, renameKey, rotateKey } from '#shared/identity/api-keys.js';
import {
  createApplication,
  listApplicationViews,
  removeApplication,
  rotateApplicationSecret,
} from '#shared/identity/applications.js';

const keyParams = z.object({ key_id: cappedString(CAP.id).check(z.minLength(1)) });
const appParams = z.object({ app_id: cappedString(CAP.id).check(z.minLength(1)) });

/** API keys and SDK applications (contract 4.16), part of the tokens area's routes (shared/api/tokens.ts). */
export const apiKeyRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/developer/api-keys',
    auth: 'DEV',
    tag: 'API keys',
    summary: 'List API keys (masked; a key is shown in full only when created or rotated)',
    response: apiKeyList,
    handle: () => listApiKeyViews(),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/developer/api-keys',
    auth: 'DEV',
    tag: 'API keys',
    summary: 'Create an API key (the response is the only time the key is shown)',
    status: 201,
    body: z._default(z.object({ name: z._default(cappedString(CAP.name), 'Default') }), { name: 'Default' }),
    response: apiKeyWithKey,
    handle: ({ caller, body }) => createApiKey(body.name, developerOf(caller).id),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/api/v1/developer/api-keys/{key_id}',
    auth: 'DEV',
    tag: 'API keys',
    summary: 'Rename an API key',
    params: keyParams,
    body: z._default(z.object({ name: z.optional(cappedString(CAP.name)) }), {}),
    response: apiKeyRead,
    handle: ({ params, body }) => renameKey(params.key_id, body.name),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/developer/api-keys/{key_id}',
    auth: 'DEV',
    tag: 'API keys',
    summary: 'Delete an API key',
    params: keyParams,
    response: apiKeyRead,
    handle: ({ params }) => deleteKey(params.key_id),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/developer/api-keys/{key_id}/rotate',
    auth: 'DEV',
    tag: 'API keys',
    summary: 'Replace an API key with a new one named "Default"',
    status: 201,
    params: keyParams,
    response: apiKeyWithKey,
    handle: ({ params, caller }) => rotateKey(params.key_id, developerOf(caller).id),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/applications',
    auth: 'DEV',
    tag: 'Applications',
    summary: "List the current developer's SDK applications",
    response: applicationList,
    handle: ({ caller }) => listApplicationViews(developerOf(caller).id),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/applications',
    auth: 'DEV',
    tag: 'Applications',
    summary: 'Create an SDK application (app_secret is shown once)',
    status: 201,
    body: z.object({ name: name100 }),
    response: applicationWithSecret,
    handle: ({ caller, body }) => createApplication(developerOf(caller).id, body.name),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/applications/{app_id}',
    auth: 'DEV',
    tag: 'Applications',
    summary: 'Delete an application',
    params: appParams,
    handle: async ({ caller, params }) => {
      await removeApplication(developerOf(caller).id, params.app_id);
      return Reply.noContent();
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/applications/{app_id}/rotate-secret',
    auth: 'DEV',
    tag: 'Applications',
    summary: 'Rotate the application secret (shown once)',
    params: appParams,
    response: applicationWithSecret,
    handle: ({ caller, params }) => rotateApplicationSecret(developerOf(caller).id, params.app_id),
  }),
];
