/**
 * The dashboard's sign-in: a second way to carry the control API's token, as a cookie.
 *
 * The cookie does not hold the token itself but a session value derived from it,
 * `<expiresAtMs>.<HMAC-SHA256(token, "baton-dashboard-session.<expiresAtMs>")>` (base64url):
 * it ends after {@link SESSION_TTL_MS}, it is still valid after a controller restart (the token
 * is kept in the state dir), and a new token ends every session at once. Browsers send a cookie
 * to every port of a host (RFC 6265 section 8.5), so a service on another port of 127.0.0.1 that
 * the same browser visits sees it; a leaked session value is never the API token and expires.
 *
 * CSRF (OWASP CSRF Prevention Cheat Sheet, "Custom Request Headers" and "Verifying Origin With
 * Standard Headers"): the cookie is `HttpOnly; SameSite=Strict`, and a request authenticated
 * by it must also (a) come from the same origin by `Sec-Fetch-Site` and `Origin` when the
 * browser sends them and (b) carry the `X-Baton-CSRF` header when it changes anything: a page of
 * another origin cannot add a custom header without a CORS preflight, which this server never
 * grants.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { bearerMatches } from '../../adapters/http/bearer.js';

/** How long a sign-in lasts: 12 hours (a working day), then the sign-in page again. */
export const SESSION_TTL_MS = 12 * 3600_000;
/** The cookie's name starts with this; the API port follows it (`baton_session_7070`). */
export const SESSION_COOKIE_PREFIX = 'baton_session';
/** The header a cookie-authenticated state-changing request must carry (any non-empty value). */
export const CSRF_HEADER = 'x-baton-csrf';

/** How a request proved it holds the token. */
export type AuthVia = 'bearer' | 'cookie';

function mac(token: string, expiresAt: number): string {
  return createHmac('sha256', token).update(`baton-dashboard-session.${expiresAt}`).digest('base64url');
}

/** A session value valid until `now + ttlMs`. */
export function issueSession(token: string, now: number, ttlMs = SESSION_TTL_MS): string {
  const expiresAt = Math.floor(now + ttlMs);
  return `${expiresAt}.${mac(token, expiresAt)}`;
}

/** Whether `value` is a session issued with `token` that has not expired at `now`. */
export function sessionValid(value: string, token: string, now: number): boolean {
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return false;
  const expiresAt = Number(m[1]);
  if (!(expiresAt > now)) return false;
  const given = Buffer.from(m[2] ?? '');
  const want = Buffer.from(mac(token, expiresAt));
  return given.length === want.length && timingSafeEqual(given, want);
}

/** The cookies of a `Cookie` header (RFC 6265 section 4.2.1), later ones not overriding earlier ones. */
export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

/**
 * The cookie name for the server a request reached: one per port, so two controllers on one
 * machine (different ports, different tokens) do not sign each other's browsers out.
 */
export function sessionCookieName(req: Request): string {
  const port = /:(\d{1,5})$/.exec(req.headers.get('host') ?? '')?.[1] ?? '80';
  return `${SESSION_COOKIE_PREFIX}_${port}`;
}

/** How `req` carries the token, if it does: `Authorization: Bearer`, or a valid session cookie. */
export function authenticate(req: Request, token: string, now: number): AuthVia | undefined {
  if (bearerMatches(req.headers.get('authorization'), token)) return 'bearer';
  const value = parseCookies(req.headers.get('cookie')).get(sessionCookieName(req));
  return value !== undefined && sessionValid(value, token, now) ? 'cookie' : undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Why a cookie-authenticated request is refused as possibly cross-site, or undefined when it is
 * fine. Browsers send `Sec-Fetch-Site` (Fetch Metadata) and, on non-GET requests, `Origin`;
 * when they do, it must be this very origin.
 */
export function csrfRefusal(req: Request): string | undefined {
  const site = req.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') return `a ${site} request may not use the dashboard's sign-in cookie (Sec-Fetch-Site: ${site})`;
  const origin = req.headers.get('origin');
  if (origin !== null && !sameOrigin(origin, req.headers.get('host'))) return `a request from ${JSON.stringify(origin)} may not use the dashboard's sign-in cookie of ${req.headers.get('host') ?? 'this server'}`;
  if (!SAFE_METHODS.has(req.method) && !req.headers.get(CSRF_HEADER)) return `a ${req.method} with the dashboard's sign-in cookie must carry the ${CSRF_HEADER} header`;
  return undefined;
}

function sameOrigin(origin: string, host: string | null): boolean {
  if (!host) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === host.toLowerCase();
  } catch {
    return false; // `Origin: null` (a sandboxed or file: page) is never this server.
  }
}

/** `Set-Cookie` for a new session (or, with `value` empty, one that ends it). */
export function sessionSetCookie(req: Request, value: string, maxAgeMs: number): string {
  const secure = req.headers.get('x-forwarded-proto') === 'https' || new URL(req.url).protocol === 'https:';
  return [`${sessionCookieName(req)}=${value}`, 'Path=/', `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}
