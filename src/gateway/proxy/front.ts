/**
 * The client side of the proxy for the common case, on `node:net` sockets: request heads are
 * read by `readRequestHead`, requests without a body or with a `Content-Length` one are served
 * from here (the body as a stream with backpressure), and a connection whose next request is
 * anything else (a chunked body, an upgrade, `Expect`, HTTP/1.0, a malformed or very long
 * head) is handed whole to the `node:http` server, which serves it from then on as it did
 * every request before. Handing over happens at a request boundary, with no answer
 * outstanding, and the bytes already read are put back in front of the socket, so `node:http`
 * sees the connection exactly as the client sent it.
 *
 * This skips, per request, llhttp's callbacks into JavaScript, an `IncomingMessage` and a
 * `ServerResponse` with their stream machinery and header validation: the client-side half
 * of the cost that `raw-upstream.ts` removed on the upstream side.
 *
 * Pipelined requests (RFC 9112 section 9.3.2) are answered in order: the next head is read
 * only once the answer before it is complete; bytes that arrive meanwhile wait, and the socket
 * is paused when they pile up.
 */
import { STATUS_CODES, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { ProxyRequest, ProxyResponse } from './forward.js';
import { writeBatched } from './write-batch.js';
import { INCOMPLETE, UNUSUAL, readRequestHead, type RequestHead } from './request-head.js';

/** An idle connection (no request, or a partial head) is closed after this long, as `node:http`'s keepAliveTimeout was set. */
export const FRONT_IDLE_MS = 65_000;

/** A head still incomplete this long after its first byte is answered 408 (`node:http`'s headersTimeout, as it was set). */
export const FRONT_HEAD_MS = 60_000;

/** Bytes of pipelined requests held while an answer is in progress before the socket is paused. */
const MAX_QUEUED_BYTES = 64 * 1024;

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

/** What the front end needs from the server. */
export interface FrontOptions {
  /** The request path (`createProxy`). */
  readonly proxy: (req: ProxyRequest, res: ProxyResponse) => void;
  /** Gives a connection to `node:http` (its `connection` listener), which serves it from then on. */
  readonly handOver: (socket: Socket) => void;
  /** True once the gateway is shutting down: every answer then carries `connection: close`. */
  readonly draining: () => boolean;
}

/** The raw front end: give it accepted sockets. */
export interface Front {
  /** Serves a newly accepted client connection. */
  accept(socket: Socket): void;
  /** Closes connections with no answer in progress (shutdown); busy ones close after their answer. */
  closeIdle(): void;
  /** Closes every connection still served here. */
  closeAll(): void;
  /** Connections served here now (handed-over ones are `node:http`'s). */
  readonly size: number;
}

/** The answer to one request on a raw connection; the `ProxyResponse` the request path writes. */
class RawResponse implements ProxyResponse {
  headersSent = false;
  writableFinished = false;
  statusCode = 200;
  /** Send `connection: close` and close after this answer. */
  closeAfter: boolean;
  private head: string | undefined;
  private chunked = false;
  private noBody: boolean;
  private closed = false;
  private onClose: (() => void) | undefined;

  constructor(
    private readonly conn: FrontConnection,
    readonly request: RequestHead,
  ) {
    this.closeAfter = !request.keepAlive || conn.front.draining();
    this.noBody = request.method === 'HEAD';
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

  writeHeadLines(status: number, lines: string, headers: IncomingHttpHeaders): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.statusCode = status;
    let head = statusLine(status) + lines;
    if (headers.date === undefined) head += dateHeader();
    head += this.framing(status, headers['content-length'] !== undefined);
    this.head = head + '\r\n';
  }

  /** Decides how the body is framed; returns the lines that says so (and `connection: close` when closing). */
  private framing(status: number, hasLength: boolean): string {
    let out = '';
    if (status < 200 || status === 204 || status === 304) this.noBody = true;
    else if (!this.noBody && !hasLength) {
      // RFC 9112 6.1: an answer of unknown length to an HTTP/1.1 client is sent chunked.
      this.chunked = true;
      out = 'transfer-encoding: chunked\r\n';
    }
    // A request in flight when the shutdown began learns of it here.
    if (!this.closeAfter && this.conn.front.draining()) this.closeAfter = true;
    if (this.closeAfter) out += 'connection: close\r\n';
    return out;
  }

  write(chunk: Buffer): boolean {
    if (this.closed || this.writableFinished) return false;
    const s = this.conn.socket;
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
    if (chunk.length < COALESCE_BYTES) {
      // One write for head and body: a small answer leaves in one segment.
      const out = Buffer.allocUnsafe(head.length + chunk.length);
      out.write(head, 0, 'latin1');
      chunk.copy(out, head.length);
      return writeBatched(s, out);
    }
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
      if (out.length > 0) s.write(out, 'latin1');
    } else {
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
    this.conn.socket.write(head, 'latin1');
  }
}

/**
 * The body of a request served here: the next `Content-Length` bytes of the connection, as a
 * stream with backpressure (the socket is paused while the consumer does not read).
 */
class RequestBody extends Readable {
  constructor(private readonly conn: FrontConnection) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _read(): void {
    this.conn.bodyWanted();
  }
}

class FrontConnection {
  readonly front: FrontState;
  /** The body of the current request while some of it is still to come from the client. */
  private body: RequestBody | undefined;
  /** Bytes of that body not yet read from the socket. */
  private bodyLeft = 0;
  /** The socket is paused because the body's reader is not keeping up. */
  private bodyPaused = false;
  /** Bytes read and not yet consumed (a partial head, or pipelined requests). */
  private queued: Buffer | undefined;
  private current: RawResponse | undefined;
  private reading = false;
  /** No further request is read: the connection is closing or was handed over. */
  private done = false;
  private readonly onData = (d: Buffer): void => this.received(d);
  private readonly onError = (): void => {
    this.socket.destroy();
  };
  private readonly onClose = (): void => this.closed();
  /** The client closed its side. As `node:http` (httpAllowHalfOpen false), an answer in progress is cut and the connection closed. */
  private readonly onEnd = (): void => {
    this.done = true;
    if (this.current === undefined) this.socket.end();
    else this.socket.destroy();
  };
  private readonly onTimeout = (): void => {
    if (this.current === undefined) this.socket.destroy();
  };
  private readonly remoteAddress: string | undefined;
  /** `Date.now()` when the first byte of a head still incomplete arrived; 0 when none is pending. */
  private headSince = 0;

  constructor(
    readonly socket: Socket,
    front: FrontState,
  ) {
    this.front = front;
    this.remoteAddress = socket.remoteAddress;
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('end', this.onEnd);
    socket.on('timeout', this.onTimeout);
    socket.setTimeout(FRONT_IDLE_MS);
  }

  get idle(): boolean {
    return this.current === undefined && this.bodyLeft === 0;
  }

  private received(d: Buffer): void {
    this.queued = this.queued === undefined ? d : Buffer.concat([this.queued, d]);
    if (this.bodyLeft > 0) this.feedBody();
    if (this.current === undefined && this.bodyLeft === 0) this.serve();
    else if (this.queued !== undefined && this.queued.length > MAX_QUEUED_BYTES) this.socket.pause();
  }

  /** Moves queued bytes into the current request's body, pausing the socket when its reader is full. */
  private feedBody(): void {
    const body = this.body;
    const q = this.queued;
    if (body === undefined || q === undefined || this.bodyLeft === 0) return;
    const n = Math.min(this.bodyLeft, q.length);
    this.queued = n === q.length ? undefined : q.subarray(n);
    this.bodyLeft -= n;
    const more = body.push(n === q.length ? q : q.subarray(0, n));
    if (this.bodyLeft === 0) {
      this.body = undefined;
      body.push(null);
    } else if (!more && !this.bodyPaused) {
      this.bodyPaused = true;
      this.socket.pause();
    }
  }

  /** The body's reader wants more: feed what is queued, and read from the socket again. */
  bodyWanted(): void {
    this.feedBody();
    if (this.bodyPaused && !this.done) {
      this.bodyPaused = false;
      this.socket.resume();
    }
    if (this.bodyLeft === 0 && this.current === undefined) this.serve();
  }

  /** Reads and serves queued requests until one is in progress, the bytes run out, or the connection is handed over. */
  private serve(): void {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.current === undefined && this.bodyLeft === 0 && !this.done && this.queued !== undefined) {
        const buf = this.queued;
        const head = readRequestHead(buf, 0);
        if (head === INCOMPLETE) {
          this.headIncomplete();
          break;
        }
        this.headSince = 0;
        if (head === UNUSUAL) {
          this.handOver();
          return;
        }
        this.queued = head.length === buf.length ? undefined : buf.subarray(head.length);
        const res = new RawResponse(this, head);
        this.current = res;
        let body: RequestBody | undefined;
        if (head.contentLength > 0) {
          body = new RequestBody(this);
          this.body = body;
          this.bodyLeft = head.contentLength;
          this.feedBody();
        }
        this.front.proxy({ method: head.method, url: head.target, headers: head.headers, remoteAddress: this.remoteAddress, body }, res);
      }
    } finally {
      this.reading = false;
    }
    if (this.socket.isPaused() && !this.done && !this.bodyPaused && (this.queued === undefined || this.queued.length <= MAX_QUEUED_BYTES)) this.socket.resume();
  }

  /** Bounds the time a client may take to send a head, as `node:http`'s headersTimeout (slow-loris). */
  private headIncomplete(): void {
    const now = Date.now();
    if (this.headSince === 0) this.headSince = now;
    else if (now - this.headSince > FRONT_HEAD_MS) {
      this.done = true;
      this.queued = undefined;
      this.socket.end('HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: 27\r\nconnection: close\r\n\r\n{"error":"request-timeout"}');
    }
  }

  /** Called by the answer when it is complete or cut. */
  answered(res: RawResponse): void {
    if (this.current !== res) return;
    this.current = undefined;
    if (res.closeAfter || !res.writableFinished) {
      this.done = true;
      if (res.writableFinished) this.socket.end();
      return;
    }
    // Answered before its body was read (a 404, say): the rest of the body is read and dropped, as node:http does.
    if (this.body !== undefined) {
      this.body.resume();
      this.bodyWanted();
      return;
    }
    this.serve();
  }

  /** From now on `node:http` serves this connection, starting with the bytes not yet consumed. */
  private handOver(): void {
    this.done = true;
    this.front.connections.delete(this);
    const s = this.socket;
    s.off('data', this.onData);
    s.off('error', this.onError);
    s.off('close', this.onClose);
    s.off('end', this.onEnd);
    s.setTimeout(0);
    s.off('timeout', this.onTimeout);
    const rest = this.queued;
    this.queued = undefined;
    s.resume();
    this.front.handOver(s);
    if (rest !== undefined) s.unshift(rest);
  }

  private closed(): void {
    this.done = true;
    this.front.connections.delete(this);
    // A body cut short ends without 'end', so it is never taken for a whole one; the request
    // path then cuts the upstream request, as the answer closes unfinished.
    if (this.body !== undefined) this.body.destroy();
    this.current?.finish();
  }
}

interface FrontState extends FrontOptions {
  readonly connections: Set<FrontConnection>;
}

/** A raw front end over `proxy`, handing unusual connections to `handOver`. */
export function createFront(opts: FrontOptions): Front {
  const state: FrontState = { ...opts, connections: new Set() };
  return {
    accept(socket) {
      state.connections.add(new FrontConnection(socket, state));
    },
    closeIdle() {
      for (const c of state.connections) if (c.idle) c.socket.destroy();
    },
    closeAll() {
      for (const c of state.connections) c.socket.destroy();
    },
    get size() {
      return state.connections.size;
    },
  };
}
