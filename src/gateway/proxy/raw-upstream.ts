/**
 * The upstream side of a request without a body, over a pooled `node:net` socket: the request
 * head is written in one write, the response is read with `ResponseReader`, and the socket goes
 * back to its endpoint's pool when the response was framed (Content-Length or chunked) and the
 * upstream did not ask to close. This skips `http.ClientRequest`, its Agent and its parser,
 * which profiling showed to be a large part of the per-request cost; requests with a body, and
 * upgrades, keep the `node:http` client.
 */
import { connect, type Socket } from 'node:net';
import { IDLE_SOCKET_MS, type Endpoint, type IdleConnection } from './endpoints.js';
import { deferFlush, type Deferred } from './write-batch.js';
import { ResponseReader, type ResponseHead, type ResponseSink } from './http1-response.js';

/** At most this many idle connections are kept per endpoint (as the Agent's `maxFreeSockets`). */
export const MAX_IDLE_PER_ENDPOINT = 1024;

/** What an exchange tells the request path. Exactly one of `onEnd`/`onError` ends it, then `onClose`. */
export interface ExchangeHandlers {
  onHead(head: ResponseHead): void;
  /** Body bytes (chunked framing removed); return false to pause the upstream until `resume()`. */
  onData(chunk: Buffer): boolean;
  onEnd(): void;
  /**
   * The exchange failed. `connected`: the connection was open (a new one connected, or a
   * reused one); `reused`: it came from the pool; `responded`: the response head had arrived.
   */
  onError(err: NodeJS.ErrnoException, info: { connected: boolean; reused: boolean; responded: boolean }): void;
  /** Once, after `onEnd` or `onError`. */
  onClose(): void;
}

/** A request in progress on an upstream connection. */
export interface Exchange {
  /** Cuts the exchange (route timeout, client gone); `onError` then gets `err` or a hang-up. */
  abort(err?: Error): void;
  /** Reads on after `onData` returned false. */
  resume(): void;
}

function hangUp(): NodeJS.ErrnoException {
  const e = new Error('socket hang up') as NodeJS.ErrnoException;
  e.code = 'ECONNRESET';
  return e;
}

class ActiveExchange implements Exchange, ResponseSink {
  readonly reader: ResponseReader;
  responded = false;
  keepAlive = false;

  constructor(
    readonly conn: UpstreamConnection,
    readonly handlers: ExchangeHandlers,
    readonly reused: boolean,
    isHead: boolean,
  ) {
    this.reader = new ResponseReader(this, isHead);
  }

  head(h: ResponseHead): void {
    this.responded = true;
    this.keepAlive = h.keepAlive;
    this.handlers.onHead(h);
  }

  data(chunk: Buffer): void {
    if (chunk.length > 0 && !this.handlers.onData(chunk)) this.conn.socket.pause();
  }

  end(): void {
    this.handlers.onEnd();
  }

  abort(err?: Error): void {
    if (this.conn.active === this) this.conn.fail(err ?? hangUp());
  }

  resume(): void {
    if (this.conn.active === this) this.conn.socket.resume();
  }
}

class UpstreamConnection implements IdleConnection, Deferred {
  readonly socket: Socket;
  connected = false;
  active: ActiveExchange | undefined;
  /** The request head, sent at the end of the turn (`write-batch.ts`). */
  private out: string | undefined;

  constructor(readonly ep: Endpoint) {
    const s = connect({ host: ep.host, port: ep.port, noDelay: true });
    this.socket = s;
    s.once('connect', () => {
      this.connected = true;
    });
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('error', (e: NodeJS.ErrnoException) => this.fail(e));
    s.on('close', () => this.onClose());
    // Idle pooled sockets are closed before a Node upstream's default 5 s keep-alive timeout
    // would close them under a request. A busy socket is left alone: the route timeout rules it.
    s.setTimeout(IDLE_SOCKET_MS, () => {
      if (this.active === undefined) s.destroy();
    });
  }

  start(ex: ActiveExchange, head: string): void {
    this.active = ex;
    if (this.out === undefined) {
      this.out = head;
      deferFlush(this);
    } else this.out += head;
  }

  flushDeferred(): void {
    const out = this.out;
    if (out === undefined) return;
    this.out = undefined;
    if (!this.socket.destroyed) this.socket.write(out, 'latin1');
  }

  private onData(d: Buffer): void {
    const ex = this.active;
    if (ex === undefined) {
      // Bytes on an idle connection answer no request: the connection cannot be trusted.
      this.socket.destroy();
      return;
    }
    let rest: Buffer | undefined;
    try {
      rest = ex.reader.push(d);
    } catch (e) {
      this.fail(e as NodeJS.ErrnoException);
      return;
    }
    if (rest === undefined || this.active !== ex) return;
    this.active = undefined;
    const reusable = ex.keepAlive && rest.length === 0 && this.ep.inConfig && !this.socket.destroyed;
    if (reusable && this.ep.idle.length < MAX_IDLE_PER_ENDPOINT) {
      if (this.socket.isPaused()) this.socket.resume();
      this.ep.idle.push(this);
    } else this.socket.destroy();
    ex.handlers.onClose();
  }

  fail(err: NodeJS.ErrnoException): void {
    const ex = this.active;
    this.socket.destroy();
    if (ex === undefined) return;
    this.active = undefined;
    ex.handlers.onError(err, { connected: this.connected || ex.reused, reused: ex.reused, responded: ex.responded });
    ex.handlers.onClose();
  }

  private onClose(): void {
    const ex = this.active;
    if (ex === undefined) {
      const i = this.ep.idle.indexOf(this);
      if (i >= 0) this.ep.idle.splice(i, 1);
      return;
    }
    try {
      ex.reader.close();
    } catch {
      this.fail(hangUp());
      return;
    }
    // A close-delimited body ended with the connection.
    this.active = undefined;
    ex.handlers.onClose();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends `head` (a complete request head, no body) to `ep` on a pooled connection, or a new one when none is idle or `fresh`. */
export function sendRequest(ep: Endpoint, head: string, isHead: boolean, handlers: ExchangeHandlers, fresh = false): Exchange {
  let conn: UpstreamConnection | undefined;
  // LIFO: the most recently used connection is the least likely to have been closed by the upstream.
  for (let c = fresh ? undefined : ep.idle.pop(); c !== undefined; c = ep.idle.pop()) {
    if (c instanceof UpstreamConnection && !c.socket.destroyed) {
      conn = c;
      break;
    }
  }
  const reused = conn !== undefined;
  conn ??= new UpstreamConnection(ep);
  const ex = new ActiveExchange(conn, handlers, reused, isHead);
  conn.start(ex, head);
  return ex;
}
