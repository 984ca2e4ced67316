import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareUsers, matchesFilters, offsetPage, type SortField } from '#shared/identity/users.js';
import type { User } from '#shared/store/users.js';

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const isoDate = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => new Date(ms).toISOString());

const userArb: fc.Arbitrary<User> = fc.record({
  id: fc.uuid(),
  created_at: isoDate,
  first_name: maybe(fc.constantFrom('Ann', 'bob', 'Cy', 'ann')),
  last_name: maybe(fc.string({ maxLength: 4 })),
  email: maybe(fc.constantFrom('a@x.io', 'B@x.io', 'c@y.io')),
  external_user_id: fc.constant(null),
  last_synced_at: maybe(isoDate),
});

const sortField = fc.constantFrom<SortField>(
  'created_at',
  'email',
  'first_name',
  'last_name',
  'last_synced_at',
);
const order = fc.constantFrom<'asc' | 'desc'>('asc', 'desc');

describe('user listing', () => {
  it('pages of a full walk concatenate to the whole sorted list, each user exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(userArb, { maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        sortField,
        order,
        (users, limit, by, dir) => {
          const sorted = [...users].sort(compareUsers(by, dir));
          const first = offsetPage(sorted, 1, limit);
          const walked = [];
          for (let page = 1; page <= Math.max(first.pages, 1); page++) {
            const p = offsetPage(sorted, page, limit);
            expect(p.total).toBe(users.length);
            expect(p.has_prev).toBe(page > 1);
            expect(p.has_next).toBe(page < p.pages);
            walked.push(...p.items);
          }
          expect(walked.map((u) => u.id)).toEqual(sorted.map((u) => u.id));
          expect(first.pages).toBe(Math.ceil(users.length / limit));
        },
      ),
    );
  });

  it('sorts like the reference: nulls largest, except last_synced_at where never-synced comes first ascending', () => {
    fc.assert(
      fc.property(fc.array(userArb, { minLength: 2, maxLength: 30 }), sortField, order, (users, by, dir) => {
        const sorted = [...users].sort(compareUsers(by, dir));
        for (let i = 1; i < sorted.length; i++) {
          const a = sorted[i - 1]![by] ?? null;
          const b = sorted[i]![by] ?? null;
          const nullsFirst = (by === 'last_synced_at') === (dir === 'asc');
          if (a === null && b !== null) expect(nullsFirst).toBe(true);
          if (a !== null && b === null) expect(nullsFirst).toBe(false);
          if (a !== null && b !== null && a !== b) expect(dir === 'asc' ? a < b : a > b).toBe(true);
        }
      }),
    );
  });

  it('search is a case-insensitive substring over email and names; email filter is exact', () => {
    const user = {
      id: '1',
      created_at: '',
      first_name: 'Annabel',
      last_name: 'Lee',
      email: 'AL@Example.com',
      external_user_id: null,
    };
    expect(matchesFilters(user, { search: 'nnab' })).toBe(true);
    expect(matchesFilters(user, { search: 'example' })).toBe(true);
    expect(matchesFilters(user, { search: 'zzz' })).toBe(false);
    expect(matchesFilters(user, { email: 'al@example.com' })).toBe(true);
    expect(matchesFilters(user, { email: 'l@example.com' })).toBe(false);
  });
});
