/**
 * The rollout-side decisions for schema changes, as plain data the engine acts on:
 * - expands (and backfills) run before the new revision's first process starts;
 * - contracts run only after promotion, after the bake time, when no process of an older
 *   revision is left, and never after an abort (the stable revision still needs the old schema).
 */
import type { MigrationPlan } from './plan.js';

export interface ContractGuardInput {
  /** The rollout was aborted: the contract must never run for it. */
  aborted: boolean;
  /** When the rollout was fully promoted (ms), or undefined while it is still in progress. */
  promotedAtMs: number | undefined;
  nowMs: number;
  bakeTimeMs: number;
  /** Processes of any revision older than the promoted one that are still alive. */
  olderRevisionProcesses: number;
}

export type ContractDecision =
  | { action: 'run' }
  | { action: 'wait'; reason: 'not-promoted' | 'old-revision-running' | 'baking'; message: string; untilMs?: number }
  | { action: 'never'; reason: 'aborted'; message: string };

/**
 * Example: promoted at t=1000 with a 600000 ms bake time and no old processes -> at t=300000
 * `{wait, baking, untilMs: 601000}`; at t=601000 `{run}`.
 */
export function decideContract(input: ContractGuardInput): ContractDecision {
  if (input.aborted) return { action: 'never', reason: 'aborted', message: 'the rollout was aborted: the stable revision still uses the old schema, so the contract never runs' };
  if (input.promotedAtMs === undefined) return { action: 'wait', reason: 'not-promoted', message: 'the rollout is not promoted yet' };
  if (input.olderRevisionProcesses > 0) {
    return { action: 'wait', reason: 'old-revision-running', message: `${input.olderRevisionProcesses} process(es) of an older revision still running` };
  }
  const untilMs = input.promotedAtMs + input.bakeTimeMs;
  if (input.nowMs < untilMs) return { action: 'wait', reason: 'baking', message: `bake time: ${untilMs - input.nowMs} ms left`, untilMs };
  return { action: 'run' };
}

export interface ExpandGuardInput {
  aborted: boolean;
}

export type ExpandDecision = { action: 'run' } | { action: 'skip'; reason: 'aborted'; message: string };

/** Expands run for every rollout that is not aborted (they are safe for the stable revision). */
export function decideExpand(input: ExpandGuardInput): ExpandDecision {
  return input.aborted ? { action: 'skip', reason: 'aborted', message: 'the rollout was aborted before its expand ran' } : { action: 'run' };
}

/**
 * Whether the new revision's first process may start: only once every expand and backfill in
 * the plan has been applied and nothing blocks.
 */
export function mayStartNewRevision(plan: MigrationPlan): boolean {
  return plan.expand.length === 0 && plan.backfill.length === 0 && !plan.problems.some((p) => p.blocking);
}

/**
 * Delay before retry number `attempt` (1-based) after a lock timeout: exponential back-off,
 * capped. With base 500 ms and cap 30 s: 500, 1000, 2000, 4000, ... 30000.
 */
export function lockRetryDelayMs(attempt: number, baseMs = 500, capMs = 30_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

export type RollbackDecision =
  | { action: 'run' }
  | { action: 'refuse'; code: 'migration-not-applied' | 'migration-contracted' | 'rollback-not-last'; message: string };

/**
 * A rollback undoes an expand, by hand: only of an expanded migration, never after its contract
 * (the old schema is gone), and only of the last one expanded (later ones depend on it).
 */
export function decideRollback(plan: MigrationPlan, name: string): RollbackDecision {
  const state = plan.states.find((s) => s.name === name);
  if (!state || state.expand === 'pending') return { action: 'refuse', code: 'migration-not-applied', message: `${name} is not expanded: nothing to roll back` };
  if (state.contract === 'applied' || state.contract === 'interrupted') {
    return { action: 'refuse', code: 'migration-contracted', message: `${name} has been contracted: the old schema is gone, write a new migration instead` };
  }
  const later = plan.states.find((s) => s.name > name && s.expand !== 'pending');
  if (later) return { action: 'refuse', code: 'rollback-not-last', message: `${later.name} was expanded after ${name}: roll it back first` };
  return { action: 'run' };
}
