import { describe, expect, it } from 'vitest';
import { busEventsOf, EVENT_CHUNK_BYTES, monthlyCost } from '../../bench/cost-model.js';

const entry = (detailBytes: number) => ({
  Source: 'open-wearables',
  DetailType: 'sync.completed',
  Time: '2026-12-02T00:00:00.000Z',
  Detail: 'x'.repeat(detailBytes),
});

// The entry's size as EventBridge counts it: `Time` 14 bytes, Source and DetailType their bytes.
const overhead = 14 + 'open-wearables'.length + 'sync.completed'.length;

describe('bench cost model', () => {
  it('bills each 64 KB chunk of a bus entry as one event', () => {
    expect(busEventsOf(entry(10))).toBe(1);
    expect(busEventsOf(entry(EVENT_CHUNK_BYTES - overhead))).toBe(1);
    expect(busEventsOf(entry(EVENT_CHUNK_BYTES - overhead + 1))).toBe(2);
    expect(busEventsOf(entry(256 * 1024 - overhead))).toBe(4);
  });

  it('prices the ingress, bus and KMS lines', () => {
    const month = {
      writeUnits: 0,
      readUnits: 0,
      invocations: 0,
      lambdaMs: 0,
      sqsRequests: 0,
      apiRequests: 0,
      restApiRequests: 1e6,
      s3PutRequests: 1e6,
      s3GetRequests: 1e6,
      busEvents: 1e6,
      kmsRequests: 1e6,
    };
    const { lines } = monthlyCost(month, 0);
    expect(lines['REST API requests (mobile ingress)']).toBeCloseTo(3.5);
    // A million of each, at the us-east-1 list prices.
    expect(lines['S3 PUT/LIST requests']).toBeCloseTo(5);
    expect(lines['S3 GET requests']).toBeCloseTo(0.4);
    expect(lines['EventBridge events']).toBeCloseTo(1);
    expect(lines['KMS requests']).toBeCloseTo(3);
  });
});
