/**
 * The client side of the proxy, on `node:net` sockets. Every request head is read by the strict
 * `readRequestHead` (`request-head.ts`), which decides the framing; bodies (a `Content-Length`
 * one, or a chunked one decoded by `ChunkedDecoder`) are read here, whatever the method, as a
 * stream with backpressure. A request refused for its framing or its head is answered with its
 * status and the connection closed: after a framing doubt, no further byte of it is read as a
 * request. Only an upgrade (`Connection: upgrade` + `Upgrade`, no body) is handed whole to the
 * `node:http` server, whose `upgrade` listener relays it; once upgraded, the connection carries
 * no more HTTP. Handing over happens at a request boundary, with no answer outstanding, and the
 * bytes already read are put back in front of the socket.
 *
 * This skips, per request, llhttp's callbacks into JavaScript, an `IncomingMessage` and a
 * `ServerResponse` with their stream machinery and header validation: the client-side half
 * of the cost that `raw-upstream.ts` removed on the upstream side.
 *
 * Pipelined requests (RFC 9112 section 9.3.2) are answered in order: the next head is read
 * only once the answer before it is complete and its body read; bytes that arrive meanwhile
 * wait, and the socket is paused when they pile up.
 */
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { ProxyRequest, ProxyResponse } from './forward.js';
import { RawResponse, type ResponseOwner } from './front-response.js';
import { deferFlush } from './write-batch.js';
import { INCOMPLETE, readRequestHead } from './request-head.js';
import { ChunkedDecoder } from './chunked-body.js';
import { GatewayError } from '../errors.js';
import { sendErrorOnSocket } from './respond.js';

/** An idle connection (no request, or a partial head) is closed after this long, as `node:http`'s keepAliveTimeout was set. */
export const FRONT_IDLE_MS = 65_000;

/** A head still incomplete this long after its first byte is answered 408 (`node:http`'s headersTimeout, as it was set). */
export const FRONT_HEAD_MS = 60_000;

/** An LF without CR before it. */
const BARE_LF = /(?:^|[^\r])\n/;

const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/** Bytes of pipelined requests held while an answer is in progress before the socket is paused. */
const MAX_QUEUED_BYTES = 64 * 1024;

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

/**
 * The body of a request served here: the next `Content-Length` bytes of the connection, or its
 * decoded chunks, as a stream with backpressure (the socket is paused while the consumer does
 * not read). A body whose framing turns out wrong is destroyed with the `GatewayError` to answer.
 */
class RequestBody extends Readable {
  constructor(private readonly conn: FrontConnection) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _read(): void {
    this.conn.bodyWanted();
  }
}

class FrontConnection implements ResponseOwner {
  readonly front: FrontState;
  /** The body of the current request while some of it is still to come from the client. */
  private body: RequestBody | undefined;
  /** The current request's body is still being read from the socket. */
  private inBody = false;
  /** Bytes of a `Content-Length` body not yet read from the socket. */
  private bodyLeft = 0;
  /** The decoder of a chunked body being read. */
  private decoder: ChunkedDecoder | undefined;
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
    if (this.current === undefined) {
      this.flushDeferred();
      this.socket.end();
    } else this.socket.destroy();
  };
  private readonly onTimeout = (): void => {
    if (this.current === undefined) this.socket.destroy();
  };
  private readonly remoteAddress: string | undefined;
  /** Bytes of answers held for the end of the turn (`write-batch.ts`). */
  private out: Buffer | undefined;
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
    return this.current === undefined && !this.inBody && this.out === undefined;
  }

  deferWrite(data: Buffer): void {
    if (this.out === undefined) {
      this.out = data;
      deferFlush(this);
    } else this.out = Buffer.concat([this.out, data]);
  }

  flushDeferred(): void {
    const out = this.out;
    if (out === undefined) return;
    this.out = undefined;
    if (!this.socket.destroyed) this.socket.write(out);
  }

  private received(d: Buffer): void {
    // Closing (a refused request, a failed body, `connection: close`): what else comes is never read.
    if (this.done) return;
    this.queued = this.queued === undefined ? d : Buffer.concat([this.queued, d]);
    if (this.inBody) this.feedBody();
    if (this.current === undefined && !this.inBody) this.serve();
    else if (this.queued !== undefined && this.queued.length > MAX_QUEUED_BYTES) this.socket.pause();
  }

  /** Moves queued bytes into the current request's body, pausing the socket when its reader is full. */
  private feedBody(): void {
    const body = this.body;
    const q = this.queued;
    if (body === undefined || q === undefined || !this.inBody) return;
    let more = true;
    if (this.decoder === undefined) {
      const n = Math.min(this.bodyLeft, q.length);
      this.queued = n === q.length ? undefined : q.subarray(n);
      this.bodyLeft -= n;
      more = body.push(n === q.length ? q : q.subarray(0, n));
      if (this.bodyLeft === 0) this.bodyDone(body);
    } else {
      const used = this.decoder.decode(q, 0, (data) => {
        if (!body.push(data)) more = false;
      });
      if (used instanceof GatewayError) {
        this.bodyFailed(body, used);
        return;
      }
      this.queued = used === q.length ? undefined : q.subarray(used);
      if (this.decoder.done) this.bodyDone(body);
    }
    if (this.inBody && !more && !this.bodyPaused) {
      this.bodyPaused = true;
      this.socket.pause();
    }
  }

  private bodyDone(body: RequestBody): void {
    this.inBody = false;
    this.body = undefined;
    this.decoder = undefined;
    body.push(null);
  }

  /**
   * The body's framing is wrong: nothing more is read from this connection. The request path
   * answers the error (400) and closes, or, when its answer is already complete, the connection
   * is closed now.
   */
  private bodyFailed(body: RequestBody, e: GatewayError): void {
    this.inBody = false;
    this.body = undefined;
    this.decoder = undefined;
    this.done = true;
    this.queued = undefined;
    body.destroy(e);
    if (this.current === undefined) {
      this.flushDeferred();
      this.socket.end();
    }
  }

  /** The body's reader wants more: feed what is queued, and read from the socket again. */
  bodyWanted(): void {
    this.feedBody();
    if (this.bodyPaused && !this.done) {
      this.bodyPaused = false;
      this.socket.resume();
    }
    if (!this.inBody && this.current === undefined) this.serve();
  }

  /** Reads and serves queued requests until one is in progress, the bytes run out, or the connection is refused or handed over. */
  private serve(): void {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.current === undefined && !this.inBody && !this.done && this.queued !== undefined) {
        const buf = this.queued;
        const head = readRequestHead(buf, 0);
        if (head === INCOMPLETE) {
          this.headIncomplete();
          break;
        }
        this.headSince = 0;
        if (head instanceof GatewayError) {
          this.refuse(head);
          return;
        }
        if (head.upgrade) {
          this.handOver(head.length);
          return;
        }
        this.queued = head.length === buf.length ? undefined : buf.subarray(head.length);
        const res = new RawResponse(this, head);
        this.current = res;
        let body: RequestBody | undefined;
        if (head.contentLength > 0 || head.chunked) {
          body = new RequestBody(this);
          this.body = body;
          this.inBody = true;
          this.bodyLeft = head.contentLength;
          this.decoder = head.chunked ? new ChunkedDecoder() : undefined;
          // RFC 9110 10.1.1: the client waits for this before it sends the body.
          if (head.expectContinue && !head.http10) this.deferWrite(CONTINUE);
          this.feedBody();
        }
        this.front.proxy({ method: head.method, url: head.target, headers: head.headers, remoteAddress: this.remoteAddress, body }, res);
      }
    } finally {
      this.reading = false;
    }
    if (this.socket.isPaused() && !this.done && !this.bodyPaused && (this.queued === undefined || this.queued.length <= MAX_QUEUED_BYTES)) this.socket.resume();
  }

  /** Answers a request refused for its head (`readRequestHead`) and closes: nothing after it is read. */
  private refuse(e: GatewayError): void {
    this.done = true;
    this.queued = undefined;
    this.flushDeferred();
    sendErrorOnSocket(this.socket, e);
  }

  /** Bounds the time a client may take to send a head, as `node:http`'s headersTimeout (slow-loris). */
  private headIncomplete(): void {
    const now = Date.now();
    if (this.headSince === 0) this.headSince = now;
    else if (now - this.headSince > FRONT_HEAD_MS) {
      this.done = true;
      this.queued = undefined;
      this.flushDeferred();
      this.socket.end('HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: 27\r\nconnection: close\r\n\r\n{"error":"request-timeout"}');
    }
  }

  draining(): boolean {
    return this.front.draining();
  }

  /** Called by the answer when it is complete or cut. */
  answered(res: RawResponse): void {
    if (this.current !== res) return;
    this.current = undefined;
    // `done`: the body's framing failed while the answer was being written; nothing more is read.
    if (res.closeAfter || !res.writableFinished || this.done) {
      this.done = true;
      if (res.writableFinished) {
        this.flushDeferred();
        this.socket.end();
      }
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

  /**
   * From now on `node:http` serves this connection, starting with the bytes not yet consumed,
   * whose first `headLength` are the upgrade request's head. llhttp wants CRLF line ends, so a
   * head read with bare LFs is given to it with CRLFs (it holds no bare CR: `readRequestHead`).
   */
  private handOver(headLength: number): void {
    this.done = true;
    this.front.connections.delete(this);
    const s = this.socket;
    s.off('data', this.onData);
    s.off('error', this.onError);
    s.off('close', this.onClose);
    s.off('end', this.onEnd);
    s.setTimeout(0);
    s.off('timeout', this.onTimeout);
    let rest = this.queued;
    this.queued = undefined;
    if (rest !== undefined) {
      const head = rest.toString('latin1', 0, headLength);
      if (BARE_LF.test(head)) rest = Buffer.concat([Buffer.from(head.replace(/\r?\n/g, '\r\n'), 'latin1'), rest.subarray(headLength)]);
    }
    this.flushDeferred();
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
      for (const c of state.connections) {
        c.flushDeferred();
        c.socket.destroy();
      }
    },
    get size() {
      return state.connections.size;
    },
  };
}
