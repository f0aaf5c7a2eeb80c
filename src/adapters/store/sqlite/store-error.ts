/**
 * Typed errors of the SQLite store. Each names the database file, so `baton up` can say which
 * state dir is broken or busy instead of printing a SQLite stack trace.
 */
import { BatonError } from '../../../core/errors.js';

/**
 * - `STORE_CORRUPT`: the file is not a SQLite database, or its pages are damaged.
 * - `STORE_LOCKED`: another connection held the write lock longer than the busy timeout.
 * - `STORE_TOO_NEW`: written by a newer Baton (schema version above what this one knows).
 * - `STORE_OPEN_FAILED`: the file cannot be opened or created (missing dir, permissions).
 * - `STORE_READONLY`: a write through a read-only handle, or to a read-only file.
 * - `STORE_FAILED`: any other SQLite failure.
 */
export type StoreErrorCode = 'STORE_CORRUPT' | 'STORE_LOCKED' | 'STORE_TOO_NEW' | 'STORE_OPEN_FAILED' | 'STORE_READONLY' | 'STORE_FAILED';

/** A failure of the state database; `details.path` is the file, `details.sqliteCode` SQLite's code. */
export class StoreError extends BatonError {
  constructor(
    override readonly code: StoreErrorCode,
    message: string,
    readonly path: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, { path, ...details });
  }
}

/** SQLite result codes (https://www.sqlite.org/rescode.html) mapped to what a user can do. */
function classify(sqliteCode: string): StoreErrorCode {
  if (sqliteCode === 'SQLITE_CORRUPT' || sqliteCode.startsWith('SQLITE_CORRUPT_') || sqliteCode === 'SQLITE_NOTADB') return 'STORE_CORRUPT';
  if (sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED')) return 'STORE_LOCKED';
  if (sqliteCode.startsWith('SQLITE_READONLY')) return 'STORE_READONLY';
  if (sqliteCode.startsWith('SQLITE_CANTOPEN') || sqliteCode.startsWith('SQLITE_PERM')) return 'STORE_OPEN_FAILED';
  return 'STORE_FAILED';
}

const ADVICE: Record<StoreErrorCode, string> = {
  STORE_CORRUPT: 'is not a readable Baton state database; move it aside (Baton starts a new one) or restore a copy',
  STORE_LOCKED: 'is locked by another process (is another `baton up` running on this state dir?)',
  STORE_TOO_NEW: 'was written by a newer Baton; upgrade Baton or use another --state-dir',
  STORE_OPEN_FAILED: 'cannot be opened; check that the directory exists and is writable',
  STORE_READONLY: 'is open read-only here; only the controller writes it',
  STORE_FAILED: 'failed',
};

/** Turns whatever better-sqlite3 threw into a StoreError naming `path`; a StoreError passes through. */
export function toStoreError(e: unknown, path: string, doing: string): unknown {
  if (e instanceof StoreError) return e;
  const sqliteCode = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  if (sqliteCode === undefined || !sqliteCode.startsWith('SQLITE_')) return e;
  const code = classify(sqliteCode);
  const reason = e instanceof Error ? e.message : String(e);
  return new StoreError(code, `state database ${path} ${ADVICE[code]} (${doing}: ${reason})`, path, { sqliteCode });
}
