/**
 * An embedded (PGlite) database served over the PostgreSQL wire protocol on a local port, so
 * that the processes `baton up` starts can use the database whose schema the controller
 * migrates, with any PostgreSQL client.
 *
 * Who may connect: user `postgres` with the server's password, checked with SCRAM-SHA-256
 * (pglite-scram.ts) before anything reaches PGlite; a wrong user or password gets PostgreSQL's
 * `28P01` and the connection is closed, a database other than `postgres` gets `3D000`.
 *
 * Where it runs: the PGlite runs in a thread of its own (pglite-thread.ts), so a long statement
 * holds up the other database clients, never the controller. A client's statement that runs
 * longer than the statement timeout is cancelled: the thread is ended and the data directory
 * reopened, and the client gets PostgreSQL's `57014` error. Its connection stays usable; if it
 * was in a transaction, that transaction is aborted (what it wrote is gone, and the backend
 * answers `25P02` until its ROLLBACK), as PostgreSQL does after any error in a transaction.
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
 * SET, prepared statement names, temporary tables, advisory locks (and a statement timeout's
 * reopening resets them).
 *
 * PGlite does not survive every input: a message type it does not know made it loop forever,
 * and `COPY ... FROM STDIN` ended its WebAssembly program. So only the message types of simple
 * and extended queries pass; anything else, and COPY FROM STDIN, gets an ErrorResponse and the
 * connection is closed. Should PGlite still fail, its thread reopens the database (as a
 * PostgreSQL server does after a backend crash): the connection whose message it was running
 * gets a FATAL `XX000` and is closed, the others go on. Only if it does not reopen is the
 * database marked broken and closed to every client.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { pgliteSession } from './pglite-session.js';
import { ScramExchange, ScramProtocolError, authenticationSasl, authenticationSaslContinue, authenticationSaslFinal, saslPayload, scramSecret } from './pglite-scram.js';
import { DatabaseThreadError, StatementTimeoutError, type PgliteThread } from './pglite-thread.js';
import {
  CANCEL_REQUEST, COPY_FROM_STDIN, Cancelled, ENDS_WITH_READY, FAILED_TRANSACTION, GSSENC_REQUEST, IDLE, IN_TRANSACTION, Lane,
  MAX_AUTH_MESSAGE, MAX_MESSAGE, PASSED, PASSWORD_MESSAGE, ReadyScanner, SSL_REQUEST, SYNC, SYNC_TYPE, TERMINATE,
  errorResponse, parseStartup, queryMessage, readyForQuery, sqlOf, startupMessage, type Owner, type Startup,
} from './pglite-wire.js';
import type { SqlSession } from './session.js';

/** The one user and database: PGlite's superuser and database. */
export const SERVED_USER = 'postgres';
const SERVED_DATABASE = 'postgres';
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

export interface ServedPglite {
  readonly host: string;
  readonly port: number;
  /** `postgres://postgres:PASSWORD@HOST:PORT/postgres`: what the services are given. */
  readonly url: string;
  /** The same without the password, for logs and lock files. */
  readonly address: string;
  /** An in-process session that takes its turns on the lane like a connection (no socket, no statement timeout). */
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
  /** The password every connection must give (as user `postgres`). */
  password: string;
  /** How long a client's statement may run (one protocol message); 0 for no limit. Default 30 s. */
  statementTimeoutMs?: number;
  log?: (line: string) => void;
}

type Incoming =
  | { kind: 'message'; bytes: Uint8Array }
  | { kind: 'startup'; bytes: Uint8Array }
  | { kind: 'ssl' }
  | { kind: 'cancel' }
  | { kind: 'terminate' }
  | { kind: 'broken'; why: string }
  | { kind: 'refused'; code: string; why: string };

/** Where a connection is in its authentication. */
type Auth =
  | { step: 'startup' }
  | { step: 'initial' | 'final'; startup: Startup; scram: ScramExchange }
  | { step: 'done' };

/** Serves `db` on `host:port` until close(). */
export async function servePglite(db: PgliteThread, options: ServePgliteOptions): Promise<ServedPglite> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const secret = scramSecret(options.password);
  const lane = new Lane();
  const sockets = new Set<Socket>();
  let broken: string | undefined;

  /** PGlite failed: nothing more goes to it; every client is disconnected, in-process sessions get the reason. */
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
      if (batchOpen) await db.protocol(SYNC, () => undefined);
      if (await db.inTransaction()) await db.exec('ROLLBACK');
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
    let auth: Auth = { step: 'startup' };
    /** After a timed-out extended-query message: the rest of the batch is dropped up to its Sync, as PostgreSQL does after an error. */
    let skipToSync = false;
    let busy = false;
    let closed = false;
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      void abandon(owner, !scanner.ready);
    };

    /** Ends the connection with a FATAL ErrorResponse. */
    const refuse = (code: string, why: string): void => {
      socket.end(errorResponse(code, why, 'FATAL'));
      closed = true;
    };

    const next = (): Incoming | undefined => {
      if (auth.step === 'startup') {
        if (!have(8)) return undefined;
        const len = buf.readInt32BE(0);
        const code = buf.readInt32BE(4);
        if (len < 8 || len > 10_000) return { kind: 'broken', why: `a startup packet of ${len} bytes` };
        if (!have(len)) return undefined;
        const bytes = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) return { kind: 'ssl' };
        if (code === CANCEL_REQUEST) return { kind: 'cancel' };
        return { kind: 'startup', bytes };
      }
      if (!have(5)) return undefined;
      const total = 1 + buf.readInt32BE(1);
      // Before the password is checked, no message needs more than PostgreSQL's own limit for them.
      if (total < 5 || total > (auth.step === 'done' ? MAX_MESSAGE : MAX_AUTH_MESSAGE)) return { kind: 'broken', why: `a message of ${total} bytes` };
      if (!have(total)) return undefined;
      const bytes = buf.subarray(0, total);
      buf = buf.subarray(total);
      if (bytes[0] === TERMINATE) return { kind: 'terminate' };
      if (auth.step !== 'done') return { kind: 'message', bytes };
      if (!PASSED.has(bytes[0]!)) return { kind: 'refused', code: '08P01', why: `message type '${String.fromCharCode(bytes[0]!)}' is not supported by the embedded database` };
      if (COPY_FROM_STDIN.test(sqlOf(bytes) ?? '')) return { kind: 'refused', code: '0A000', why: 'COPY FROM STDIN is not supported by the embedded database (use INSERT)' };
      return { kind: 'message', bytes };
    };

    /**
     * The SCRAM exchange; once it succeeds, the startup packet (as user and database
     * `postgres`) goes to PGlite, whose answer starts with AuthenticationOk.
     */
    const authenticate = (m: Incoming): Uint8Array | undefined => {
      try {
        if (auth.step === 'startup' && m.kind === 'startup') {
          const startup = parseStartup(m.bytes);
          if (!startup) return void refuse('08P01', 'unsupported frontend protocol (the embedded database speaks protocol 3)');
          auth = { step: 'initial', startup, scram: new ScramExchange(secret) };
          socket.write(authenticationSasl());
          return undefined;
        }
        if (m.kind !== 'message' || m.bytes[0] !== PASSWORD_MESSAGE || auth.step === 'startup' || auth.step === 'done') {
          return void refuse('08P01', 'expected a SASL response to the authentication request');
        }
        if (auth.step === 'initial') {
          socket.write(authenticationSaslContinue(auth.scram.first(saslPayload(m.bytes, true))));
          auth = { ...auth, step: 'final' };
          return undefined;
        }
        const serverFinal = auth.scram.final(saslPayload(m.bytes, false));
        const { params, version } = auth.startup;
        const user = params.get('user') ?? '';
        // PostgreSQL words an unknown user as a wrong password, not to tell which users exist.
        if (serverFinal === undefined || user !== SERVED_USER) {
          log(`embedded database: password authentication failed for user "${user}"`);
          return void refuse('28P01', `password authentication failed for user "${user}"`);
        }
        const database = params.get('database') || user;
        if (database !== SERVED_DATABASE) return void refuse('3D000', `database "${database}" does not exist (the embedded database is "${SERVED_DATABASE}")`);
        socket.write(authenticationSaslFinal(serverFinal));
        auth = { step: 'done' };
        return startupMessage({ version, params: new Map([...params, ['user', SERVED_USER], ['database', SERVED_DATABASE]]) });
      } catch (e) {
        if (!(e instanceof ScramProtocolError)) throw e;
        refuse('08P01', e.message);
        return undefined;
      }
    };

    /**
     * A statement ran past the timeout and the backend was reopened. The client gets 57014;
     * a transaction it had open is aborted on the new backend too, so that it answers 25P02
     * until the client's ROLLBACK, as PostgreSQL does.
     */
    const timedOut = async (type: number, e: StatementTimeoutError): Promise<void> => {
      const inTransaction = scanner.status === IN_TRANSACTION || scanner.status === FAILED_TRANSACTION;
      log(`embedded database: a client's statement ran past the statement timeout (${e.timeoutMs} ms); the database was reopened`);
      if (inTransaction) {
        await db.protocol(queryMessage('BEGIN'), () => undefined);
        await db.protocol(queryMessage(`DO $$ BEGIN RAISE EXCEPTION 'statement timeout' USING ERRCODE = '57014'; END $$`), () => undefined);
      }
      const answer = [errorResponse('57014', 'canceling statement due to statement timeout')];
      if (ENDS_WITH_READY.has(type)) answer.push(readyForQuery(inTransaction ? FAILED_TRANSACTION : IDLE));
      else skipToSync = true;
      const bytes = Buffer.concat(answer);
      scanner.feed(bytes);
      if (!socket.destroyed) socket.write(bytes);
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
            refuse(m.code, m.why);
            break;
          }
          let bytes: Uint8Array;
          if (auth.step !== 'done') {
            const startup = authenticate(m);
            if (!startup) continue;
            bytes = startup;
          } else {
            if (skipToSync && m.bytes[0] !== SYNC_TYPE) continue;
            skipToSync = false;
            bytes = m.bytes;
          }
          await lane.acquire(owner);
          if (closed || broken !== undefined) break;
          scanner.expect();
          try {
            await db.protocol(
              bytes,
              (chunk) => {
                scanner.feed(chunk);
                if (!socket.destroyed) socket.write(chunk);
              },
              timeoutMs,
            );
          } catch (e) {
            if (e instanceof DatabaseThreadError && e.code === 'database-reopened') {
              // What this connection had open is gone with the old backend: it ends, the others go on.
              log(`embedded database: ${e.message}; closing the connection whose statement it was running`);
              refuse('XX000', `${e.message}; this connection's statement did not complete`);
              break;
            }
            if (!(e instanceof StatementTimeoutError)) {
              breakDown(e);
              break;
            }
            await timedOut(bytes[0]!, e);
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
    url: `postgres://${SERVED_USER}:${encodeURIComponent(options.password)}@${host}:${port}/${SERVED_DATABASE}`,
    address: `postgres://${SERVED_USER}@${host}:${port}/${SERVED_DATABASE}`,
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
            if (!(await db.inTransaction().catch(() => false))) lane.release(owner);
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
