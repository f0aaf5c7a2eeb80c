/**
 * Header handling between client and upstream. Hop-by-hop headers are removed in both
 * directions, as RFC 9110 section 7.6.1 requires of an intermediary: `Connection`, the headers
 * it names (never `Content-Length`, `Transfer-Encoding` or `Host`), and `Proxy-Connection`,
 * `Keep-Alive`, `TE`, `Transfer-Encoding`, `Upgrade` (each side is framed anew). The forwarding headers follow the de-facto
 * `X-Forwarded-*` convention that Envoy and nginx use.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';

const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'transfer-encoding', 'upgrade', 'trailer', 'proxy-authenticate', 'proxy-authorization']);

/**
 * Names a `Connection` header may list without effect: the framing of the message and its
 * `Host` are not the sender's to remove (a listed `Content-Length` removed would leave the body
 * unframed, for the next hop to read as a request: request smuggling).
 */
const NEVER_NAMED = new Set(['content-length', 'transfer-encoding', 'host']);

/** Names listed in a `Connection` header, lower-cased (`close` and `keep-alive` included, harmlessly). */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  // Fast path for what nearly every client sends: nothing extra is named.
  if (value === 'keep-alive' || value === 'close' || value === 'Keep-Alive') return undefined;
  const s = Array.isArray(value) ? value.join(',') : value;
  const out = new Set<string>();
  for (const t of s.split(',')) {
    const n = t.trim().toLowerCase();
    if (n && !NEVER_NAMED.has(n)) out.add(n);
  }
  return out;
}

/** A copy of `headers` without hop-by-hop fields; `keepUpgrade` keeps `Connection: upgrade` + `Upgrade` for WebSockets. */
export function stripHopByHop(headers: IncomingHttpHeaders, keepUpgrade = false): OutgoingHttpHeaders {
  const named = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const k in headers) {
    if (HOP_BY_HOP.has(k) || (named !== undefined && named.has(k))) continue;
    out[k] = headers[k];
  }
  if (keepUpgrade && headers.upgrade !== undefined) {
    out.connection = 'upgrade';
    out.upgrade = headers.upgrade;
  }
  return out;
}

/**
 * Upstream request headers: hop-by-hop removed, `x-forwarded-for` appended with the client
 * address, `x-forwarded-proto` and `x-forwarded-host` set, `x-request-id` added when absent,
 * and `host` replaced when the route rewrites the authority.
 */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  clientAddress: string | undefined,
  authority: string | undefined,
  keepUpgrade = false,
): OutgoingHttpHeaders {
  const out = stripHopByHop(headers, keepUpgrade);
  const prior = headers['x-forwarded-for'];
  const addr = clientAddress ?? '';
  out['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${addr}` : addr;
  out['x-forwarded-proto'] = 'http';
  if (headers.host !== undefined) out['x-forwarded-host'] = headers.host;
  if (headers['x-request-id'] === undefined) out['x-request-id'] = randomUUID();
  if (authority !== undefined) out.host = authority;
  return out;
}
