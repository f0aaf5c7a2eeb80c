/**
 * An embedded (PGlite) database served over the PostgreSQL wire protocol on a local port, so
 * that the processes `baton up` starts can use the database whose schema the controller
 * migrates, with any PostgreSQL client.
 *
 * PGlite is one PostgreSQL backend: one session. Every client connection, and every in-process
 * session from {@link ServedPglite.session}, takes turns on it through one lane. A connection
 * takes the lane with its first message and keeps it until the backend is ready for a query
 * outside a transaction (ReadyForQuery, status `I`) and the connection has nothing more
 * buffered. Inside a transaction, a Parse/Bind/Execute batch not yet synced, or a COPY, it
 * keeps the lane, so statements of two clients never mix inside one transaction or one batch
 * (the multiplexer of `@electric-sql/pglite-socket` 0.2 queues single messages, and under
 * concurrent parameterised queries one client's Bind met another's Parse: "portal "" cannot be
 * run"). A client that disconnects while holding the lane has its batch synced and its
 * transaction rolled back. What stays shared, because it is one session: settings made with
 * SET, prepared statement names, temporary tables, advisory locks.
 *
 * PGlite runs each message on the controller's thread and does not survive every input: a
 * message type it does not know made it loop forever, and `COPY ... FROM STDIN` ended its
 * WebAssembly program. So only the message types of simple and extended queries pass; anything
 * else, and COPY FROM STDIN, gets an ErrorResponse and the connection is closed. Should PGlite
 * still fail, the database is marked broken and closed to every client.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { pgliteSession } from './pglite-session.js';
import type { SqlSession } from './session.js';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const READY_FOR_QUERY = 0x5a; // 'Z'
const TERMINATE = 0x58; // 'X'
const IDLE = 0x49; // 'I'
/** A message longer than this is a broken client, not a query. */
const MAX_MESSAGE = 256 * 1024 * 1024;
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);
/** Query, Parse, Bind, Execute, Describe, Close, Flush, Sync, FunctionCall. */
const PASSED = new Set([...'QPBEDCHSF'].map((c) => c.charCodeAt(0)));
const COPY_FROM_STDIN = /\bcopy\b[\s\S]*\bfrom\s+stdin\b/i;

/** An ErrorResponse: severity ERROR, SQLSTATE `code`, `message`. */
function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.from(`SERROR\0VERROR\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head[0] = 0x45; // 'E'
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

/** The SQL of a Query or Parse message, else undefined. */
function sqlOf(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + 5, bytes.length - 5).toString('utf8');
  if (bytes[0] === 0x51) return text.split('\0')[0]; // 'Q': the query
  if (bytes[0] === 0x50) return text.split('\0')[1]; // 'P': name, then the query
  return undefined;
}

/** Thrown to a turn that was waiting when its connection or session closed. */
class Cancelled extends Error {}

export interface ServedPglite {
  readonly host: string;
  readonly port: number;
  /** `postgres://postgres@HOST:PORT/postgres`. */
  readonly url: string;
  /** An in-process session that takes its turns on the lane like a connection (no socket). */
  session(): SqlSession;
  /** Turns waiting for the backend now (connections and sessions queued behind its holder). */
  waiting(): number;
  /** Stops listening and closes every connection; the PGlite stays open (its owner closes it). */
  close(): Promise<void>;
}

export interface ServePgliteOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  log?: (line: string) => void;
}

type Owner = object;

/** One backend, one holder at a time, granted in arrival order. */
class Lane {
  private holder: Owner | undefined;
  private waiting: { owner: Owner; grant: () => void; cancel: () => void }[] = [];

  acquire(owner: Owner): Promise<void> {
    if (this.holder === owner) return Promise.resolve();
    if (this.holder === undefined) {
      this.holder = owner;
      return Promise.resolve();
    }
    return new Promise((grant, reject) => this.waiting.push({ owner, grant, cancel: () => reject(new Cancelled('closed while waiting for the database')) }));
  }

  /** Takes `owner` out of the queue (its wait rejects with {@link Cancelled}). */
  cancel(owner: Owner): void {
    const gone = this.waiting.filter((w) => w.owner === owner);
    this.waiting = this.waiting.filter((w) => w.owner !== owner);
    for (const w of gone) w.cancel();
  }

  waitingCount(): number {
    return this.waiting.length;
  }

  holds(owner: Owner): boolean {
    return this.holder === owner;
  }

  release(owner: Owner): void {
    if (this.holder !== owner) return;
    const next = this.waiting.shift();
    this.holder = next?.owner;
    next?.grant();
  }
}

/** Follows the backend's answer frame by frame and remembers the status of the last ReadyForQuery. */
export class ReadyScanner {
  private readonly head = Buffer.alloc(5);
  private headLen = 0;
  private type = 0;
  private bodyLeft = 0;
  private bodyPos = 0;
  /** Set when a ReadyForQuery has been seen since the last {@link expect}. */
  ready = true;
  status = IDLE;

  expect(): void {
    this.ready = false;
  }

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft === 0) {
        this.head[this.headLen++] = chunk[i++]!;
        if (this.headLen === 5) {
          this.headLen = 0;
          this.type = this.head[0]!;
          this.bodyLeft = this.head.readInt32BE(1) - 4;
          this.bodyPos = 0;
          if (this.bodyLeft <= 0) this.bodyLeft = 0;
        }
        continue;
      }
      const n = Math.min(this.bodyLeft, chunk.length - i);
      if (this.type === READY_FOR_QUERY && this.bodyPos === 0) {
        this.status = chunk[i]!;
        this.ready = true;
      }
      i += n;
      this.bodyLeft -= n;
      this.bodyPos += n;
    }
  }
}

type Incoming =
  | { kind: 'message'; bytes: Uint8Array }
  | { kind: 'ssl' }
  | { kind: 'cancel' }
  | { kind: 'terminate' }
  | { kind: 'broken'; why: string }
  | { kind: 'refused'; code: string; why: string };

/** Serves `db` on `host:port` until close(). */
export async function servePglite(db: PGlite, options: ServePgliteOptions = {}): Promise<ServedPglite> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const lane = new Lane();
  const sockets = new Set<Socket>();
  let broken: string | undefined;
  await db.waitReady;

  /** PGlite threw: nothing more goes to it; every client is disconnected, in-process sessions get the reason. */
  function breakDown(e: unknown): void {
    if (broken !== undefined) return;
    broken = e instanceof Error ? e.message : String(e);
    log(`embedded database: PGlite failed (${broken}); it serves no more connections until the controller restarts`);
    server.close();
    for (const s of sockets) s.destroy();
  }

  /** Ends whatever the owner left open: an unsynced batch, a transaction. */
  async function abandon(owner: Owner, batchOpen: boolean): Promise<void> {
    lane.cancel(owner);
    if (!lane.holds(owner)) return;
    try {
      if (broken !== undefined) return;
      if (batchOpen) await db.runExclusive(() => db.execProtocolRaw(SYNC, {}));
      if (db.isInTransaction()) await db.exec('ROLLBACK');
    } catch (e) {
      log(`embedded database: could not clean up after a closed connection: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      lane.release(owner);
    }
  }

  function serve(socket: Socket): void {
    sockets.add(socket);
    const owner: Owner = {};
    const scanner = new ReadyScanner();
    let buf: Buffer = Buffer.alloc(0);
    // Chunks not yet joined to `buf`: a large message is joined once, when it is complete.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const have = (n: number): boolean => {
      if (buf.length >= n) return true;
      if (buf.length + pendingBytes < n) return false;
      buf = Buffer.concat([buf, ...pending]);
      pending = [];
      pendingBytes = 0;
      return true;
    };
    let started = false;
    let busy = false;
    let closed = false;
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      void abandon(owner, !scanner.ready);
    };

    const next = (): Incoming | undefined => {
      if (!started) {
        if (!have(8)) return undefined;
        const len = buf.readInt32BE(0);
        const code = buf.readInt32BE(4);
        if (len < 8 || len > 10_000) return { kind: 'broken', why: `a startup packet of ${len} bytes` };
        if (!have(len)) return undefined;
        const bytes = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) return { kind: 'ssl' };
        if (code === CANCEL_REQUEST) return { kind: 'cancel' };
        started = true;
        return { kind: 'message', bytes };
      }
      if (!have(5)) return undefined;
      const total = 1 + buf.readInt32BE(1);
      if (total < 5 || total > MAX_MESSAGE) return { kind: 'broken', why: `a message of ${total} bytes` };
      if (!have(total)) return undefined;
      const bytes = buf.subarray(0, total);
      buf = buf.subarray(total);
      if (bytes[0] === TERMINATE) return { kind: 'terminate' };
      if (!PASSED.has(bytes[0]!)) return { kind: 'refused', code: '08P01', why: `message type '${String.fromCharCode(bytes[0]!)}' is not supported by the embedded database` };
      if (COPY_FROM_STDIN.test(sqlOf(bytes) ?? '')) return { kind: 'refused', code: '0A000', why: 'COPY FROM STDIN is not supported by the embedded database (use INSERT)' };
      return { kind: 'message', bytes };
    };

    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        for (let m = next(); m !== undefined && !closed; m = next()) {
          if (m.kind === 'ssl') {
            socket.write('N');
            continue;
          }
          if (m.kind === 'cancel') {
            // PGlite has no second backend to signal; the client only expects the connection to close.
            socket.destroy();
            break;
          }
          if (m.kind === 'terminate' || m.kind === 'broken') {
            if (m.kind === 'broken') log(`embedded database: closing a connection that sent ${m.why}`);
            socket.destroy();
            break;
          }
          if (m.kind === 'refused') {
            log(`embedded database: closing a connection: ${m.why}`);
            socket.end(errorResponse(m.code, m.why));
            closed = true;
            break;
          }
          await lane.acquire(owner);
          if (closed || broken !== undefined) break;
          scanner.expect();
          const bytes = new Uint8Array(m.bytes);
          try {
            await db.runExclusive(() =>
              db.execProtocolRawStream(bytes, {
                onRawData: (chunk: Uint8Array) => {
                  scanner.feed(chunk);
                  if (!socket.destroyed) socket.write(chunk);
                },
              }),
            );
          } catch (e) {
            breakDown(e);
            break;
          }
          // A startup packet, a simple query or a Sync end with ReadyForQuery; a Parse, Bind or
          // COPY data does not, and keeps the lane until the Sync or the end of the COPY.
          if (buf.length === 0 && pendingBytes === 0 && scanner.ready && scanner.status === IDLE) lane.release(owner);
        }
      } catch (e) {
        if (!(e instanceof Cancelled)) log(`embedded database: a connection failed: ${e instanceof Error ? e.message : String(e)}`);
        socket.destroy();
      } finally {
        busy = false;
        if (closed) finish();
      }
    };

    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      pending.push(d);
      pendingBytes += d.length;
      void pump();
    });
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      closed = true;
      sockets.delete(socket);
      // A turn still waiting for the lane is dropped; the pump then finishes.
      lane.cancel(owner);
      if (!busy) finish();
    });
  }

  const server: Server = createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    host,
    port,
    url: `postgres://postgres@${host}:${port}/postgres`,
    waiting: () => lane.waitingCount(),
    session(): SqlSession {
      const owner: Owner = {};
      const inner = pgliteSession(db, false);
      let closedSession = false;
      return {
        async query(text, params) {
          if (closedSession) throw new Error('the session is closed');
          if (broken !== undefined) throw new Error(`the embedded database failed earlier (${broken}); restart baton up`);
          await lane.acquire(owner);
          if (closedSession) {
            lane.release(owner);
            throw new Cancelled('the session was closed while its query waited');
          }
          try {
            return await inner.query(text, params);
          } finally {
            // A transaction keeps the lane until its COMMIT or ROLLBACK.
            if (!db.isInTransaction()) lane.release(owner);
          }
        },
        close: () => {
          closedSession = true;
          return abandon(owner, false);
        },
      };
    },
    async close() {
      const closedServer = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closedServer;
    },
  };
}
