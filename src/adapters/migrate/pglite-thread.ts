/**
 * A PGlite in its own thread (`node:worker_threads`), so that what a database client asks for
 * runs beside the controller's event loop, not on it: PGlite is PostgreSQL compiled to
 * WebAssembly and runs every statement synchronously, so one client's `SELECT pg_sleep(20)` on
 * the controller's thread stopped its control API for 20 s.
 *
 * The thread holds one PGlite on a data directory and answers messages: protocol bytes (the
 * answer streamed back chunk by chunk), queries, and whether a transaction is open. PostgreSQL's
 * own `statement_timeout` never fires in PGlite (its timer is a JavaScript `setTimeout`, which
 * cannot run while the WebAssembly program does; measured: `SET statement_timeout = '1s'` and
 * `SELECT pg_sleep(3)` ran 3 s), so a statement is timed here, from the controller's thread,
 * and one that runs too long ends the thread: {@link PgliteThread.protocol} rejects with
 * {@link StatementTimeoutError} once a new thread has opened the same directory again. That is
 * why a thread always works on a directory: `pglite:memory` gets a private temporary one.
 *
 * In the thread, every file and directory PGlite creates is owner-only (0600 / 0700), whatever
 * the process umask: PGlite's file system layer creates them 0666 / 0755.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BatonError } from '../../core/errors.js';
import { restrictDataDir } from './pglite-session.js';

/**
 * The thread's program. It is source text, run with `eval`, so the same code runs from the
 * compiled package, from the TypeScript sources under tsx and under vitest (a worker file in
 * TypeScript would need a loader in the thread). It loads PGlite's CommonJS build by absolute
 * path (`workerData.pglite`) and keeps to one operation at a time.
 */
const THREAD_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
// Owner-only modes for everything PGlite creates (it asks for 0666 and 0777).
const own = (mode) => (typeof mode === 'number' ? mode & 0o700 : mode);
const ownOpts = (o) => (typeof o === 'number' ? own(o) : o && typeof o === 'object' && typeof o.mode === 'number' ? { ...o, mode: own(o.mode) } : o);
const wrap = (name, at, fix) => {
  const original = fs[name];
  fs[name] = (...args) => { if (args.length > at) args[at] = fix(args[at]); return original.apply(fs, args); };
};
wrap('mkdirSync', 1, ownOpts);
wrap('writeFileSync', 2, ownOpts);
wrap('openSync', 2, own);
wrap('chmodSync', 1, own);
wrap('fchmodSync', 1, own);
syncBuiltinESMExports();

const { PGlite } = require(workerData.pglite);
const describe = (e) => {
  // PGlite's program ending (COPY FROM STDIN did this) throws Emscripten's ExitStatus.
  if (e && typeof e === 'object' && typeof e.status === 'number' && !(e instanceof Error)) return { message: 'PGlite exited with status ' + e.status };
  if (!(e instanceof Error)) return { message: String(e) };
  const out = { message: e.message, name: e.name };
  for (const [k, v] of Object.entries(e)) if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return out;
};
let db;
let chain = Promise.resolve();
const ops = {
  async protocol(m) {
    await db.runExclusive(() => db.execProtocolRawStream(m.bytes, {
      onRawData: (chunk) => {
        const copy = new Uint8Array(chunk);
        parentPort.postMessage({ id: m.id, chunk: copy }, [copy.buffer]);
      },
    }));
  },
  async query(m) {
    const r = await db.query(m.text, m.params);
    return { rows: r.rows, affectedRows: r.affectedRows, command: r.command };
  },
  async exec(m) {
    await db.exec(m.sql);
  },
  async inTransaction() {
    return db.isInTransaction();
  },
  async close() {
    await db.close();
  },
};
parentPort.on('message', (m) => {
  chain = chain.then(async () => {
    try {
      const result = await ops[m.op](m);
      parentPort.postMessage({ id: m.id, result });
    } catch (e) {
      // A protocol message that throws is PGlite failing, not SQL failing (that is an ErrorResponse).
      parentPort.postMessage({ id: m.id, error: describe(e), fatal: m.op === 'protocol' });
    }
  });
});
PGlite.create(workerData.dir).then(
  (opened) => { db = opened; parentPort.postMessage({ ready: true }); },
  (e) => parentPort.postMessage({ failed: describe(e) }),
);
`;

/** A statement that ran past the statement timeout; the thread was replaced and the database reopened. */
export class StatementTimeoutError extends BatonError {
  constructor(readonly timeoutMs: number) {
    super('statement-timeout', `canceling statement due to statement timeout (${timeoutMs} ms)`, { timeoutMs });
  }
}

/** The PGlite in the thread failed (an error from PGlite itself, or the thread ended). */
export class DatabaseThreadError extends BatonError {}

/** An error PGlite threw for a query, with PostgreSQL's fields (`code`, `detail`, ...) as it gave them. */
export type QueryError = Error & Record<string, unknown>;

export interface ThreadQueryResult<R> {
  rows: R[];
  affectedRows?: number;
  command?: string;
}

/** One PGlite on a data directory, in its own thread. */
export interface PgliteThread {
  /** The data directory (a temporary one for `pglite:memory`). */
  readonly dir: string;
  /**
   * Runs protocol messages; each chunk of the answer goes to `onData` as it comes. With
   * `timeoutMs`, a statement still running then ends the thread: a new one opens the directory
   * again (what was not committed is gone, as after a server crash) and this rejects with
   * {@link StatementTimeoutError}. When PGlite itself fails, the directory is reopened the same way
   * and this rejects with {@link DatabaseThreadError} `database-reopened` (`database-failed`
   * when it did not reopen: the database is then unusable).
   */
  protocol(bytes: Uint8Array, onData: (chunk: Uint8Array) => void, timeoutMs?: number): Promise<void>;
  /** A query with parameters; PostgreSQL's errors reject as {@link QueryError}. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<ThreadQueryResult<R>>;
  /** Runs SQL text (several statements allowed), no result. */
  exec(sql: string): Promise<void>;
  inTransaction(): Promise<boolean>;
  /** How many times the thread was replaced (after a statement timeout, or a failure of PGlite). */
  restarts(): number;
  /** Closes the PGlite and ends the thread; a temporary directory is removed. */
  close(): Promise<void>;
}

type Reply = { id: number; chunk?: Uint8Array; result?: unknown; error?: Record<string, unknown>; fatal?: boolean };
type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; onData?: (chunk: Uint8Array) => void };

const PGLITE_CJS = createRequire(import.meta.url).resolve('@electric-sql/pglite');
/** How long close() waits for the statement in progress and PGlite's own close. */
const CLOSE_WAIT_MS = 5_000;

function rebuild(fields: Record<string, unknown>): QueryError {
  const e = new Error(typeof fields.message === 'string' ? fields.message : 'PGlite failed') as QueryError;
  for (const [k, v] of Object.entries(fields)) if (k !== 'message' && k !== 'name') e[k] = v;
  return e;
}

/** Starts a thread and waits until its PGlite is open. */
function spawn(dir: string): Promise<Worker> {
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { dir, pglite: PGLITE_CJS } });
  return new Promise((resolve, reject) => {
    const onMessage = (m: { ready?: boolean; failed?: Record<string, unknown> }): void => {
      worker.off('error', onError);
      worker.off('message', onMessage);
      if (m.ready) resolve(worker);
      else {
        void worker.terminate();
        reject(rebuild(m.failed ?? {}));
      }
    };
    const onError = (e: Error): void => {
      worker.off('message', onMessage);
      reject(e);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
  });
}

/**
 * Opens PGlite on `dir` (a data directory; undefined: a new temporary one, removed by close())
 * in a thread of its own. The directory is made owner-only first.
 */
export async function startPgliteThread(dir: string | undefined): Promise<PgliteThread> {
  const temporary = dir === undefined;
  const where = dir ?? mkdtempSync(join(tmpdir(), 'baton-pglite-'));
  restrictDataDir(where);
  let worker: Worker;
  try {
    worker = await spawn(where);
  } catch (e) {
    if (temporary) rmSync(where, { recursive: true, force: true });
    throw e;
  }
  let nextId = 1;
  let restarts = 0;
  let closed = false;
  /** Set while a replacement thread opens: requests wait for it. */
  let replacing: Promise<void> | undefined;
  let failure: Error | undefined;
  const pending = new Map<number, Pending>();

  const attach = (w: Worker): void => {
    w.on('message', (m: Reply) => {
      const p = pending.get(m.id);
      if (!p) return;
      if (m.chunk) return p.onData?.(m.chunk);
      pending.delete(m.id);
      if (m.error && m.fatal) recover(String(m.error.message), [p]);
      else if (m.error) p.reject(rebuild(m.error));
      else p.resolve(m.result);
    });
    // The thread ended without being asked to (a WebAssembly abort, out of memory).
    const ended = (why: string): void => {
      if (w !== current || closed) return;
      const waiting = [...pending.values()];
      pending.clear();
      recover(`the database thread ended: ${why}`, waiting);
    };
    w.on('error', (e) => ended(e.message));
    w.on('exit', (code) => ended(`exit code ${code}`));
  };
  /** The thread whose end is a failure (none while one is being replaced or closed). */
  let current: Worker | undefined = worker;
  attach(worker);

  async function send<T>(message: Record<string, unknown>, onData?: (chunk: Uint8Array) => void, transfer?: ArrayBuffer[]): Promise<T> {
    while (replacing) await replacing;
    if (closed) throw new DatabaseThreadError('database-closed', 'the database is closed', { dir: where });
    if (failure) throw failure;
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...(onData ? { onData } : {}) });
      worker.postMessage({ ...message, id }, transfer ?? []);
    });
  }

  /**
   * PGlite failed in the thread: like a PostgreSQL server after a backend crash, the database
   * is reopened (from what was committed) and the requests in flight fail with the reason.
   */
  function recover(why: string, waiting: Pending[]): void {
    void replace(`PGlite failed (${why})`).then(() => {
      const e = failure ?? new DatabaseThreadError('database-reopened', `PGlite failed (${why}); the database was reopened, without what was not committed`, { dir: where });
      for (const p of waiting) p.reject(e);
    });
  }

  /** Ends the thread (in the middle of its statement, or after it failed) and opens the directory in a new one. */
  async function replace(after: string): Promise<void> {
    const old = worker;
    let done!: () => void;
    replacing = new Promise((r) => (done = r));
    try {
      restarts++;
      current = undefined;
      await old.terminate();
      worker = await spawn(where);
      current = worker;
      attach(worker);
    } catch (e) {
      failure = new DatabaseThreadError('database-failed', `the database did not reopen after ${after}: ${e instanceof Error ? e.message : String(e)}`, { dir: where });
    } finally {
      replacing = undefined;
      done();
    }
  }

  return {
    dir: where,
    async protocol(bytes, onData, timeoutMs) {
      // A copy of its own to hand over: `bytes` is often a view into a connection's buffer (or
      // Node's shared Buffer pool), which a transfer would take away.
      const copy = new Uint8Array(bytes);
      const answer = send<void>({ op: 'protocol', bytes: copy }, onData, [copy.buffer]);
      if (timeoutMs === undefined || timeoutMs <= 0) return answer;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      try {
        if ((await Promise.race([answer, timedOut])) !== 'timeout') return;
      } finally {
        clearTimeout(timer);
      }
      // The thread is busy in WebAssembly and cannot be asked to stop: it is ended.
      for (const p of pending.values()) p.onData = undefined;
      answer.catch(() => undefined);
      const abandoned = [...pending.values()];
      pending.clear();
      await replace('a statement timeout');
      for (const p of abandoned) p.reject(new StatementTimeoutError(timeoutMs));
      if (failure) throw failure;
      throw new StatementTimeoutError(timeoutMs);
    },
    query: <R>(text: string, params?: unknown[]) => send<ThreadQueryResult<R>>({ op: 'query', text, params: params ?? [] }),
    exec: (sql) => send<void>({ op: 'exec', sql }),
    inTransaction: () => send<boolean>({ op: 'inTransaction' }),
    restarts: () => restarts,
    async close() {
      if (closed) return;
      while (replacing) await replacing;
      // A client's statement may still be running (up to the statement timeout, or without
      // end): it is not waited for past CLOSE_WAIT_MS, the thread is ended as after a timeout.
      if (!failure) {
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
        await Promise.race([send<void>({ op: 'close' }).catch(() => undefined), waited]);
        clearTimeout(timer);
      }
      closed = true;
      for (const p of pending.values()) p.reject(new DatabaseThreadError('database-closed', 'the database was closed while the statement ran', { dir: where }));
      pending.clear();
      await worker.terminate();
      restrictDataDir(where);
      if (temporary) rmSync(where, { recursive: true, force: true });
    },
  };
}
