/**
 * The migration advisory lock: one controller at a time applies migrations to a database.
 *
 * A session-level `pg_try_advisory_lock` polled with back-off rather than a blocking
 * `pg_advisory_lock`: a session blocked in that call holds a snapshot, and
 * `CREATE INDEX CONCURRENTLY` in the lock holder waits for every older snapshot to go away
 * (PostgreSQL docs, "Building Indexes Concurrently"), so the two would wait on each other.
 */
import type { SqlSession } from './session.js';
import { MigrationLockBusyError } from '../../core/migrate/errors.js';

/** A fixed key: the bytes of "baton-mi" read as a big-endian signed 64-bit integer. */
export const MIGRATION_LOCK_KEY = '7089075310396534121';

export interface LockWaitOptions {
  /** Give up after this long (ms). */
  waitMs: number;
  sleep: (ms: number) => Promise<void>;
  onWait?: () => void;
}

/** Takes the lock, runs `fn`, releases it (also when `fn` throws). */
export async function withMigrationLock<T>(client: SqlSession, opts: LockWaitOptions, fn: () => Promise<T>): Promise<T> {
  let waited = 0;
  let delay = 50;
  let told = false;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [MIGRATION_LOCK_KEY]);
    if (rows[0]?.ok) break;
    if (waited >= opts.waitMs) throw new MigrationLockBusyError(waited);
    if (!told) {
      opts.onWait?.();
      told = true;
    }
    await opts.sleep(delay);
    waited += delay;
    delay = Math.min(delay * 2, 1_000);
  }
  try {
    return await fn();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}

/** Whether another session holds the migration lock right now (a run is in progress). */
export async function migrationLockHeld(client: SqlSession): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [MIGRATION_LOCK_KEY]);
  if (!rows[0]?.ok) return true;
  await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
  return false;
}
