import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { allRoutes } from '#shared/api/index.js';
import committed from '#shared/api/openapi.json' with { type: 'json' };
import { errorStatuses, successStatus } from '#shared/http/openapi.js';
import type { Route } from '#shared/http/route.js';

/**
 * What every operation of the committed document states: a named success schema or an explicit body-less
 * status, its error responses with the `{"detail"}` schema, and examples that match their schemas.
 */

type Json = Record<string, unknown>;
type Operation = { responses: Record<string, Json> };

const doc = committed as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json> };
};

const operationOf = (route: Route) => doc.paths[route.path]![route.method.toLowerCase()]!;
const name = (route: Route) => `${route.method} ${route.path}`;
const isSuccess = (status: string) => /^[23]\d\d$/.test(status);

/** Every `$ref` in a JSON value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

function resolve(ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], doc);
}

describe('the OpenAPI document, operation by operation', () => {
  it('resolves every $ref', () => {
    expect(refsIn(doc).filter((ref) => resolve(ref) === undefined)).toEqual([]);
  });

  it.each(
    allRoutes.map((route) => [name(route), route] as const),
  )('%s: a named success schema or an explicit body-less status', (_, route) => {
    const responses = operationOf(route).responses;
    const successes = Object.keys(responses).filter(isSuccess).sort();
    expect(successes).toEqual([successStatus(route), ...(route.doc?.otherStatuses ?? [])].map(String).sort());
    const success = responses[String(successStatus(route))]!;
    const content = success.content as Record<string, { schema: Json }> | undefined;
    if (route.response) {
      const ref = String(content?.['application/json']?.schema.$ref);
      expect(ref).toMatch(/^#\/components\/schemas\/\w+$/);
      const id = z.globalRegistry.get(route.response)?.id;
      expect(ref).toBe(`#/components/schemas/${id}`);
    } else if (route.doc?.mediaTypes) {
      expect(Object.values(content ?? {}).map((media) => media.schema)).toEqual(
        route.doc.mediaTypes.map(() => ({ type: 'string' })),
      );
    } else {
      expect(content).toBeUndefined();
      const status = successStatus(route);
      expect(status === 204 || (status >= 300 && status < 400) || route.method === 'HEAD').toBe(true);
    }
  });

  it.each(
    allRoutes.map((route) => [name(route), route] as const),
  )('%s: its error responses, each {detail}', (_, route) => {
    const responses = operationOf(route).responses;
    const errors = Object.keys(responses).filter((status) => !isSuccess(status));
    expect(errors).toEqual([...errorStatuses(route).map(String), 'default']);
    expect(errors).toContain('429');
    if (['API', 'DEV', 'SDK'].includes(route.auth)) expect(errors).toContain('401');
    if (route.auth === 'SDK') expect(errors).toContain('403');
    if (['POST', 'PUT', 'PATCH'].includes(route.method)) expect(errors).toContain('413');
    if (route.params && !route.doc?.errors) expect(errors).toEqual(expect.arrayContaining(['400', '404']));
    for (const status of errors) {
      const response = resolve(String(responses[status]!.$ref)) as Json;
      const schema = JSON.stringify((response.content as Json)['application/json']);
      expect(schema, `${status} of ${name(route)}`).toContain('"#/components/schemas/ErrorResponse"');
    }
  });

  it('names the error schema ErrorResponse: {"detail": string}', () => {
    expect(doc.components.schemas.ErrorResponse).toMatchObject({
      type: 'object',
      properties: { detail: { type: 'string' } },
      required: ['detail'],
    });
  });

  it('has examples for the main reads, each accepted whole by its response schema', () => {
    const withExamples = allRoutes.filter((route) => route.doc?.example !== undefined);
    expect(withExamples.map(name)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/users',
        'GET /api/v1/users/{user_id}/timeseries',
        'GET /api/v1/users/{user_id}/events/workouts',
        'GET /api/v1/users/{user_id}/events/sleep',
        'GET /api/v1/users/{user_id}/summaries/activity',
        'GET /api/v1/users/{user_id}/summaries/sleep',
        'GET /api/v1/users/{user_id}/summaries/recovery',
        'GET /api/v1/users/{user_id}/summaries/body',
        'GET /api/v1/users/{user_id}/health-scores',
      ]),
    );
    for (const route of withExamples) {
      const example = route.doc!.example;
      const parsed = route.response!.safeParse(example);
      expect(parsed.error?.issues ?? [], name(route)).toEqual([]);
      expect(parsed.data, name(route)).toEqual(example);
      const media = (operationOf(route).responses[String(successStatus(route))]!.content as Json)[
        'application/json'
      ] as Json;
      expect(media.example).toEqual(example);
    }
  });
});
