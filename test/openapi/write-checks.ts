import { expect } from 'vitest';
import * as z from 'zod/mini';
import { errorResponseSchema, errorStatuses } from '#shared/http/openapi.js';
import type { E2eSession } from '#test/helpers/e2e-session.js';
import type { ApiRequest, ApiResponse } from '#test/helpers/sandbox.js';
import { expectConforms, routeOf } from '#test/openapi/conformance.js';

/**
 * What the write checks share (writes.test.ts, writes-admin.test.ts): sending a documented write and asserting its
 * documented answer, and the list of writes writes-admin.test.ts checks (here, not exported by that test file:
 * importing a test file would run its tests again in the importer).
 */

/** The team, priorities, seed, data lifecycle and Apple Health import writes: writes-admin.test.ts checks them. */
export const ADMIN_WRITES = [
  'POST /api/v1/invitations',
  'POST /api/v1/invitations/{invitation_id}/resend',
  'POST /api/v1/invitations/accept',
  'DELETE /api/v1/invitations/{invitation_id}',
  'PATCH /api/v1/developers/{developer_id}',
  'DELETE /api/v1/developers/{developer_id}',
  'PUT /api/v1/priorities/providers/{provider}',
  'PUT /api/v1/priorities/providers',
  'PUT /api/v1/priorities/device-types/{device_type}',
  'PUT /api/v1/priorities/device-types',
  'POST /api/v1/settings/seed',
  'PUT /api/v1/settings/archival',
  'POST /api/v1/settings/archival/run',
  'POST /api/v1/users/{user_id}/import/apple/xml/s3',
  'POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/create',
  'POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/sign',
  'POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/complete',
  'POST /api/v1/users/{user_id}/import/apple/xml/s3/multipart/abort',
  'POST /api/v1/users/{user_id}/import/apple/xml/direct',
];

/**
 * A sender of documented writes over `session()` (a getter: the session starts in `beforeAll`): path parameters
 * come from `state`, and every operation whose answer was checked lands in `checked`.
 */
export function writeChecks(session: () => E2eSession) {
  const checked = new Set<string>();
  const state: Record<string, string> = {};
  const fill = (path: string) => path.replace(/\{(\w+)\}/g, (_, key: string) => state[key] ?? `{${key}}`);

  /** Sends `operation` with its path parameters from `state`; asserts the documented answer and returns it. */
  async function send(operation: string, request: ApiRequest & { query?: string } = {}) {
    const [method, path] = operation.split(' ') as [string, string];
    const response = await session().api(method, `${fill(path)}${request.query ?? ''}`, request);
    expectConforms(operation, response);
    checked.add(operation);
    return response;
  }

  /** Sends `operation` expecting the documented error `status`. */
  async function sendError(operation: string, status: number, request: ApiRequest = {}) {
    const [method, path] = operation.split(' ') as [string, string];
    const response = await session().api(method, fill(path), request);
    expectError(operation, response, status);
    return response;
  }

  return { checked, state, fill, send, sendError };
}

/** The response is an error the document lists for `operation`, with a `{"detail"}` body and nothing else. */
export function expectError(operation: string, response: ApiResponse, status: number) {
  expect(response.status, response.text).toBe(status);
  expect(errorStatuses(routeOf(operation))).toContain(status);
  expect(z.strictObject(errorResponseSchema.shape).parse(response.json)).toEqual(response.json);
}
