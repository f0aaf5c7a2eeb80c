/**
 * Typed errors of the SQLite store. Each names the database file, so `baton up` can say which
 * state dir is broken or busy instead of printing a SQLite stack trace.
 */
import { BatonError } from '../../../core/errors.js';

/**
 * - `store-corrupt`: the file is not a SQLite database, or its pages are damaged.
 * - `store-locked`: another connection held the write lock longer than the busy timeout.
 * - `store-too-new`: written by a newer Baton (schema version above what this one knows).
 * - `store-open-failed`: the file cannot be opened or created (missing dir, permissions).
 * - `store-readonly`: a write through a read-only handle, or to a read-only file or file system.
 * - `store-full`: the disk (or the file size limit) is full (SQLITE_FULL).
 * - `store-io`: the operating system failed a read or write (SQLITE_IOERR_*: EIO, EFBIG, ...).
 * - `store-failed`: any other SQLite failure.
 */
export type StoreErrorCode = 'store-corrupt' | 'store-locked' | 'store-too-new' | 'store-open-failed' | 'store-readonly' | 'store-full' | 'store-io' | 'store-failed';

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
  if (sqliteCode === 'SQLITE_CORRUPT' || sqliteCode.startsWith('SQLITE_CORRUPT_') || sqliteCode === 'SQLITE_NOTADB') return 'store-corrupt';
  if (sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED')) return 'store-locked';
  if (sqliteCode.startsWith('SQLITE_READONLY')) return 'store-readonly';
  if (sqliteCode.startsWith('SQLITE_CANTOPEN') || sqliteCode.startsWith('SQLITE_PERM')) return 'store-open-failed';
  if (sqliteCode === 'SQLITE_FULL') return 'store-full';
  if (sqliteCode.startsWith('SQLITE_IOERR')) return 'store-io';
  return 'store-failed';
}

const ADVICE: Record<StoreErrorCode, string> = {
  'store-corrupt': 'is not a readable Baton state database; move it aside (Baton starts a new one) or restore a copy',
  'store-locked': 'is locked by another process (is another `baton up` running on this state dir?)',
  'store-too-new': 'was written by a newer Baton; upgrade Baton or use another --state-dir',
  'store-open-failed': 'cannot be opened; check that the directory exists and is writable',
  'store-readonly': 'cannot be written: the file or its file system is read-only (or it is open read-only here, where only the controller writes it)',
  'store-full': 'cannot grow: the disk or the file size limit is full; free some space',
  'store-io': 'cannot be read or written: the operating system reported an I/O error',
  'store-failed': 'failed',
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
