import { notFound } from '#shared/http/errors.js';
import { newAppId, newAppSecret, sha256 } from '#shared/identity/credentials.js';
import { apiDateTime } from '#shared/model/time.js';
import {
  type Application,
  deleteApplication,
  insertApplication,
  listApplications,
  replaceApplicationSecret,
} from '#shared/store/applications.js';

export const applicationView = (app: Application) => ({
  id: app.id,
  app_id: app.app_id,
  name: app.name,
  created_at: apiDateTime(app.created_at),
});

const NOT_FOUND = 'Application not found';

export async function createApplication(developerId: string, name: string) {
  const appSecret = newAppSecret();
  const app = await insertApplication({
    app_id: newAppId(),
    name,
    developer_id: developerId,
    secret_hash: sha256(appSecret),
  });
  return { ...applicationView(app), app_secret: appSecret };
}

export async function listApplicationViews(developerId: string) {
  return (await listApplications(developerId)).map(applicationView);
}

export async function removeApplication(developerId: string, appId: string) {
  if (!(await deleteApplication(appId, developerId))) throw notFound(NOT_FOUND);
}

export async function rotateApplicationSecret(developerId: string, appId: string) {
  const appSecret = newAppSecret();
  const app = await replaceApplicationSecret(appId, developerId, sha256(appSecret));
  if (!app) throw notFound(NOT_FOUND);
  return { ...applicationView(app), app_secret: appSecret };
}
