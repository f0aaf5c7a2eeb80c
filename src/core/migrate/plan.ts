/**
 * What would run, in which phase: the migrations on disk against the audit records in
 * `baton_schema_migrations`. Pure; the runner reads both and calls this under the advisory lock.
 */
import type { Migration, MigrationPhase, MigrationRecord } from './types.js';

/** Where one phase of one migration stands. */
export type PhaseState =
  /** Has a file and never ran (or was rolled back). */
  | 'pending'
  | 'applied'
  /** Failed with nothing half-done (the transaction rolled back): safe to run again. */
  | 'failed'
  /** Started and never finished, or failed part-way outside a transaction: a person must look. */
  | 'interrupted'
  /** The migration has no file for this phase. */
  | 'none';

export interface MigrationState {
  name: string;
  expand: PhaseState;
  backfill: PhaseState;
  contract: PhaseState;
  /** The record behind an `interrupted` phase, for the report. */
  interruptedRecord?: MigrationRecord;
}

export type ProblemKind = 'checksum-drift' | 'interrupted' | 'out-of-order' | 'missing-on-disk';

export interface MigrationProblem {
  kind: ProblemKind;
  name: string;
  phase?: MigrationPhase;
  /** When true the runner refuses to go on until a person resolves it. */
  blocking: boolean;
  message: string;
}

export interface MigrationPlan {
  states: MigrationState[];
  /** Names whose expand runs before the new revision's first process, in order. */
  expand: string[];
  /** Names whose backfill runs after their expand (and once more before their contract). */
  backfill: string[];
  /** Names whose contract runs after promotion, the bake time, and the last old process. */
  contract: string[];
  problems: MigrationProblem[];
}

type Phase = 'expand' | 'backfill' | 'contract';

/** Records of one migration since its last successful rollback, oldest first. */
function currentEpoch(records: readonly MigrationRecord[]): MigrationRecord[] {
  let start = 0;
  records.forEach((r, i) => {
    if (r.phase === 'rollback' && r.status === 'done') start = i + 1;
  });
  return records.slice(start);
}

function phaseState(epoch: readonly MigrationRecord[], phase: Phase, hasFile: boolean): { state: PhaseState; last?: MigrationRecord; crashed?: boolean } {
  const last = [...epoch].reverse().find((r) => r.phase === phase);
  if (!last) return { state: hasFile ? 'pending' : 'none' };
  switch (last.status) {
    case 'done':
      return { state: 'applied', last };
    case 'running':
      // Read under the advisory lock, a `running` row belongs to a runner that died. Inside a
      // transaction PostgreSQL rolled its work back, so running it again is safe.
      return { state: last.transactional ? 'failed' : 'interrupted', last, crashed: true };
    case 'failed':
      // Outside a transaction each statement commits on its own: a failure after the first
      // leaves the schema half-changed, which a blind retry could make worse.
      return { state: !last.transactional && last.statementsDone > 0 ? 'interrupted' : 'failed', last };
    default: {
      const never: never = last.status;
      return never;
    }
  }
}

/** The contracts that can run now: pending in `plan` and of a migration whose expand is applied. */
export function pendingContracts(plan: MigrationPlan): string[] {
  const expanded = new Set(plan.states.filter((st) => st.expand === 'applied').map((st) => st.name));
  return plan.contract.filter((n) => expanded.has(n));
}

/**
 * Plans migrations (sorted by name) against their audit records (any order).
 *
 * Example: `0001` applied through contract, `0002` expanded, `0003` new on disk ->
 * `{expand: ['0003'], backfill: [...], contract: ['0002', '0003']}` (when both have a contract).
 */
export function planMigrations(migrations: readonly Migration[], records: readonly MigrationRecord[]): MigrationPlan {
  const sorted = [...migrations].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byName = new Map<string, MigrationRecord[]>();
  for (const r of [...records].sort((a, b) => a.id - b.id)) {
    const list = byName.get(r.name) ?? [];
    list.push(r);
    byName.set(r.name, list);
  }
  const plan: MigrationPlan = { states: [], expand: [], backfill: [], contract: [], problems: [] };
  for (const m of sorted) {
    const epoch = currentEpoch(byName.get(m.name) ?? []);
    const state: MigrationState = { name: m.name, expand: 'pending', backfill: 'none', contract: 'none' };
    for (const phase of ['expand', 'backfill', 'contract'] as const) {
      const file = m[phase];
      const { state: s, last, crashed } = phaseState(epoch, phase, file !== undefined);
      state[phase] = s;
      if (crashed && s === 'failed' && last) {
        plan.problems.push({
          kind: 'interrupted', name: m.name, phase, blocking: false,
          message: `${m.name} ${phase} was interrupted (started ${last.startedAt} by ${last.appliedBy}); its transaction was rolled back, so it runs again`,
        });
      }
      if (s === 'interrupted' && last) {
        state.interruptedRecord = last;
        plan.problems.push({
          kind: 'interrupted', name: m.name, phase, blocking: true,
          message: `${m.name} ${phase} was interrupted after ${last.statementsDone} of ${last.statementsTotal} statements (started ${last.startedAt} by ${last.appliedBy}); check the schema, then finish it by hand or run rollback`,
        });
      }
      if (s === 'applied' && last) {
        if (!file) {
          plan.problems.push({ kind: 'checksum-drift', name: m.name, phase, blocking: true, message: `${m.name}/${phase}.sql was applied but is gone from disk` });
        } else if (file.checksum !== last.checksum) {
          plan.problems.push({
            kind: 'checksum-drift', name: m.name, phase, blocking: true,
            message: `${file.path} was edited after it was applied (checksum ${last.checksum.slice(0, 12)} applied, ${file.checksum.slice(0, 12)} on disk); write a new migration instead`,
          });
        }
      }
    }
    if (state.expand === 'pending' || state.expand === 'failed') plan.expand.push(m.name);
    if (state.backfill === 'pending' || state.backfill === 'failed') plan.backfill.push(m.name);
    if (state.contract === 'pending' || state.contract === 'failed') plan.contract.push(m.name);
    plan.states.push(state);
  }
  // A migration merged late from a branch sorts before one already applied: running it now
  // would apply migrations out of their written order, so a person renames it (as Flyway does).
  const lastApplied = plan.states.filter((s) => s.expand === 'applied').map((s) => s.name).pop();
  for (const s of plan.states) {
    if (lastApplied !== undefined && s.name < lastApplied && (s.expand === 'pending' || s.expand === 'failed')) {
      plan.problems.push({ kind: 'out-of-order', name: s.name, phase: 'expand', blocking: true, message: `${s.name} is not applied but sorts before ${lastApplied}, which is; rename it to run after ${lastApplied}` });
    }
  }
  const onDisk = new Set(sorted.map((m) => m.name));
  for (const name of byName.keys()) {
    if (!onDisk.has(name)) plan.problems.push({ kind: 'missing-on-disk', name, blocking: false, message: `${name} is recorded in the database but has no directory on disk` });
  }
  return plan;
}

/** Problems that stop the runner. */
export function blockingProblems(plan: MigrationPlan): MigrationProblem[] {
  return plan.problems.filter((p) => p.blocking);
}

/**
 * Problems that stop a run of the migrations `names`: every blocking problem, except that an
 * out-of-order migration blocks only a run that would apply it.
 */
export function blockingProblemsFor(plan: MigrationPlan, names: readonly string[]): MigrationProblem[] {
  return blockingProblems(plan).filter((p) => names.includes(p.name) || p.kind !== 'out-of-order');
}

/**
 * While another controller holds the migration lock, a phase recorded as running is live, not
 * interrupted: those problems become non-blocking notes saying so.
 */
export function withRunInProgress(plan: MigrationPlan): MigrationPlan {
  return {
    ...plan,
    problems: plan.problems.map((p) => (p.kind === 'interrupted' ? { ...p, blocking: false, message: `${p.name} ${p.phase ?? ''} is running now (another controller holds the migration lock)` } : p)),
  };
}
