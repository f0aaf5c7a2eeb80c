/**
 * Runs one phase file of one migration on PostgreSQL and records it in the audit table.
 *
 * - In one transaction when every statement allows it: the schema change and its `done` record
 *   commit together, and a crash leaves nothing half-applied.
 * - Statement by statement otherwise (CREATE INDEX CONCURRENTLY, DETACH PARTITION ...
 *   CONCURRENTLY and the others of `mustRunOutsideTransaction` cannot run in a transaction
 *   block), with the progress recorded after each statement, so a crash part-way is visible on
 *   restart as "interrupted after k of n" instead of being silently repeated.
 * - A statement that hits `lock_timeout` (SQLSTATE 55P03) is retried with exponential back-off
 *   up to `maxLockRetries` times: a short lock_timeout keeps DDL from queueing every other query
 *   behind it (PostgreSQL docs, "Explicit Locking": lock requests queue in order).
 */
import { quoteIdent, type SqlSession } from './session.js';
import type { RangeVar } from 'libpg-query';
import { concurrentDetaches, mustRunOutsideTransaction } from '../../core/migrate/ast.js';
import { MigrationFailedError, MigrationLockTimeoutError } from '../../core/migrate/errors.js';
import { lockRetryDelayMs } from '../../core/migrate/guards.js';
import type { LintIgnore, Migration, MigrationPhase, ParsedFile, ParsedStatement } from '../../core/migrate/types.js';
import { finishRecord, recordAttempt, recordProgress, startRecord } from './audit-table.js';

/** What the runner reports as it goes (for logs, the CLI, and tests that wait on events). */
export type RunnerEvent =
  | { type: 'lock-wait' }
  | { type: 'phase-start'; name: string; phase: MigrationPhase; statements: number; transactional: boolean }
  | { type: 'statement-done'; name: string; phase: MigrationPhase; index: number; total: number }
  | { type: 'lock-timeout'; name: string; phase: MigrationPhase; line: number; attempt: number; retryInMs: number }
  | { type: 'backfill-batch'; name: string; batch: number; rows: number }
  | { type: 'phase-done'; name: string; phase: MigrationPhase }
  | { type: 'problem'; message: string };

export interface PhaseContext {
  client: SqlSession;
  maxLockRetries: number;
  retryBaseMs: number;
  retryCapMs: number;
  sleep: (ms: number) => Promise<void>;
  appliedBy: string;
  revision: string | null;
  onEvent: (e: RunnerEvent) => void;
  /**
   * Stops the run: checked before every statement and before every COMMIT, because a cancel
   * sent while the session is between statements has nothing to cancel.
   */
  signal?: AbortSignal;
}

/** Raised when `signal` stopped the run; the transaction in progress is rolled back. */
class StoppedError extends Error {}

const LOCK_NOT_AVAILABLE = '55P03';

function sqlState(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Tags an error with the statement that raised it. */
class StatementError extends Error {
  constructor(readonly statement: ParsedStatement, override readonly cause: unknown) {
    super(messageOf(cause));
  }
}

/**
 * A failed CREATE INDEX CONCURRENTLY (a lock timeout while it waits for older transactions, a
 * cancel) leaves an INVALID index behind, which `IF NOT EXISTS` would then skip: drop it before
 * building (PostgreSQL docs, "Building Indexes Concurrently").
 */
async function dropInvalidIndex(client: SqlSession, stmt: ParsedStatement): Promise<void> {
  if (!('IndexStmt' in stmt.node) || !stmt.node.IndexStmt.concurrent || !stmt.node.IndexStmt.idxname) return;
  const schema = stmt.node.IndexStmt.relation?.schemaname ?? null;
  const { rows } = await client.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relname = $1 AND NOT i.indisvalid AND n.nspname = COALESCE($2, current_schema())`,
    [stmt.node.IndexStmt.idxname, schema],
  );
  const found = rows[0];
  if (found) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(found.schema)}.${quoteIdent(stmt.node.IndexStmt.idxname)}`);
}

/** `"schema"."name"`, or `"name"` when unqualified. */
function qualified(rel: RangeVar | undefined): string {
  const name = quoteIdent(rel?.relname ?? '');
  return rel?.schemaname ? `${quoteIdent(rel.schemaname)}.${name}` : name;
}

/**
 * `ALTER TABLE ... DETACH PARTITION p CONCURRENTLY` runs in two transactions; interrupted after
 * the first (a lock timeout while it waits for transactions that still see the partition, a
 * cancel) it leaves p "pending detach", and running the statement again fails with "partition
 * ... already pending detach" (PostgreSQL 15, ALTER TABLE "DETACH PARTITION"). So before every
 * attempt a pending detach is finished with `FINALIZE` instead, and the statement counts as
 * done. Returns whether it did so.
 */
async function finalizePendingDetach(client: SqlSession, stmt: ParsedStatement): Promise<boolean> {
  const detaches = concurrentDetaches(stmt.node);
  const only = detaches.length === 1 ? detaches[0] : undefined;
  if (!only) return false;
  const { rows } = await client.query<{ pending: boolean }>('SELECT inhdetachpending AS pending FROM pg_inherits WHERE inhrelid = to_regclass($1)', [qualified(only.partition)]);
  if (rows[0]?.pending !== true) return false;
  await client.query(`ALTER TABLE ${qualified(only.parent)} DETACH PARTITION ${qualified(only.partition)} FINALIZE`);
  return true;
}

/** Runs `attemptFn` until it succeeds, retrying lock timeouts with back-off. */
async function withLockRetries<T>(ctx: PhaseContext, name: string, phase: MigrationPhase, recordId: number, attemptFn: () => Promise<T>, file: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptFn();
    } catch (e) {
      const stmtErr = e instanceof StatementError ? e : undefined;
      const line = stmtErr?.statement.line ?? 0;
      if (sqlState(stmtErr?.cause ?? e) !== LOCK_NOT_AVAILABLE) throw e;
      if (attempt > ctx.maxLockRetries) throw new MigrationLockTimeoutError(name, phase, line, attempt, file);
      const retryInMs = lockRetryDelayMs(attempt, ctx.retryBaseMs, ctx.retryCapMs);
      ctx.onEvent({ type: 'lock-timeout', name, phase, line, attempt, retryInMs });
      await recordAttempt(ctx.client, recordId, attempt + 1);
      await ctx.sleep(retryInMs);
    }
  }
}

async function run(ctx: PhaseContext, stmt: ParsedStatement): Promise<number> {
  stopIfAborted(ctx);
  try {
    const r = await ctx.client.query(stmt.text);
    return r.rowCount;
  } catch (e) {
    throw new StatementError(stmt, e);
  }
}

function stopIfAborted(ctx: PhaseContext): void {
  if (ctx.signal?.aborted) throw new StoppedError('stopped');
}

function toFailure(e: unknown, name: string, phase: MigrationPhase, file: string): Error {
  if (e instanceof StatementError) return new MigrationFailedError(name, phase, file, e.statement.line, sqlState(e.cause), e.message);
  return e instanceof Error ? e : new Error(String(e));
}

/** Applies `phase` of `migration` (not backfill: see `runBackfill`). */
export async function applyPhase(ctx: PhaseContext, migration: Migration, phase: MigrationPhase, parsed: ParsedFile, lintIgnores: LintIgnore[]): Promise<void> {
  const { client } = ctx;
  const file = parsed.file.path;
  const statements = parsed.statements;
  const transactional = !statements.some((s) => mustRunOutsideTransaction(s.node));
  const id = await startRecord(client, {
    name: migration.name, phase, checksum: parsed.file.checksum, transactional, statementsTotal: statements.length,
    appliedBy: ctx.appliedBy, revision: ctx.revision, lintIgnores,
  });
  ctx.onEvent({ type: 'phase-start', name: migration.name, phase, statements: statements.length, transactional });
  let done = 0;
  try {
    if (transactional) {
      await withLockRetries(ctx, migration.name, phase, id, async () => {
        await client.query('BEGIN');
        try {
          for (const s of statements) await run(ctx, s);
          await finishRecord(client, id, 'done', { statementsDone: statements.length });
          stopIfAborted(ctx);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
      }, file);
      done = statements.length;
    } else {
      for (const [i, s] of statements.entries()) {
        await withLockRetries(ctx, migration.name, phase, id, async () => {
          // Before every attempt, not after the failure: dropping the leftover must itself wait
          // for the session that made the build time out.
          stopIfAborted(ctx);
          try {
            await dropInvalidIndex(client, s);
            if (await finalizePendingDetach(client, s)) return 0;
          } catch (e) {
            throw new StatementError(s, e);
          }
          return run(ctx, s);
        }, file);
        done = i + 1;
        await recordProgress(client, id, done);
        ctx.onEvent({ type: 'statement-done', name: migration.name, phase, index: i, total: statements.length });
      }
      await finishRecord(client, id, 'done', {});
    }
  } catch (e) {
    const failure = toFailure(e, migration.name, phase, file);
    await finishRecord(client, id, 'failed', { statementsDone: done, error: failure.message }).catch(() => undefined);
    throw failure;
  }
  ctx.onEvent({ type: 'phase-done', name: migration.name, phase });
}

/**
 * Runs `backfill.sql` in batches: the file's statements in one transaction per batch, repeated
 * until a batch changes no rows. The file must be written to do one bounded batch and to skip
 * rows already done (e.g. `UPDATE ... WHERE id IN (SELECT id ... WHERE new IS NULL LIMIT 1000)`),
 * which also makes it safe to run again. `shouldContinue` is asked between batches.
 */
export async function runBackfill(
  ctx: PhaseContext,
  migration: Migration,
  parsed: ParsedFile,
  lintIgnores: LintIgnore[],
  opts: { maxBatches: number; shouldContinue: () => Promise<boolean> },
): Promise<{ batches: number; rows: number; stopped: boolean }> {
  const { client } = ctx;
  const file = parsed.file.path;
  const id = await startRecord(client, {
    name: migration.name, phase: 'backfill', checksum: parsed.file.checksum, transactional: true, statementsTotal: parsed.statements.length,
    appliedBy: ctx.appliedBy, revision: ctx.revision, lintIgnores,
  });
  ctx.onEvent({ type: 'phase-start', name: migration.name, phase: 'backfill', statements: parsed.statements.length, transactional: true });
  let rows = 0;
  let batches = 0;
  try {
    for (;;) {
      if (batches >= opts.maxBatches) throw new MigrationFailedError(migration.name, 'backfill', file, 0, undefined, `still changing rows after ${opts.maxBatches} batches; does each batch skip rows already done?`);
      const changed = await withLockRetries(ctx, migration.name, 'backfill', id, async () => {
        await client.query('BEGIN');
        try {
          let n = 0;
          for (const s of parsed.statements) n += await run(ctx, s);
          stopIfAborted(ctx);
          await client.query('COMMIT');
          return n;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
      }, file);
      batches++;
      rows += changed;
      ctx.onEvent({ type: 'backfill-batch', name: migration.name, batch: batches, rows: changed });
      if (changed === 0) break;
      if (!(await opts.shouldContinue())) {
        await finishRecord(client, id, 'failed', { rowsAffected: rows, error: 'stopped: the stable revision degraded' });
        return { batches, rows, stopped: true };
      }
    }
    await finishRecord(client, id, 'done', { statementsDone: parsed.statements.length, rowsAffected: rows });
  } catch (e) {
    const failure = toFailure(e, migration.name, 'backfill', file);
    await finishRecord(client, id, 'failed', { rowsAffected: rows, error: failure.message }).catch(() => undefined);
    throw failure;
  }
  ctx.onEvent({ type: 'phase-done', name: migration.name, phase: 'backfill' });
  return { batches, rows, stopped: false };
}
