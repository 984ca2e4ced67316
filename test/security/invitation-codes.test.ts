import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createInvitationCode, redeem } from '#shared/identity/invitation-codes.js';
import { createUser } from '#shared/identity/users.js';
import { statusOf } from '#test/helpers/status.js';
import { scanTable, tableText } from '#test/helpers/table.js';

/** Review finding 7: invitation codes were stored in plaintext, unlike every other credential. */
describe('invitation codes at rest', () => {
  it('are stored as a keyed digest: neither the code nor its plain SHA-256 is in the table', async () => {
    const user = await createUser({});
    const { code } = await createInvitationCode(user.id, 'dev-1');
    const text = await tableText();
    expect(text).not.toContain(code);
    expect(text).not.toContain(createHash('sha256').update(code).digest('hex'));
    const stored = (await scanTable()).filter((item) => String(item.PK).startsWith('INVCODE#'));
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toHaveProperty('code');
  });

  it('still redeem once, case-insensitively', async () => {
    const user = await createUser({});
    const { code } = await createInvitationCode(user.id, 'dev-1');
    const tokens = await redeem(code.toLowerCase(), '10.0.0.2');
    expect(tokens.user_id).toBe(user.id);
    expect(await statusOf(redeem(code, '10.0.0.2'))).toBe(404);
  });
});
