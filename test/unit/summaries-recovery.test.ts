import { describe, expect, it } from 'vitest';
import { recoveryPerDate } from '#shared/data/summaries/recovery.js';
import { toDataSource } from '#shared/store/data-sources.js';
import type { StoredScore } from '#shared/store/health-scores.js';
import { sourceRef } from '#test/helpers/health-data.js';

const USER = '00000000-0000-4000-8000-000000000003';
const t = (iso: string) => Date.parse(iso);
describe('recovery summary', () => {
  const whoop = toDataSource(USER, sourceRef('whoop', 'WHOOP 4.0'));
  const polar = toDataSource(USER, sourceRef('polar', 'Polar Vantage V3'));
  const sources = new Map([whoop, polar].map((s) => [s.key, s]));
  const score = (
    source_key: string,
    iso: string,
    value: number,
    zone_offset: string | null = null,
  ): StoredScore => ({
    id: `${source_key}-${iso}`,
    user_id: USER,
    source_key,
    provider: sources.get(source_key)!.provider,
    category: 'recovery',
    value,
    qualifier: null,
    recorded_at: t(iso),
    zone_offset,
    components: null,
  });

  it('one score per local date: the best source, its latest score', () => {
    const rows = recoveryPerDate(
      [
        score(whoop.key, '2025-03-01T07:00:00Z', 60),
        score(polar.key, '2025-03-01T06:00:00Z', 4),
        score(polar.key, '2025-03-01T08:00:00Z', 5),
        score(whoop.key, '2025-03-02T22:00:00Z', 70, '+03:00'), // the 3rd locally
        { ...score(whoop.key, '2025-03-04T07:00:00Z', 1), category: 'strain' },
      ],
      sources,
    );
    expect(rows.map((r) => [r.date, r.score.source_key, r.score.value])).toEqual([
      ['2025-03-01', polar.key, 5],
      ['2025-03-03', whoop.key, 70],
    ]);
  });
});
