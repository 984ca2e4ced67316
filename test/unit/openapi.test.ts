import { describe, expect, it } from 'vitest';
import { allRoutes } from '#shared/api/index.js';
import committed from '#shared/api/openapi.json' with { type: 'json' };
import { openApiDocument } from '#shared/http/openapi.js';

describe('OpenAPI document', () => {
  const doc = openApiDocument(allRoutes, 'http://localhost:8000');

  it('is committed up to date (run `npm run openapi` after changing a route)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument(allRoutes))));
  });

  it('is OpenAPI 3.1 and documents every registered route', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of allRoutes) {
      expect(
        doc.paths[route.path]?.[route.method.toLowerCase()],
        `${route.method} ${route.path}`,
      ).toBeDefined();
    }
  });

  it('derives path parameters and request bodies from the zod schemas', () => {
    const getUser = doc.paths['/api/v1/users/{user_id}']?.get as {
      parameters: Array<{ name: string; in: string }>;
    };
    expect(getUser.parameters).toContainEqual(expect.objectContaining({ name: 'user_id', in: 'path' }));
    const listUsers = doc.paths['/api/v1/users']?.get as {
      parameters: Array<{ name: string; required: boolean }>;
    };
    expect(listUsers.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['page', 'limit', 'sort_by', 'sort_order', 'search', 'email']),
    );
    const login = doc.paths['/api/v1/auth/login']?.post as {
      requestBody: { content: Record<string, unknown> };
    };
    expect(Object.keys(login.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
  });

  it('states each auth class as security requirements', () => {
    const createUser = doc.paths['/api/v1/users']?.post as { security: unknown[] };
    expect(createUser.security).toContainEqual({ ApiKey: [] });
    const me = doc.paths['/api/v1/auth/me']?.get as { security: unknown[] };
    expect(me.security).toEqual([{ DeveloperBearer: [] }]);
  });
});
