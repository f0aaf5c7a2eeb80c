/**
 * Who may use the admin API: requests carrying `Authorization: Bearer <token>` (RFC 6750
 * section 2.1) with the gateway's token. Only `GET /healthz` is open: it is the liveness probe
 * and says nothing of the routes or endpoints (status, config version and digest, in-flight
 * count). Everything that changes or reveals the config (`/config`, `/endpoints`, `/drain`,
 * `/stats`, and `/metrics`, whose series name every endpoint) needs the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** `METHOD /path` of the routes answered without a credential. */
const OPEN_ROUTES: ReadonlySet<string> = new Set(['GET /healthz']);

/** True when `route` (`METHOD /path`) is answered without a credential. */
export function isOpenRoute(route: string): boolean {
  return OPEN_ROUTES.has(route);
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * True when the request's bearer token is `token`. Both sides are hashed first, so the
 * comparison is constant-time whatever the lengths (timingSafeEqual needs equal lengths, and
 * comparing lengths first would tell an attacker the token's length).
 */
export function hasToken(headers: IncomingHttpHeaders, token: string): boolean {
  const m = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(headers.authorization ?? '');
  const given = m?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token)) && given !== '';
}
