import { createApiKey } from '#shared/identity/api-keys.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';

/** A fresh API key, created by the bootstrap developer (created first if absent). */
export async function testApiKey(name = 'test'): Promise<string> {
  await ensureAdminDeveloper();
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  return (await createApiKey(name, admin!.id)).key;
}
