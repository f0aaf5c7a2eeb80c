/**
 * A strict reader of HTTP/1.1 request heads (RFC 9112 sections 3 and 5) for the raw front end
 * (`front.ts`), for the common case only: an origin-form request without a body or with a
 * `Content-Length` one. Everything else is reported as `UNUSUAL` so that the connection is
 * handed to `node:http`, whose llhttp parser then answers it exactly as before: chunked bodies
 * (Transfer-Encoding), `Expect`, `Upgrade`, HTTP/1.0, absolute-form or `*` targets,
 * repeated `Host` or `Content-Length`, and anything malformed (bare CR or LF, control
 * characters, white space before a colon, obsolete line folding), so a request that llhttp
 * would refuse is never served here, which keeps request smuggling out.
 *
 * Header fields are combined as Node's `IncomingMessage` does (`_http_incoming.js`
 * `matchKnownFields`): names lower-cased; for the listed singletons the first value wins;
 * `set-cookie` is a list; `cookie` values are joined with `; `, the others with `, `.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Heads longer than this are left to `node:http` (whose limit, 16 KiB, then decides). */
export const MAX_RAW_HEAD_BYTES = 8 * 1024;

/** A request head read in full. */
export interface RequestHead {
  readonly method: string;
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  /** Bytes of the head, blank line included. */
  readonly length: number;
  /** False when the client sent `Connection: close`. */
  readonly keepAlive: boolean;
  /** Bytes of body that follow the head (`Content-Length`; 0 without one). */
  readonly contentLength: number;
}

/** The head is not complete yet: wait for more bytes (or hand over once past `MAX_RAW_HEAD_BYTES`). */
export const INCOMPLETE = 0;
/** Not a request for the raw path: hand the connection to `node:http`. */
export const UNUSUAL = 1;

/** Methods served here; others (CONNECT, WebDAV, unknown) go to `node:http`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']);

/** Fields where Node keeps the first value and drops repeats. */
const FIRST_WINS = new Set([
  'content-type',
  'user-agent',
  'referer',
  'authorization',
  'proxy-authorization',
  'if-modified-since',
  'if-unmodified-since',
  'from',
  'location',
  'max-forwards',
  'retry-after',
  'etag',
  'last-modified',
  'server',
  'age',
  'expires',
]);

/** RFC 9110 `tchar`, as a lookup table over char codes. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

/** Characters no field value may hold once the head is split at CRLF: controls other than HTAB (so a bare CR or LF too), and DEL. */
// eslint-disable-next-line no-control-regex -- finding control characters is what it is for
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** A Content-Length in plain decimal, below 2^53. */
const LENGTH = /^(?:0|[1-9]\d{0,14})$/;

/** An origin-form target of visible ASCII. */
const TARGET = /^\/[\x21-\x7e]*$/;

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] !== 1) return false;
  }
  return true;
}

/** Strips leading and trailing spaces and tabs (RFC 9112 5.1 OWS). */
function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Whether a `Connection` value lists `token` (case-insensitive). */
function listsToken(value: string, token: string): boolean {
  for (const t of value.split(',')) if (trimOws(t).toLowerCase() === token) return true;
  return false;
}

/**
 * Reads the request head that starts at `start` in `buf`. Returns the head, `INCOMPLETE`
 * when its end has not arrived, or `UNUSUAL` when the request is for `node:http` to serve.
 */
export function readRequestHead(buf: Buffer, start: number): RequestHead | typeof INCOMPLETE | typeof UNUSUAL {
  const end = buf.indexOf('\r\n\r\n', start, 'latin1');
  if (end < 0) return buf.length - start > MAX_RAW_HEAD_BYTES ? UNUSUAL : INCOMPLETE;
  if (end + 4 - start > MAX_RAW_HEAD_BYTES) return UNUSUAL;
  // The request line is checked whole below (method, visible-ASCII target, exact version) and
  // field names are tokens, so only values need a look for control characters.
  const text = buf.toString('latin1', start, end);

  let eol = text.indexOf('\r\n');
  const line = eol < 0 ? text : text.slice(0, eol);
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.slice(sp2 + 1) !== 'HTTP/1.1') return UNUSUAL;
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  if (!METHODS.has(method) || !TARGET.test(target)) return UNUSUAL;

  const headers: IncomingHttpHeaders = {};
  let keepAlive = true;
  let hostSeen = false;
  let lengthSeen = false;
  let contentLength = 0;
  while (eol >= 0) {
    const from = eol + 2;
    eol = text.indexOf('\r\n', from);
    const field = eol < 0 ? text.slice(from) : text.slice(from, eol);
    const colon = field.indexOf(':');
    if (colon <= 0) return UNUSUAL;
    const raw = field.slice(0, colon);
    if (!isToken(raw)) return UNUSUAL;
    const name = raw.toLowerCase();
    const value = trimOws(field.slice(colon + 1));
    if (BAD_VALUE.test(value)) return UNUSUAL;
    switch (name) {
      case 'host':
        if (hostSeen) return UNUSUAL;
        hostSeen = true;
        break;
      case 'content-length':
        // A repeated length, or one llhttp might read otherwise (sign, leading zeros), is for node:http.
        if (lengthSeen || !LENGTH.test(value)) return UNUSUAL;
        lengthSeen = true;
        contentLength = Number(value);
        break;
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return UNUSUAL;
      case 'connection':
        if (listsToken(value, 'close')) keepAlive = false;
        break;
      case 'set-cookie': {
        const prior = headers['set-cookie'];
        if (prior === undefined) headers['set-cookie'] = [value];
        else prior.push(value);
        continue;
      }
      default:
    }
    const prior = headers[name] as string | undefined;
    if (prior === undefined) headers[name] = value;
    else if (name === 'cookie') headers.cookie = `${prior}; ${value}`;
    else if (!FIRST_WINS.has(name)) headers[name] = `${prior}, ${value}`;
  }
  return { method, target, headers, length: end + 4 - start, keepAlive, contentLength };
}
