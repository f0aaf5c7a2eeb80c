/**
 * The answer to one request on a raw front-end connection (`front.ts`): the `ProxyResponse`
 * the request path writes. It frames the body as `ServerResponse` would (RFC 9112 6.1: the
 * length given, else chunked; none for HEAD, 1xx, 204 and 304), adds `date` when absent, and
 * writes a small answer's head and body in one write, sent with the event-loop turn's batch.
 */
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { ProxyResponse } from './forward.js';
import type { RequestHead } from './request-head.js';

/** The connection an answer is written on. */
export interface ResponseOwner {
  readonly socket: Socket;
  /** Holds `data` to be written at the end of the event-loop turn (`write-batch.ts`). */
  deferWrite(data: Buffer): void;
  /** Writes held bytes now; done before any other write, so bytes leave in order. */
  flushDeferred(): void;
  /** True once the gateway is shutting down. */
  draining(): boolean;
  /** The answer is complete, or the connection went away. */
  answered(res: RawResponse): void;
}

/** Bodies below this size are copied behind the head into one write; larger ones are written after it. */
const COALESCE_BYTES = 16 * 1024;

const statusLines: string[] = [];
function statusLine(status: number): string {
  let line = statusLines[status];
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    if (status >= 100 && status < 600) statusLines[status] = line;
  }
  return line;
}

let dateSecond = -1;
let dateLine = '';
/** `date: <IMF-fixdate>\r\n` (RFC 9110 6.6.1), rebuilt once a second as Node's `utcDate` is. */
function dateHeader(): string {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateLine = `date: ${new Date(now).toUTCString()}\r\n`;
  }
  return dateLine;
}

/** The answer to one request on a raw connection; the `ProxyResponse` the request path writes. */
export class RawResponse implements ProxyResponse {
  headersSent = false;
  writableFinished = false;
  statusCode = 200;
  /** Send `connection: close` and close after this answer. */
  closeAfter: boolean;
  private head: string | undefined;
  private chunked = false;
  private noBody: boolean;
  /** The request was HTTP/1.0: no chunked answer, and `connection: keep-alive` when the connection stays. */
  private readonly http10: boolean;
  private closed = false;
  private onClose: (() => void) | undefined;

  constructor(
    private readonly conn: ResponseOwner,
    request: RequestHead,
  ) {
    this.closeAfter = !request.keepAlive || conn.draining();
    this.noBody = request.method === 'HEAD';
    this.http10 = request.http10;
  }

  setHeader(): void {
    // The request path sets only `connection: close` (shutdown).
    this.closeAfter = true;
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.statusCode = status;
    let head = statusLine(status);
    let hasDate = false;
    for (const k in headers) {
      const v = headers[k];
      if (v === undefined) continue;
      if (k === 'connection') {
        // The request path asks to close after an answer whose request body was not read (413).
        if (v === 'close') this.closeAfter = true;
        continue;
      }
      if (k === 'date') hasDate = true;
      if (Array.isArray(v)) for (const x of v) head += `${k}: ${x}\r\n`;
      else head += `${k}: ${v}\r\n`;
    }
    if (!hasDate) head += dateHeader();
    head += this.framing(status, headers['content-length'] !== undefined);
    this.head = head + '\r\n';
  }

  writeHeadLines(status: number, lines: string, hasDate: boolean, hasLength: boolean): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.statusCode = status;
    let head = statusLine(status) + lines;
    if (!hasDate) head += dateHeader();
    head += this.framing(status, hasLength);
    this.head = head + '\r\n';
  }

  /** Decides how the body is framed; returns the lines that says so (and `connection: close` when closing). */
  private framing(status: number, hasLength: boolean): string {
    let out = '';
    if (status < 200 || status === 204 || status === 304) this.noBody = true;
    else if (!this.noBody && !hasLength) {
      // RFC 9112 6.1: an answer of unknown length to an HTTP/1.1 client is sent chunked; an
      // HTTP/1.0 client knows no chunked coding, so its answer ends with the connection (6.3).
      if (this.http10) this.closeAfter = true;
      else {
        this.chunked = true;
        out = 'transfer-encoding: chunked\r\n';
      }
    }
    // A request in flight when the shutdown began learns of it here.
    if (!this.closeAfter && this.conn.draining()) this.closeAfter = true;
    if (this.closeAfter) out += 'connection: close\r\n';
    else if (this.http10) out += 'connection: keep-alive\r\n';
    return out;
  }

  write(chunk: Buffer): boolean {
    if (this.closed || this.writableFinished) return false;
    const s = this.conn.socket;
    if (this.head !== undefined && !this.noBody && !this.chunked && chunk.length > 0 && chunk.length < COALESCE_BYTES) {
      // One write for head and body, sent with the turn's batch: a small answer leaves in one segment.
      const head = this.head;
      this.head = undefined;
      const out = Buffer.allocUnsafe(head.length + chunk.length);
      out.write(head, 0, 'latin1');
      chunk.copy(out, head.length);
      this.conn.deferWrite(out);
      return !s.writableNeedDrain;
    }
    this.conn.flushDeferred();
    if (this.noBody || chunk.length === 0) {
      if (this.head !== undefined) this.flushHead();
      return !s.writableNeedDrain;
    }
    if (this.chunked) {
      s.cork();
      if (this.head !== undefined) this.flushHead();
      s.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      s.write(chunk);
      const ok = s.write('\r\n', 'latin1');
      s.uncork();
      return ok;
    }
    const head = this.head;
    if (head === undefined) return s.write(chunk);
    this.head = undefined;
    s.cork();
    s.write(head, 'latin1');
    const ok = s.write(chunk);
    s.uncork();
    return ok;
  }

  end(body?: string): void {
    if (this.closed || this.writableFinished) return;
    if (!this.headersSent) this.writeHead(this.statusCode, {});
    const s = this.conn.socket;
    let out = this.head ?? '';
    this.head = undefined;
    if (body !== undefined && body.length === 0) body = undefined;
    if (this.chunked && (body === undefined || this.noBody)) out += '0\r\n\r\n';
    if (body === undefined || this.noBody) {
      if (out.length > 0) {
        this.conn.flushDeferred();
        s.write(out, 'latin1');
      }
    } else {
      this.conn.flushDeferred();
      // The head is latin1 (header bytes as read), the body text is UTF-8 (as `ServerResponse.end`).
      const b = Buffer.byteLength(body);
      s.cork();
      if (this.chunked) out += `${b.toString(16)}\r\n`;
      if (out.length > 0) s.write(out, 'latin1');
      s.write(body, 'utf8');
      if (this.chunked) s.write('\r\n0\r\n\r\n', 'latin1');
      s.uncork();
    }
    this.writableFinished = true;
    this.finish();
  }

  destroy(): void {
    this.conn.socket.destroy();
  }

  once(event: 'close' | 'drain', listener: () => void): void {
    if (event === 'drain') this.conn.socket.once('drain', listener);
    else this.onClose = listener;
  }

  /** The answer is complete, or the connection went away: fires `close` once. */
  finish(): void {
    if (this.closed) return;
    this.closed = true;
    const fn = this.onClose;
    this.onClose = undefined;
    if (fn !== undefined) fn();
    this.conn.answered(this);
  }

  private flushHead(): void {
    const head = this.head as string;
    this.head = undefined;
    this.conn.flushDeferred();
    this.conn.socket.write(head, 'latin1');
  }
}
