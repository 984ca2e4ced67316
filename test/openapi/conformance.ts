import { expect } from 'vitest';
import { allRoutes } from '#shared/api/index.js';
import { successStatus } from '#shared/http/openapi.js';
import type { Route } from '#shared/http/route.js';
import type { ApiResponse } from '#test/helpers/sandbox.js';

/** The route documented as `METHOD path` (path as in the document, with `{params}`). */
export function routeOf(operation: string): Route {
  const [method, path] = operation.split(' ');
  const route = allRoutes.find((r) => r.method === method && r.path === path);
  if (!route) throw new Error(`no route ${operation}`);
  return route;
}

/**
 * Asserts that a response is what the document says of `operation`: a documented success status, and a body
 * its response schema accepts without dropping anything (so a missing, renamed or extra field fails), the
 * documented text media type, or no body at all.
 */
export function expectConforms(operation: string, response: ApiResponse) {
  const route = routeOf(operation);
  const statuses = [successStatus(route), ...(route.doc?.otherStatuses ?? [])];
  expect(statuses, `${operation} answered ${response.status}: ${response.text.slice(0, 300)}`).toContain(
    response.status,
  );
  const contentType = response.headers.get('content-type') ?? '';
  if (route.response && contentType.startsWith('application/json')) {
    const parsed = route.response.safeParse(response.json);
    expect(parsed.error?.issues ?? [], `${operation}: the body does not match its schema`).toEqual([]);
    expect(parsed.data, `${operation}: fields the schema does not declare`).toEqual(response.json);
    return;
  }
  const mediaTypes = (route.doc?.mediaTypes ?? []).map((type) => type.split(';')[0]!.trim());
  if (mediaTypes.length > 0) {
    expect(mediaTypes, `${operation}: undocumented content type`).toContain(
      contentType.split(';')[0]!.trim(),
    );
    return;
  }
  expect(route.response, `${operation} answered ${contentType || 'no body'}`).toBeUndefined();
  expect(response.text, `${operation} is documented without a body`).toBe('');
}
