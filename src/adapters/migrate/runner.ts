/**
 * The engine's hook into schema changes, on a real PostgreSQL database:
 * - `runExpand` before the new revision's first process starts;
 * - `runContract` after promotion, the bake time, and the last old-revision process (the guard
 *   is the pure `decideContract`; this function refuses to touch the database unless it says run);
 * - `runRollback` and `readStatus` for a person, through `baton migrate`.
 * Every run holds the migration advisory lock and records each step in `baton_schema_migrations`.
 */
import { hostname, userInfo } from 'node:os';
import { MigrationBlockedError, MigrationLintError } from '../../core/migrate/errors.js';
import { decideContract, decideExpand, decideRollback, type ContractDecision, type ContractGuardInput } from '../../core/migrate/guards.js';
import { blockingProblemsFor, pendingContracts, planMigrations, withRunInProgress, type MigrationPlan } from '../../core/migrate/plan.js';
import type { Migration, MigrationPhase, MigrationRecord } from '../../core/migrate/types.js';
import { InvalidInputError } from '../../core/errors.js';
import { migrationLockHeld, withMigrationLock } from './advisory-lock.js';
import { applyPhase, runBackfill, type PhaseContext, type RunnerEvent } from './apply-phase.js';
import { closeAbandoned, ensureAuditTable, readRecords } from './audit-table.js';
import { lintMigrations, type MigrationLint } from './lint-migrations.js';
import { openSession, type SqlSession } from './session.js';

export type { RunnerEvent } from './apply-phase.js';

export interface MigrateOptions {
  /** `postgres://...`, or `pglite:memory` / `pglite:<dir>` for the embedded database. */
  databaseUrl: string;
  /** Opens the session instead of `databaseUrl` (e.g. on a PGlite the caller already holds). */
  openSession?: () => Promise<SqlSession>;
  /** From `readMigrations`, in any order. */
  migrations: readonly Migration[];
  lockTimeoutMs: number;
  /** 0 means no statement timeout. */
  statementTimeoutMs: number;
  maxLockRetries: number;
  /** Back-off after a lock timeout: base and cap (ms). Defaults 500 and 30000. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** How long to wait for another controller's advisory lock (ms). Default 10 minutes. */
  lockWaitMs?: number;
  /** Bound on backfill batches per run. Default 100000. */
  maxBackfillBatches?: number;
  /** "By whom" in the audit table. Default `user@host pid N`. */
  appliedBy?: string;
  /** The rollout revision these steps belong to. */
  revision?: string;
  sleep?: (ms: number) => Promise<void>;
  onEvent?: (e: RunnerEvent) => void;
}

export interface AppliedStep {
  name: string;
  phase: MigrationPhase;
}

export type ExpandOutcome =
  | { outcome: 'done'; applied: AppliedStep[] }
  | { outcome: 'skipped'; reason: 'aborted'; applied: [] }
  /** `shouldContinue` said no (the stable revision degraded): the engine aborts the rollout. */
  | { outcome: 'stopped'; applied: AppliedStep[] };

export type ContractOutcome =
  | { outcome: 'done'; applied: AppliedStep[] }
  | { outcome: 'waiting' | 'never'; decision: ContractDecision; applied: [] };

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function defaultActor(): string {
  return `${userInfo().username}@${hostname()} pid ${process.pid}`;
}

async function connect(opts: Pick<MigrateOptions, 'databaseUrl' | 'openSession' | 'lockTimeoutMs' | 'statementTimeoutMs'>): Promise<SqlSession> {
  const session = opts.openSession ? await opts.openSession() : await openSession(opts.databaseUrl);
  await session.query(`SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)`, [
    `${Math.round(opts.lockTimeoutMs)}ms`,
    `${Math.round(opts.statementTimeoutMs)}ms`,
  ]);
  return session;
}

/** Connects, takes the advisory lock, ensures the audit table, reads and plans; then `fn`. */
async function locked<T>(
  opts: MigrateOptions,
  fn: (ctx: PhaseContext, plan: MigrationPlan, records: MigrationRecord[]) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const client = await connect(opts);
  const stopCancelling = signal ? cancelOnAbort(client, signal) : () => undefined;
  const sleep = opts.sleep ?? realSleep;
  const onEvent = opts.onEvent ?? (() => undefined);
  try {
    return await withMigrationLock(client, { waitMs: opts.lockWaitMs ?? 600_000, sleep, onWait: () => onEvent({ type: 'lock-wait' }) }, async () => {
      await ensureAuditTable(client);
      const records = await readRecords(client);
      const plan = planMigrations(opts.migrations, records);
      for (const p of plan.problems) if (!p.blocking) onEvent({ type: 'problem', message: p.message });
      await closeAbandoned(client, records);
      const ctx: PhaseContext = {
        client, sleep, onEvent, signal,
        maxLockRetries: opts.maxLockRetries,
        retryBaseMs: opts.retryBaseMs ?? 500,
        retryCapMs: opts.retryCapMs ?? 30_000,
        appliedBy: opts.appliedBy ?? defaultActor(),
        revision: opts.revision ?? null,
      };
      return fn(ctx, plan, records);
    });
  } finally {
    stopCancelling();
    await client.close();
  }
}

/**
 * When `signal` aborts, cancels the runner's statement in flight: a transactional phase then
 * rolls back whole, so stopping an expand because the stable revision degraded leaves the
 * schema as it was. (Without a second session, as on PGlite, the run stops between steps.)
 */
function cancelOnAbort(session: SqlSession, signal: AbortSignal): () => void {
  const cancel = (): void => session.cancel?.();
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

function throwIfBlocked(plan: MigrationPlan, names: readonly string[]): void {
  const blocking = blockingProblemsFor(plan, names);
  if (blocking.length > 0) throw new MigrationBlockedError(blocking);
}

function byName(opts: MigrateOptions): Map<string, Migration> {
  return new Map(opts.migrations.map((m) => [m.name, m]));
}

/**
 * Lints the given phases of the given migrations, with the schema facts of the whole set
 * `context` (so a type change or SET NOT NULL is judged by what earlier migrations declared);
 * throws when anything is flagged.
 */
async function lintOrThrow(migrations: Migration[], phases: MigrationPhase[], context: readonly Migration[]): Promise<Map<string, MigrationLint>> {
  const results = await lintMigrations(migrations, phases, context);
  const findings = results.flatMap((r) => r.findings);
  if (findings.length > 0) throw new MigrationLintError(findings);
  return new Map(results.map((r) => [r.name, r]));
}

/** Names up to and including `upTo` (all when undefined); an unknown name is an input error. */
function upTo(names: string[], all: Map<string, Migration>, last: string | undefined): string[] {
  if (last === undefined) return names;
  if (!all.has(last)) throw new InvalidInputError('unknown-migration', `no migration named ${last}`, { name: last });
  return names.filter((n) => n <= last);
}

/**
 * Runs every pending expand, each followed by its backfill, in name order. Call it before the
 * new revision's first process starts. The engine watches the stable revision meanwhile and
 * stops the run when it degrades: `signal` cancels the statement in flight, `shouldContinue` is
 * asked between steps and backfill batches. Either way the outcome is `stopped`.
 */
export async function runExpand(
  opts: MigrateOptions & { aborted?: boolean; upTo?: string; shouldContinue?: () => Promise<boolean> | boolean; signal?: AbortSignal },
): Promise<ExpandOutcome> {
  if (decideExpand({ aborted: opts.aborted ?? false }).action === 'skip') return { outcome: 'skipped', reason: 'aborted', applied: [] };
  const all = byName(opts);
  const signal = opts.signal;
  const shouldContinue = async (): Promise<boolean> => !signal?.aborted && (opts.shouldContinue ? await opts.shouldContinue() : true);
  const applied: AppliedStep[] = [];
  try {
    return await locked(
      opts,
      async (ctx, plan) => {
        const expand = upTo(plan.expand, all, opts.upTo);
        const backfill = upTo(plan.backfill, all, opts.upTo);
        throwIfBlocked(plan, expand);
        const names = [...new Set([...expand, ...backfill])].sort();
        const migrations = names.map((n) => all.get(n)).filter((m): m is Migration => m !== undefined);
        const lint = await lintOrThrow(migrations, ['expand', 'backfill'], opts.migrations);
        for (const m of migrations) {
          const l = lint.get(m.name);
          if (!l) continue;
          if (!(await shouldContinue())) return { outcome: 'stopped', applied };
          if (expand.includes(m.name) && l.parsed.expand) {
            await applyPhase(ctx, m, 'expand', l.parsed.expand, l.ignored.filter((i) => i.file === m.expand.path));
            applied.push({ name: m.name, phase: 'expand' });
          }
          if (backfill.includes(m.name) && l.parsed.backfill && m.backfill) {
            const path = m.backfill.path;
            const r = await runBackfill(ctx, m, l.parsed.backfill, l.ignored.filter((i) => i.file === path), { maxBatches: opts.maxBackfillBatches ?? 100_000, shouldContinue });
            if (r.stopped) return { outcome: 'stopped', applied };
            applied.push({ name: m.name, phase: 'backfill' });
          }
        }
        return { outcome: 'done', applied };
      },
      signal,
    );
  } catch (e) {
    // A statement cancelled on purpose is a stop, not a failure.
    if (signal?.aborted) return { outcome: 'stopped', applied };
    throw e;
  }
}

/**
 * Runs pending contracts, only when `decideContract(guard)` says run (`'manual'`: a person
 * asked for it by hand). Before each contract its backfill runs once more, to catch rows the
 * old revision wrote during the canary.
 */
export async function runContract(opts: MigrateOptions & { guard: ContractGuardInput | 'manual'; upTo?: string }): Promise<ContractOutcome> {
  if (opts.guard !== 'manual') {
    const decision = decideContract(opts.guard);
    if (decision.action !== 'run') return { outcome: decision.action === 'never' ? 'never' : 'waiting', decision, applied: [] };
  }
  const all = byName(opts);
  return locked(opts, async (ctx, plan) => {
    const names = upTo(pendingContracts(plan), all, opts.upTo);
    throwIfBlocked(plan, names);
    const migrations = names.map((n) => all.get(n)).filter((m): m is Migration => m !== undefined);
    const lint = await lintOrThrow(migrations, ['backfill', 'contract'], opts.migrations);
    const applied: AppliedStep[] = [];
    for (const m of migrations) {
      const l = lint.get(m.name);
      if (!l?.parsed.contract || !m.contract) continue;
      if (l.parsed.backfill && m.backfill) {
        const path = m.backfill.path;
        await runBackfill(ctx, m, l.parsed.backfill, l.ignored.filter((i) => i.file === path), { maxBatches: opts.maxBackfillBatches ?? 100_000, shouldContinue: () => Promise.resolve(true) });
        applied.push({ name: m.name, phase: 'backfill' });
      }
      const path = m.contract.path;
      await applyPhase(ctx, m, 'contract', l.parsed.contract, l.ignored.filter((i) => i.file === path));
      applied.push({ name: m.name, phase: 'contract' });
    }
    return { outcome: 'done', applied };
  });
}

/**
 * Runs `rollback.sql` of `name`, for a person: only while its contract has not run (after the
 * contract the old schema is gone) and only for the latest expanded migration.
 */
export async function runRollback(opts: MigrateOptions & { name: string }): Promise<AppliedStep[]> {
  const m = byName(opts).get(opts.name);
  if (!m) throw new InvalidInputError('unknown-migration', `no migration named ${opts.name}`, { name: opts.name });
  if (!m.rollback) throw new InvalidInputError('migration-no-rollback', `${opts.name} has no rollback.sql`, { name: opts.name });
  const lint = await lintMigrations([m], ['rollback']);
  const parsed = lint[0]?.parsed.rollback;
  if (!parsed) throw new InvalidInputError('migration-no-rollback', `${opts.name} has no rollback.sql`, { name: opts.name });
  return locked(opts, async (ctx, plan) => {
    const decision = decideRollback(plan, opts.name);
    if (decision.action === 'refuse') throw new InvalidInputError(decision.code, decision.message, { name: opts.name });
    await applyPhase(ctx, m, 'rollback', parsed, []);
    return [{ name: m.name, phase: 'rollback' }];
  });
}

/**
 * The audit records and the plan, without changing anything. While another controller holds
 * the migration lock its `running` phase is live, not interrupted: `runInProgress` says so and
 * those problems are turned into non-blocking notes.
 */
export async function readStatus(
  opts: Pick<MigrateOptions, 'databaseUrl' | 'openSession' | 'migrations' | 'lockTimeoutMs' | 'statementTimeoutMs'>,
): Promise<{ plan: MigrationPlan; records: MigrationRecord[]; runInProgress: boolean }> {
  const client = await connect(opts);
  try {
    const runInProgress = await migrationLockHeld(client);
    const records = await readRecords(client);
    const planned = planMigrations(opts.migrations, records);
    return { plan: runInProgress ? withRunInProgress(planned) : planned, records, runInProgress };
  } finally {
    await client.close();
  }
}
