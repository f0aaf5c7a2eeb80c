/**
 * A migration session on PGlite (`@electric-sql/pglite`: PostgreSQL compiled to WebAssembly,
 * in process), so the demo needs no database server. `pglite:memory` is a throw-away database;
 * `pglite:<dir>` keeps its data in that directory.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { takePidLock, type PidLock } from '../fs/pid-lock.js';
import { InvalidInputError } from '../../core/errors.js';
import type { SqlSession } from './session.js';

const CHANGES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** Wraps an open PGlite; `close()` closes it only when `owned`. */
export function pgliteSession(db: PGlite, owned = false): SqlSession {
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
 * Opens `pglite:memory` or `pglite:<dir>`, the directory locked while it is open. A directory
 * PGlite cannot use (a file, no permission) is an InvalidInputError naming it: PGlite throws an
 * Emscripten ErrnoError there, which has no message.
 */
export async function openPglite(url: string): Promise<OpenPglite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = pgliteDir(url);
  const lock = dir ? lockPgliteDir(dir) : undefined;
  try {
    const db = await PGlite.create(dir);
    return { db, ...(lock ? { lock } : {}), close: () => db.close().finally(() => lock?.release()) };
  } catch (e) {
    lock?.release();
    if (e instanceof Error && e.message) throw e;
    const errno = (e as { errno?: unknown } | undefined)?.errno;
    throw new InvalidInputError('invalid-database', `${url}: PGlite cannot open ${dir ?? 'an in-memory database'} as a data directory${typeof errno === 'number' ? ` (errno ${errno})` : ''}; give a directory it can create or write`, { url });
  }
}

/** A session on `pglite:memory` or `pglite:<dir>` that closes the database with it. */
export async function openPgliteSession(url: string): Promise<SqlSession> {
  const open = await openPglite(url);
  const session = pgliteSession(open.db, false);
  return { ...session, close: () => open.close() };
}
