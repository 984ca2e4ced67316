import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { dashboardCsp } from '#shared/http/dashboard-csp.js';
import type { DashboardFile, DashboardFiles } from '../../web/bundle.js';

export interface DashboardOptions {
  /** `npm start -- --demo`: the dashboard offers "Connect a demo user". */
  demo: boolean;
}

/** What CloudFront's response headers policy sets on AWS (the same policy), for the same files. */
const SECURITY_HEADERS = {
  'content-security-policy': dashboardCsp([]),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function reply(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Uint8Array | string,
  head = false,
) {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  res.end(head ? undefined : bytes);
}

const json = (res: ServerResponse, status: number, value: unknown) =>
  reply(
    res,
    status,
    { 'content-type': 'application/json', 'cache-control': 'no-store' },
    JSON.stringify(value),
  );

const wantsHtml = (req: IncomingMessage) => (req.headers.accept ?? '').includes('text/html');

/**
 * The sandbox's stand-in for the dashboard's CloudFront distribution, in front of the API: `GET /` from a browser
 * (Accept: text/html) is the app, `/assets/*` its bundle and `/config.json` where it finds the API (this origin,
 * as the browser reached it). Everything else, including `/` for any other Accept, goes to `api`. The bundle is
 * built in memory on the first request, with esbuild as `npm run web:build` does, so it is never stale.
 */
export function withDashboard(api: RequestListener, options: DashboardOptions): RequestListener {
  let files: Promise<DashboardFiles> | undefined;
  const bundle = () => {
    files ??= import('../../web/bundle.js').then((module) => module.bundleDashboard());
    files.catch(() => {
      files = undefined;
    });
    return files;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, name: string) => {
    let file: DashboardFile;
    try {
      const found = (await bundle()).get(name);
      if (!found) return json(res, 404, { detail: 'Not Found' });
      file = found;
    } catch (error) {
      console.error('[dashboard] the bundle could not be built', error);
      return json(res, 500, { detail: `The dashboard could not be built: ${(error as Error).message}` });
    }
    const cache = name === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable';
    const headers = { 'content-type': file.contentType, 'cache-control': cache, ...SECURITY_HEADERS };
    reply(res, 200, headers, file.body, req.method === 'HEAD');
  };

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') return api(req, res);
    if (path === '/' && wantsHtml(req)) return void serve(req, res, 'index.html');
    if (path.startsWith('/assets/')) return void serve(req, res, path.slice(1));
    if (path === '/config.json') {
      return json(res, 200, { apiBaseUrl: `http://${req.headers.host ?? 'localhost'}`, demo: options.demo });
    }
    return api(req, res);
  };
}
