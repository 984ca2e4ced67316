import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { signatureHeaders } from '#shared/delivery/signing.js';
import {
  createEndpoint,
  getOwnedEndpoint,
  rotateEndpointSecret,
} from '#shared/store/webhook-endpoint-management.js';
import {
  acquireProbe,
  endpointSecret,
  endpointSecrets,
  getEndpoint,
  recordEndpointFailure,
  recordEndpointSuccess,
  releaseProbe,
} from '#shared/store/webhook-endpoints.js';

const T0 = Date.parse('2031-04-01T00:00:00Z');
const HOLD = 60_000;
const fields = { url: 'https://hooks.example.com/x', description: '', filter_types: null, user_id: null };
const newEndpoint = () => createEndpoint(`dev-${randomUUID()}`, fields, T0);

describe('probe lease', () => {
  it('lets every attempt through to a healthy endpoint, without writing', async () => {
    const { id } = await newEndpoint();
    expect(await acquireProbe(id, T0, HOLD)).toBe(true);
    expect(await acquireProbe(id, T0, HOLD)).toBe(true);
    expect((await getEndpoint(id))?.probe_until).toBeUndefined();
  });

  it('lets one attempt at a time through to a failing endpoint, until released or expired', async () => {
    const { id } = await newEndpoint();
    await recordEndpointFailure(id, T0, 5);
    expect(await acquireProbe(id, T0, HOLD)).toBe(true);
    expect((await getEndpoint(id))?.probe_until).toBe(T0 + HOLD);
    expect(await acquireProbe(id, T0 + 1, HOLD)).toBe(false);
    expect(await acquireProbe(id, T0 + HOLD - 1, HOLD)).toBe(false);

    await releaseProbe(id);
    expect(await acquireProbe(id, T0 + 2, HOLD)).toBe(true);
    // Never released (a crashed worker): free again once the hold is over.
    expect(await acquireProbe(id, T0 + 3, HOLD)).toBe(false);
    expect(await acquireProbe(id, T0 + 2 + HOLD, HOLD)).toBe(true);
  });

  it('stops leasing once the endpoint recovers', async () => {
    const { id } = await newEndpoint();
    await recordEndpointFailure(id, T0, 5);
    expect(await acquireProbe(id, T0, HOLD)).toBe(true);
    await recordEndpointSuccess(id, T0 + 1);
    expect(await acquireProbe(id, T0 + 2, HOLD)).toBe(true);
  });

  it('passes for a deleted endpoint, and releasing it creates nothing', async () => {
    const id = `ep_${randomUUID()}`;
    expect(await acquireProbe(id, T0, HOLD)).toBe(true);
    await releaseProbe(id);
    expect(await getEndpoint(id)).toBeUndefined();
  });
});

describe('secret rotation', () => {
  const HOUR = 3_600_000;

  /** Whether a receiver holding `secret` accepts a delivery signed at `at`. */
  async function verifies(id: string, secret: string, at: number): Promise<boolean> {
    const body = '{"type":"workout.created"}';
    const signingSecrets = await endpointSecrets((await getEndpoint(id))!, at);
    const headers = signatureHeaders('msg_1', Math.floor(at / 1000), body, signingSecrets);
    try {
      new Webhook(secret).verify(body, headers);
      return true;
    } catch {
      return false;
    }
  }

  it('keeps each replaced secret signing for its own 24 hours when rotating twice within a day', async () => {
    const { id, owner_id: owner } = await newEndpoint();
    const secretNow = async () => endpointSecret((await getOwnedEndpoint(owner, id))!);
    const first = await secretNow();
    expect(await rotateEndpointSecret(owner, id, T0)).toBe(true);
    const second = await secretNow();
    expect(await rotateEndpointSecret(owner, id, T0 + 2 * HOUR)).toBe(true);
    const third = await secretNow();
    expect(new Set([first, second, third]).size).toBe(3);

    // Verification runs on the receiver's clock; the signature timestamp must be recent there.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(T0 + 3 * HOUR);
      for (const secret of [first, second, third])
        expect(await verifies(id, secret, T0 + 3 * HOUR)).toBe(true);
      vi.setSystemTime(T0 + 25 * HOUR);
      expect(await verifies(id, first, T0 + 25 * HOUR)).toBe(false);
      expect(await verifies(id, second, T0 + 25 * HOUR)).toBe(true);
      vi.setSystemTime(T0 + 27 * HOUR);
      expect(await verifies(id, second, T0 + 27 * HOUR)).toBe(false);
      expect(await verifies(id, third, T0 + 27 * HOUR)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps at most 5 replaced secrets, and drops expired ones on the next rotation', async () => {
    const { id, owner_id: owner } = await newEndpoint();
    for (let i = 0; i < 7; i++) await rotateEndpointSecret(owner, id, T0 + i * 60_000);
    expect((await getEndpoint(id))!.previous_secrets).toHaveLength(5);
    expect(await endpointSecrets((await getEndpoint(id))!, T0 + HOUR)).toHaveLength(6);

    await rotateEndpointSecret(owner, id, T0 + 30 * HOUR);
    expect((await getEndpoint(id))!.previous_secrets).toHaveLength(1);
    expect(await endpointSecrets((await getEndpoint(id))!, T0 + 30 * HOUR)).toHaveLength(2);
  });

  it("refuses to rotate another developer's endpoint", async () => {
    const { id } = await newEndpoint();
    expect(await rotateEndpointSecret('someone-else', id, T0)).toBe(false);
  });
});
