/**
 * A migration session on PGlite (`@electric-sql/pglite`: PostgreSQL compiled to WebAssembly,
 * in process), so the demo needs no database server. `pglite:memory` is a throw-away database;
 * `pglite:<dir>` keeps its data in that directory.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { takePidLock, type PidLock } from '../fs/pid-lock.js';
import { InvalidInputError } from '../../core/errors.js';
import type { SqlSession } from './session.js';

const CHANGES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** What a session needs of a PGlite: in process, or in its own thread (pglite-thread.ts). */
export interface PgliteQueries {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  close(): Promise<void>;
}

/** Wraps an open PGlite; `close()` closes it only when `owned`. */
export function pgliteSession(db: PgliteQueries, owned = false): SqlSession {
  return {
    async query<R>(text: string, params?: unknown[]) {
      const r = await db.query<R>(text, params);
      const command = (r as { command?: string }).command ?? '';
      return { rows: r.rows, rowCount: CHANGES.has(command) ? (r.affectedRows ?? 0) : r.rows.length };
    },
    close: async () => {
      if (owned) await db.close();
    },
  };
}

/** The data directory of `pglite:<dir>`, undefined for `pglite:memory`. */
export function pgliteDir(url: string): string | undefined {
  const where = url.slice('pglite:'.length);
  return where === 'memory' || where === '' ? undefined : resolve(where);
}

/**
 * Makes a PGlite data directory owner-only: 0700 for it and every directory in it, 0600 for
 * every file, whatever the umask (PGlite creates its files 0666). Symbolic links are left
 * alone. A directory that does not exist yet is created 0700.
 */
export function restrictDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (stat.isFile() && (stat.mode & 0o777) !== 0o600) {
      chmodSync(path, 0o600);
    }
  };
  walk(dir);
}

/**
 * PGlite does not lock its data directory: a second process opens it too, and the two diverge
 * (measured: a row written by the second was not seen by the first). Baton keeps a lock file
 * beside it (`<dir>.baton-lock`) naming the process that has it open and, when `baton up`
 * serves it, where.
 */
export function lockPgliteDir(dir: string): PidLock {
  mkdirSync(dirname(dir), { recursive: true });
  return takePidLock(`${dir}.baton-lock`, (pid, note) =>
    new InvalidInputError(
      'database-in-use',
      `pglite:${dir} is open in another process (pid ${pid})${note ? `, which serves it at ${note}` : ''}; PGlite allows one process per data directory. ${note ? 'Stop that controller first (baton down), or connect to the served URL.' : 'Stop that process first.'}`,
      { pid, dir },
    ));
}

/** An open embedded database and, for a data directory, its lock. */
export interface OpenPglite {
  db: PGlite;
  lock?: PidLock;
  /** Closes the database, then lets go of the directory. */
  close(): Promise<void>;
}

/**
 * Opens `pglite:memory` or `pglite:<dir>`, the directory locked and owner-only while it is
 * open. A directory PGlite cannot use (a file, no permission) is an InvalidInputError naming it.
 */
export async function openPglite(url: string): Promise<OpenPglite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = pgliteDir(url);
  const lock = dir ? lockPgliteDir(dir) : undefined;
  try {
    if (dir) restrictDataDir(dir);
    const db = await PGlite.create(dir);
    // PGlite creates files 0666 in process too (the thread wraps its file calls, pglite-thread.ts):
    // those of its start now, the rest when it is closed; the directory is 0700 meanwhile.
    if (dir) restrictDataDir(dir);
    const close = (): Promise<void> => db.close().finally(() => {
      try {
        if (dir) restrictDataDir(dir);
      } finally {
        lock?.release();
      }
    });
    return { db, ...(lock ? { lock } : {}), close };
  } catch (e) {
    lock?.release();
    throw unusableDir(url, dir, e);
  }
}

/**
 * The error for a data directory that cannot be used: PGlite throws an Emscripten ErrnoError
 * there, which has no message, and Node's own file errors (a file in the way, no permission)
 * carry a `code`. Other errors pass unchanged.
 */
export function unusableDir(url: string, dir: string | undefined, e: unknown): unknown {
  const { errno, code, syscall } = (e ?? {}) as { errno?: unknown; code?: unknown; syscall?: unknown };
  const fromNode = typeof syscall === 'string' && typeof code === 'string';
  if (e instanceof Error && e.message && !fromNode) return e;
  const why = fromNode ? ` (${String(code)})` : typeof errno === 'number' ? ` (errno ${errno})` : '';
  return new InvalidInputError('invalid-database', `${url}: PGlite cannot open ${dir ?? 'an in-memory database'} as a data directory${why}; give a directory it can create or write`, { url });
}

/** A session on `pglite:memory` or `pglite:<dir>` that closes the database with it. */
export async function openPgliteSession(url: string): Promise<SqlSession> {
  const open = await openPglite(url);
  const session = pgliteSession(open.db, false);
  return { ...session, close: () => open.close() };
}
