/**
 * The strict reader of HTTP/1.1 request heads (RFC 9112 sections 2 to 7, RFC 9110 section 8.6)
 * that every client request goes through (`front.ts`). It decides how the message is framed,
 * and anything that leaves a doubt about where one request ends and the next begins is refused
 * here, with a `GatewayError` whose status the client gets before the connection is closed:
 *
 * - a bare CR (one not right before the LF ending a line): 400. A bare LF ends a line as CRLF
 *   does, as RFC 9112 2.2 allows a recipient to and nginx and HAProxy do (a head of LF-only
 *   lines, or mixed ones, is read whole and never left waiting for a CRLF CRLF);
 * - a field name that is not a token (white space before the colon included), obsolete line
 *   folding, control characters in a value: 400;
 * - a missing `Host` on HTTP/1.1, more than one `Host`, or one that is not `host[:port]`: 400
 *   (RFC 9112 3.2);
 * - `Content-Length` values that are not decimal digits, or that differ (lists and repeats of
 *   one value are accepted as RFC 9110 8.6 allows): 400;
 * - `Transfer-Encoding` with `Content-Length` (RFC 9112 6.1 lets a server process such a
 *   message; nginx refuses it and so does Baton): 400; on HTTP/1.0: 400; where `chunked` is not
 *   the final coding, or is applied twice: 400; any coding besides `chunked`: 501;
 * - `CONNECT`: 501; a version other than 1.0 and 1.1: 505; a head over 16 KiB: 431.
 *
 * Where RFC 9112 leaves a recipient the choice, the reader takes the one nginx and HAProxy
 * agree on (`test/gateway/peers`): one or more spaces between the parts of the request line
 * (RFC 9112 3), and an `Expect` other than `100-continue` forwarded for the service to judge
 * (RFC 9110 10.1.1 lets a server answer it 417; a proxy passes it on).
 *
 * `Connection` never removes framing: `Content-Length`, `Transfer-Encoding` and `Host` stay
 * whatever it names (`headers.ts`). Header fields are combined as Node's `IncomingMessage` does
 * (`_http_incoming.js` `matchKnownFields`): names lower-cased; for the listed singletons the
 * first value wins; `set-cookie` is a list; `cookie` values are joined with `; `, the others
 * with `, `. `content-length` and `transfer-encoding` are given in their one normalized form.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors.js';
import { isToken } from './tokens.js';

/** Longest head accepted, as `node:http`'s default `maxHeaderSize`; longer ones are answered 431. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** A request head read in full and found well framed. */
export interface RequestHead {
  readonly method: string;
  /** The target to forward: origin form (an absolute-form target reduced to its path and query), or `*`. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  /** Bytes of the head, blank line (and ignored empty lines before the request line) included. */
  readonly length: number;
  /** The connection may carry another request after this one. */
  readonly keepAlive: boolean;
  /** HTTP/1.0: answers are not chunked, and keep-alive is only on request. */
  readonly http10: boolean;
  /** Bytes of body that follow the head (`Content-Length`; 0 without one, and when chunked). */
  readonly contentLength: number;
  /** The body is chunked (`Transfer-Encoding: chunked`). */
  readonly chunked: boolean;
  /** `Connection: upgrade` with `Upgrade` on HTTP/1.1 (a WebSocket, say), without a body. */
  readonly upgrade: boolean;
  /** `Expect: 100-continue`. */
  readonly expectContinue: boolean;
}

/** The head is not complete yet: wait for more bytes. */
export const INCOMPLETE = 0;

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

/** Characters no field value may hold once the head is split into lines: controls other than HTAB (so a bare CR too), and DEL. */
// eslint-disable-next-line no-control-regex -- finding control characters is what it is for
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** An origin-form target of visible ASCII (RFC 9112 3.2.1; no fragment). */
const ORIGIN_FORM = /^\/[\x21-\x22\x24-\x7e]*$/;

/** An absolute-form target (RFC 9112 3.2.2): scheme, authority without userinfo, then path and query. */
const ABSOLUTE_FORM = /^https?:\/\/([^/?#@\s]+)([/?][\x21-\x22\x24-\x7e]*)?$/i;

/** A `Host` value (RFC 9110 7.2: uri-host [":" port]); empty is allowed for an empty authority. */
const HOST_VALUE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::\d{0,5})?$/;

/** The HTTP version of the request line, `HTTP/d.d` (RFC 9112 2.3). */
const VERSION = /^HTTP\/\d\.\d$/;

/** Strips leading and trailing spaces and tabs (RFC 9112 5.1 OWS). */
function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Whether a comma-separated list lists `token` (case-insensitive). */
function listsToken(value: string, token: string): boolean {
  for (const t of value.split(',')) if (trimOws(t).toLowerCase() === token) return true;
  return false;
}

function bad(message: string): GatewayError {
  return new GatewayError('bad-request', message);
}

/**
 * The value of one `Content-Length` field line, a list of 1*DIGIT (RFC 9110 8.6), or -1 when it
 * is not one, or its members differ. At most 15 digits, so the length is exact in a double.
 */
function lengthOf(value: string): number {
  let n = -1;
  for (const part of value.split(',')) {
    const v = trimOws(part);
    if (v.length === 0 || v.length > 15) return -1;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
    }
    const m = Number(v);
    if (n >= 0 && m !== n) return -1;
    n = m;
  }
  return n;
}

/** Checks a `Transfer-Encoding` value (all its field lines joined); undefined when it is exactly `chunked`. */
function checkCodings(te: string): GatewayError | undefined {
  const codings = te.split(',').map((c) => trimOws(c).toLowerCase());
  for (const c of codings) if (!isToken(c)) return bad(`transfer-encoding ${JSON.stringify(te)} is not a list of codings`);
  // RFC 9112 6.1: when chunked is not the final coding the length cannot be known (400 and
  // close); 7: chunked is applied at most once.
  if (codings[codings.length - 1] !== 'chunked') return bad(`transfer-encoding ${JSON.stringify(te)} does not end in chunked`);
  if (codings.length > 1) {
    if (codings.indexOf('chunked') < codings.length - 1) return bad(`transfer-encoding ${JSON.stringify(te)} applies chunked twice`);
    // A coding the gateway does not apply or remove (gzip, say): RFC 9112 6.1 501, as nginx answers.
    return new GatewayError('not-implemented', `transfer-encoding ${JSON.stringify(te)}: only chunked is supported`);
  }
  return undefined;
}

/**
 * The lines of the head that starts at `from` (request line and field lines, without the LF
 * that ends the last) and where its blank line ends, or `INCOMPLETE`. A line end is LF, with or
 * without CR before it (RFC 9112 2.2), so the head ends at the first LF LF or LF CR LF.
 */
function headLines(buf: Buffer, from: number): { text: string; next: number } | typeof INCOMPLETE {
  // One search in native code for the usual CRLF CRLF (its LF CR LF), then one in the head
  // alone for an LF LF before it; never a search through a body that follows.
  const c = buf.indexOf(LF_CRLF, from);
  if (c >= 0 && c - from <= MAX_HEAD_BYTES) {
    const text = buf.toString('latin1', from, c + 1);
    const j = text.indexOf('\n\n');
    return j < 0 ? { text: text.slice(0, c - from), next: c + 3 } : { text: text.slice(0, j), next: from + j + 2 };
  }
  const j = (c < 0 ? buf : buf.subarray(0, c + 1)).indexOf(LF_LF, from);
  return j < 0 ? INCOMPLETE : { text: buf.toString('latin1', from, j), next: j + 2 };
}

const LF_CRLF = Buffer.from('\n\r\n', 'latin1');
const LF_LF = Buffer.from('\n\n', 'latin1');

/** `text` up to `end` without the one CR that may end the line there. */
function line(text: string, from: number, end: number): string {
  return text.slice(from, end > from && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
}

export function readRequestHead(buf: Buffer, start: number): RequestHead | typeof INCOMPLETE | GatewayError {
  // RFC 9112 2.2: empty lines before the request line are ignored (a client's stray CRLF after a body).
  let from = start;
  for (;;) {
    if (buf[from] === 10 && from - start < 64) from += 1;
    else if (buf[from] === 13 && buf[from + 1] === 10 && from - start < 64) from += 2;
    else break;
  }
  const head = headLines(buf, from);
  if (head === INCOMPLETE) {
    if (buf.length - start > MAX_HEAD_BYTES) return new GatewayError('request-header-too-large', `request head longer than ${MAX_HEAD_BYTES} bytes`);
    return INCOMPLETE;
  }
  if (head.next - start > MAX_HEAD_BYTES) return new GatewayError('request-header-too-large', `request head longer than ${MAX_HEAD_BYTES} bytes`);
  // The request line and the field lines, parted by LFs; a line may end in the CR before its LF.
  const text = head.text;

  let eol = text.indexOf('\n');
  const first = line(text, 0, eol < 0 ? text.length : eol);
  // RFC 9112 3: the parts may be parted by more than one SP; nothing may come before the method or after the version.
  const sp1 = first.indexOf(' ');
  let t = sp1;
  while (first.charCodeAt(t) === 32) t++;
  const sp2 = first.indexOf(' ', t);
  let v = sp2;
  while (sp2 >= 0 && first.charCodeAt(v) === 32) v++;
  if (sp1 <= 0 || sp2 < 0) return bad('malformed request line');
  const method = first.slice(0, sp1);
  let target = first.slice(t, sp2);
  const version = first.slice(v);
  if (!isToken(method)) return bad('malformed request line: the method is not a token');
  let http10 = false;
  if (version !== 'HTTP/1.1') {
    if (version === 'HTTP/1.0') http10 = true;
    else if (VERSION.test(version)) return new GatewayError('version-not-supported', `${version} is not supported (HTTP/1.1 and HTTP/1.0 are)`);
    else return bad('malformed request line: no HTTP version');
  }
  if (method === 'CONNECT') return new GatewayError('not-implemented', 'CONNECT is not supported: the gateway is not a forward proxy');
  let authority: string | undefined;
  if (!ORIGIN_FORM.test(target)) {
    const abs = ABSOLUTE_FORM.exec(target);
    if (abs !== null) {
      authority = abs[1] ?? '';
      if (!HOST_VALUE.test(authority)) return bad(`request target ${JSON.stringify(target)} has an invalid authority`);
      const rest = abs[2] ?? '';
      target = rest.startsWith('/') ? rest : `/${rest}`;
    } else if (target !== '*' || method !== 'OPTIONS') return bad(`request target ${JSON.stringify(target.slice(0, 80))} is not origin-form or absolute-form`);
  }

  const headers: IncomingHttpHeaders = {};
  let hosts = 0;
  let lengthSeen = false;
  let contentLength = 0;
  let te: string | undefined;
  let connection: string | undefined;
  let upgrade = false;
  let expectContinue = false;
  while (eol >= 0) {
    const f = eol + 1;
    eol = text.indexOf('\n', f);
    const field = line(text, f, eol < 0 ? text.length : eol);
    const colon = field.indexOf(':');
    if (colon < 0) return bad(field.charCodeAt(0) === 32 || field.charCodeAt(0) === 9 ? 'obsolete line folding in the request head' : 'a header line without a colon');
    const raw = field.slice(0, colon);
    // A name followed by white space (`Host : a`) is not a token either (RFC 9112 5.1: 400).
    if (!isToken(raw)) return bad(`invalid header name ${JSON.stringify(raw.slice(0, 40))}`);
    const name = raw.toLowerCase();
    let value = trimOws(field.slice(colon + 1));
    if (BAD_VALUE.test(value)) return bad(`control character in the value of ${name}`);
    switch (name) {
      case 'host':
        hosts++;
        if (hosts > 1) return bad('more than one Host header');
        if (!HOST_VALUE.test(value)) return bad(`invalid Host ${JSON.stringify(value.slice(0, 80))}`);
        break;
      case 'content-length': {
        const n = lengthOf(value);
        if (n < 0 || (lengthSeen && n !== contentLength)) return bad(`invalid or conflicting content-length ${JSON.stringify(value.slice(0, 40))}`);
        lengthSeen = true;
        contentLength = n;
        if (headers['content-length'] !== undefined) continue;
        value = String(n);
        break;
      }
      case 'transfer-encoding':
        te = te === undefined ? value : `${te}, ${value}`;
        continue;
      case 'connection':
        connection = connection === undefined ? value : `${connection}, ${value}`;
        break;
      case 'upgrade':
        upgrade = true;
        break;
      case 'expect':
        if (value.toLowerCase() === '100-continue') expectContinue = true;
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

  if (hosts === 0 && !http10) return bad('HTTP/1.1 request without a Host header');
  // RFC 9112 3.2.2: the authority of an absolute-form target replaces Host.
  if (authority !== undefined) headers.host = authority;
  let chunked = false;
  if (te !== undefined) {
    if (http10) return bad('transfer-encoding in an HTTP/1.0 request');
    if (lengthSeen) return bad('both transfer-encoding and content-length');
    const e = checkCodings(te);
    if (e !== undefined) return e;
    chunked = true;
    contentLength = 0;
    headers['transfer-encoding'] = 'chunked';
  }
  const keepAlive = connection === undefined ? !http10 : http10 ? listsToken(connection, 'keep-alive') && !listsToken(connection, 'close') : !listsToken(connection, 'close');
  if (upgrade) {
    upgrade = !http10 && connection !== undefined && listsToken(connection, 'upgrade');
    // An upgraded connection carries no body before the switch: one would be read as the new protocol.
    if (upgrade && (chunked || contentLength > 0)) return bad('an upgrade request with a body');
  }
  return { method, target, headers, length: head.next - start, keepAlive, http10, contentLength, chunked, upgrade, expectContinue };
}
