/**
 * The dashboard's side of the control API: its page and files at the root, the `?token=`
 * sign-in link, the session cookie as a second way to carry the token, and
 * `/api/v1/session` (docs/dashboard.md).
 *
 * - `GET /` (and `/assets/*`): the page; no token needed, it holds no data.
 * - `GET /?token=<token>`: signs the browser in and redirects to `/` (the token leaves the
 *   address bar and history at once); a wrong token redirects to `/?signin=refused`.
 * - `POST /api/v1/session` with `Authorization: Bearer <token>`: signs in (sets the cookie).
 *   The sign-in page sends the typed token this way, so it is checked, as every token is,
 *   from the request head before any body.
 * - `GET /api/v1/session`: who is signed in and until when; `DELETE`: signs out.
 */
import { bearerMatches } from '../../adapters/http/bearer.js';
import { loadDashboardAssets, SECURITY_HEADERS, type DashboardAssets } from './assets.js';
import type { SessionView } from '../types.js';
import { authenticate, issueSession, parseCookies, sessionCookieName, sessionSetCookie, sessionValid, SESSION_TTL_MS, type AuthVia } from './session.js';

export { CSRF_HEADER, csrfRefusal, type AuthVia } from './session.js';

export interface DashboardOptions {
  token: string;
  /** Wall clock (epoch ms); default Date.now. */
  now?: () => number;
  /** Where the built files are; default dist/dashboard of this package. */
  dir?: string;
  /** How long a sign-in lasts; default 12 h. */
  sessionTtlMs?: number;
}

export interface Dashboard {
  readonly assets: DashboardAssets;
  /** The page, a file of it, or the `?token=` redirect; undefined for any other path. */
  page(req: Request, url: URL): Response | undefined;
  /** How `req` carries the token (Bearer or the session cookie), if it does. */
  authenticate(req: Request): AuthVia | undefined;
  /** `/api/v1/session` for an authenticated request. */
  session(req: Request, via: AuthVia): Response | undefined;
}

const jsonAnswer = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });

export function createDashboard(opts: DashboardOptions): Dashboard {
  const now = opts.now ?? Date.now;
  const ttl = opts.sessionTtlMs ?? SESSION_TTL_MS;
  const assets = loadDashboardAssets(opts.dir);
  const expiresAt = (req: Request): number | undefined => {
    const value = parseCookies(req.headers.get('cookie')).get(sessionCookieName(req));
    return value !== undefined && sessionValid(value, opts.token, now()) ? Number(value.split('.')[0]) : undefined;
  };
  return {
    assets,
    page(req, url) {
      const given = url.searchParams.get('token');
      if (url.pathname === '/' && req.method === 'GET' && given !== null) {
        const ok = bearerMatches(`Bearer ${given}`, opts.token);
        const headers: Record<string, string> = { ...SECURITY_HEADERS, location: ok ? './' : './?signin=refused', 'cache-control': 'no-store' };
        if (ok) headers['set-cookie'] = sessionSetCookie(req, issueSession(opts.token, now(), ttl), ttl);
        return new Response(null, { status: 303, headers });
      }
      return assets.serve(url.pathname, req.method);
    },
    authenticate: (req) => authenticate(req, opts.token, now()),
    session(req, via) {
      switch (req.method) {
        case 'GET': {
          const until = via === 'cookie' ? expiresAt(req) : undefined;
          return jsonAnswer(200, { signedIn: true, via, role: 'admin', ...(until !== undefined ? { expiresAt: until } : {}) } satisfies SessionView);
        }
        case 'POST': {
          const value = issueSession(opts.token, now(), ttl);
          const view: SessionView = { signedIn: true, via: 'cookie', role: 'admin', expiresAt: Number(value.split('.')[0]) };
          return jsonAnswer(200, view, { 'set-cookie': sessionSetCookie(req, value, ttl) });
        }
        case 'DELETE':
          return jsonAnswer(200, { signedIn: false }, { 'set-cookie': sessionSetCookie(req, '', 0) });
        default:
          return undefined;
      }
    },
  };
}
