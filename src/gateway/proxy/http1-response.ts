/**
 * An incremental reader of HTTP/1.1 responses (RFC 9112) for the raw upstream path: the head
 * (status line and fields), then the body framed as RFC 9112 section 6.3 orders it: no body
 * for HEAD, 1xx, 204 and 304; chunked with `Transfer-Encoding: chunked`; else
 * `Content-Length`; else until the connection closes. Body bytes are handed on as they arrive
 * (chunked framing removed, so the client side can frame them anew), which keeps streaming and
 * server-sent events unbuffered.
 *
 * A head that is not valid is an error (the client gets 502), never relayed: a field name
 * that is not a token (white space before the colon included), obsolete line folding, a bare
 * CR, LF or NUL, `Content-Length` values that differ or are not digits, `Transfer-Encoding`
 * other than exactly `chunked`, or `Transfer-Encoding` with `Content-Length` (RFC 9112 6.3
 * calls it a likely smuggling attempt; nginx's proxy module refuses both cases likewise).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isToken } from './tokens.js';

/** Longest response head accepted (Node's default `maxHeaderSize` is 16 KiB). */
export const MAX_HEAD_BYTES = 16 * 1024;

/** A response head as read from the upstream. */
export interface ResponseHead {
  readonly status: number;
  /**
   * Field names lower-cased; repeated fields joined with `, ` (`set-cookie` kept as a list), as
   * Node does. Built on first use: the raw front end relays `relay` and never needs it.
   */
  readonly headers: IncomingHttpHeaders;
  /** The connection may carry another request after this response. */
  readonly keepAlive: boolean;
  /**
   * The field lines as received, each ending in CRLF, without the hop-by-hop ones (RFC 9110
   * 7.6.1): ready to relay. Undefined when `Connection` names further fields, or when both
   * Transfer-Encoding and Content-Length came: then `headers` is the one to use.
   */
  readonly relay: string | undefined;
  /** A `Date` field came (so a relaying proxy adds none). */
  readonly hasDate: boolean;
  /** A `Content-Length` field came and stands (not overridden by Transfer-Encoding). */
  readonly hasLength: boolean;
}

/** Hop-by-hop fields (RFC 9110 7.6.1), never relayed; as `headers.ts` removes them. */
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'transfer-encoding', 'upgrade', 'trailer', 'proxy-authenticate', 'proxy-authorization']);

/** What the reader reports while it consumes bytes. */
export interface ResponseSink {
  head(h: ResponseHead): void;
  /** A slice of body bytes; may alias the input buffer, so it is used at once or copied. */
  data(chunk: Buffer): void;
  end(): void;
}

/** Thrown on bytes that are not a valid HTTP/1.1 response. */
export class ResponseParseError extends Error {
  readonly code = 'EUPSTREAMPROTO';
}

const enum Phase {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  Close,
  Done,
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;

/** CR, LF or NUL left in a line once the head is split at CRLF: a field holding one could split the answer relayed to the client. */
const BARE_CR_LF_NUL = /[\r\n\0]/;

class ParsedHead implements ResponseHead {
  private built: IncomingHttpHeaders | undefined;

  constructor(
    readonly status: number,
    readonly keepAlive: boolean,
    readonly relay: string | undefined,
    readonly hasDate: boolean,
    readonly hasLength: boolean,
    /** The field lines (after the status line) as one text, CRLF between them. */
    private readonly fields: string,
    /** The `Content-Length`, normalized (one value for a list or repeat of it). */
    private readonly length: string | undefined,
  ) {}

  get headers(): IncomingHttpHeaders {
    return (this.built ??= buildHeaders(this.fields, this.length));
  }
}

/** The header object of field lines already checked by `parseHead`; `length` is the normalized `Content-Length`. */
function buildHeaders(fields: string, length: string | undefined): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  if (fields === '') return headers;
  for (const line of fields.split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'set-cookie') {
      const prior = headers['set-cookie'];
      if (prior === undefined) headers['set-cookie'] = [value];
      else prior.push(value);
      continue;
    }
    if (name === 'content-length') {
      if (length !== undefined) headers['content-length'] = length;
      continue;
    }
    const prior = headers[name] as string | undefined;
    headers[name] = prior === undefined ? value : `${prior}, ${value}`;
  }
  return headers;
}

/** Whether a comma-separated, lower-cased list holds `token`. */
function listsToken(list: string, token: string): boolean {
  if (list === token) return true;
  for (const t of list.split(',')) if (t.trim() === token) return true;
  return false;
}

/** `Content-Length` digits, at most 15 (below 2^53). */
function isLength(v: string): boolean {
  if (v.length === 0 || v.length > 15) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A `Content-Length` value: digits, or a list of one value repeated (RFC 9110 8.6); -1 otherwise. */
function lengthOf(v: string): number {
  if (isLength(v)) return Number(v);
  let n = -1;
  for (const part of v.split(',')) {
    const p = part.trim();
    if (!isLength(p) || (n >= 0 && Number(p) !== n)) return -1;
    n = Number(p);
  }
  return n;
}

/**
 * Reads the status line and walks the field lines once: checks them, keeps what framing and
 * keep-alive depend on, and gathers the lines to relay; the header object is left for later.
 */
function parseHead(text: string, requestWasHead: boolean): { head: ResponseHead; framing: 'none' | 'chunked' | 'length' | 'close'; length: number } {
  let eol = text.indexOf('\r\n');
  const statusLine = eol < 0 ? text : text.slice(0, eol);
  const m = STATUS_LINE.exec(statusLine);
  if (!m) throw new ResponseParseError(`bad status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  const http10 = m[1] === '0';
  const status = Number(m[2]);
  const fields = eol < 0 ? '' : text.slice(eol + 2);
  let te: string | undefined;
  let cl: string | undefined;
  let conn = '';
  let hasDate = false;
  let relay: string | undefined = '';
  while (eol >= 0) {
    const from = eol + 2;
    eol = text.indexOf('\r\n', from);
    const line = eol < 0 ? text.slice(from) : text.slice(from, eol);
    if (BARE_CR_LF_NUL.test(line)) throw new ResponseParseError('bare CR, LF or NUL in the response head');
    const colon = line.indexOf(':');
    // The name must be a token: this refuses white space before the colon (RFC 9112 5.1) and a
    // line starting with white space, obsolete line folding (5.2).
    if (colon <= 0 || !isToken(line, colon)) throw new ResponseParseError(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).toLowerCase();
    if (relay !== undefined && !HOP_BY_HOP.has(name)) relay += `${line}\r\n`;
    switch (name) {
      case 'content-length': {
        const value = line.slice(colon + 1).trim();
        const n = lengthOf(value);
        if (n < 0) throw new ResponseParseError(`bad content-length ${JSON.stringify(value.slice(0, 40))}`);
        if (cl !== undefined && Number(cl) !== n) throw new ResponseParseError('conflicting content-length');
        // A repeat or a list of the one value is relayed as a single field, from `headers`.
        if (cl !== undefined || value !== String(n)) relay = undefined;
        cl = String(n);
        break;
      }
      case 'transfer-encoding': {
        const value = line.slice(colon + 1).trim();
        te = te === undefined ? value : `${te}, ${value}`;
        break;
      }
      case 'connection': {
        const value = line.slice(colon + 1).trim().toLowerCase();
        conn = conn === '' ? value : `${conn}, ${value}`;
        break;
      }
      case 'date':
        hasDate = true;
        break;
      default:
    }
  }
  // Fields that Connection names are hop-by-hop too; `close` and `keep-alive` name none.
  if (conn !== '' && conn !== 'keep-alive' && conn !== 'close') relay = undefined;
  let keepAlive = http10 ? listsToken(conn, 'keep-alive') : !listsToken(conn, 'close');
  let framing: 'none' | 'chunked' | 'length' | 'close';
  let length = 0;
  const hasLength = cl !== undefined;
  if (te !== undefined) {
    if (cl !== undefined) throw new ResponseParseError('both transfer-encoding and content-length');
    if (te.toLowerCase() !== 'chunked') throw new ResponseParseError(`transfer-encoding ${JSON.stringify(te.slice(0, 40))} (only chunked is accepted)`);
  }
  if (requestWasHead || status < 200 || status === 204 || status === 304) framing = 'none';
  else if (te !== undefined) framing = 'chunked';
  else if (cl !== undefined) {
    length = Number(cl);
    framing = length === 0 ? 'none' : 'length';
  } else {
    framing = 'close';
    keepAlive = false;
  }
  return { head: new ParsedHead(status, keepAlive, relay, hasDate, hasLength, fields, cl), framing, length };
}

/**
 * Reads one response. `push` consumes bytes as they arrive and returns the bytes after the end
 * of this response (a well-behaved upstream sends none), or undefined while more are expected.
 * `close` tells that the connection ended; it completes a close-delimited body and throws when
 * the response was cut short.
 */
export class ResponseReader {
  private phase = Phase.Head;
  private pending: Buffer | undefined;
  private remaining = 0;

  constructor(
    private readonly sink: ResponseSink,
    private readonly requestWasHead: boolean,
  ) {}

  /** True once the head (other than 1xx) was read. */
  get headRead(): boolean {
    return this.phase !== Phase.Head;
  }

  /** True once the whole response was read. */
  get done(): boolean {
    return this.phase === Phase.Done;
  }

  push(input: Buffer): Buffer | undefined {
    const buf = this.pending === undefined ? input : Buffer.concat([this.pending, input]);
    this.pending = undefined;
    let pos = 0;
    while (pos < buf.length || this.phase === Phase.Done) {
      switch (this.phase) {
        case Phase.Head: {
          const end = buf.indexOf(HEAD_END, pos);
          if (end < 0) {
            if (buf.length - pos > MAX_HEAD_BYTES) throw new ResponseParseError(`response head longer than ${MAX_HEAD_BYTES} bytes`);
            this.pending = buf.subarray(pos);
            return undefined;
          }
          const { head, framing, length } = parseHead(buf.toString('latin1', pos, end), this.requestWasHead);
          pos = end + 4;
          if (head.status === 101) throw new ResponseParseError('101 Switching Protocols to a request that asked for no upgrade');
          // Interim answers (100, 103) are read past: the final answer follows on the same connection.
          if (head.status < 200) continue;
          this.sink.head(head);
          if (framing === 'none') this.phase = Phase.Done;
          else if (framing === 'length') {
            this.phase = Phase.Length;
            this.remaining = length;
          } else if (framing === 'chunked') this.phase = Phase.ChunkSize;
          else this.phase = Phase.Close;
          break;
        }
        case Phase.Length:
        case Phase.ChunkData: {
          const n = Math.min(this.remaining, buf.length - pos);
          this.sink.data(buf.subarray(pos, pos + n));
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.phase = this.phase === Phase.Length ? Phase.Done : Phase.ChunkDataEnd;
          break;
        }
        case Phase.ChunkSize: {
          const eol = buf.indexOf(CRLF, pos);
          if (eol < 0) {
            if (buf.length - pos > 1024) throw new ResponseParseError('chunk size line too long');
            this.pending = buf.subarray(pos);
            return undefined;
          }
          const line = buf.toString('latin1', pos, eol);
          const semi = line.indexOf(';');
          const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new ResponseParseError(`bad chunk size ${JSON.stringify(line.slice(0, 40))}`);
          this.remaining = parseInt(hex, 16);
          pos = eol + 2;
          this.phase = this.remaining === 0 ? Phase.Trailers : Phase.ChunkData;
          break;
        }
        case Phase.ChunkDataEnd: {
          if (buf.length - pos < 2) {
            this.pending = buf.subarray(pos);
            return undefined;
          }
          if (buf[pos] !== 13 || buf[pos + 1] !== 10) throw new ResponseParseError('chunk data not followed by CRLF');
          pos += 2;
          this.phase = Phase.ChunkSize;
          break;
        }
        case Phase.Trailers: {
          // Trailer fields are hop-by-hop for this proxy (it sends no `TE: trailers`): read and dropped.
          const eol = buf.indexOf(CRLF, pos);
          if (eol < 0) {
            if (buf.length - pos > MAX_HEAD_BYTES) throw new ResponseParseError('trailers too long');
            this.pending = buf.subarray(pos);
            return undefined;
          }
          this.phase = eol === pos ? Phase.Done : Phase.Trailers;
          pos = eol + 2;
          break;
        }
        case Phase.Close:
          this.sink.data(pos === 0 ? buf : buf.subarray(pos));
          pos = buf.length;
          break;
        case Phase.Done:
          this.sink.end();
          return buf.subarray(pos);
      }
    }
    return undefined;
  }

  /** The connection ended: completes a close-delimited body; throws when the response was cut short. */
  close(): void {
    if (this.phase === Phase.Close) {
      this.phase = Phase.Done;
      this.sink.end();
      return;
    }
    if (this.phase !== Phase.Done) throw new ResponseParseError('upstream closed the connection before the response was complete');
  }
}
