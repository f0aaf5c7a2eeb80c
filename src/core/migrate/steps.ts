/**
 * Where each migration of a rollout's SchemaMigrations stands, folded from the controller's
 * schema events (docs/migrations.md, "With baton up"): the last step of every migration, for
 * `baton get rollout`. Kept apart from the event log, which is trimmed.
 */

export type SchemaStepPhase = 'expand' | 'backfill' | 'contract';
export type SchemaStepState = 'running' | 'done' | 'failed' | 'skipped';

export interface SchemaStep {
  /** `namespace/name` of the SchemaMigration. */
  schemaMigration: string;
  /** The migration directory's name; empty when a failure came before any migration ran. */
  migration: string;
  phase: SchemaStepPhase;
  state: SchemaStepState;
  /** The rollout revision the step went out with. */
  revision?: number;
  /** Engine-clock ms of the event. */
  at: number;
  /** Why it failed or was skipped. */
  message?: string;
}

/** A schema event as the coordinator reports it (`type`, `at` and its fields). */
export interface SchemaEventLike {
  type: string;
  at: number;
  [field: string]: unknown;
}

const STEP: Record<string, { phase?: SchemaStepPhase; state: SchemaStepState }> = {
  SchemaExpandStarted: { phase: 'expand', state: 'running' },
  SchemaExpanded: { phase: 'expand', state: 'done' },
  SchemaBackfilled: { phase: 'backfill', state: 'done' },
  SchemaContractStarted: { phase: 'contract', state: 'running' },
  SchemaContracted: { phase: 'contract', state: 'done' },
  SchemaContractSkipped: { phase: 'contract', state: 'skipped' },
  SchemaMigrationFailed: { state: 'failed' },
};

/** True for the events {@link applySchemaEvent} folds. */
export function isSchemaStepEvent(type: string): boolean {
  return type in STEP;
}

function phaseOf(v: unknown): SchemaStepPhase | undefined {
  return v === 'expand' || v === 'backfill' || v === 'contract' ? v : undefined;
}

/**
 * `steps` with `e` applied: the step of each (SchemaMigration, migration) it names replaces the
 * one before, in the order migrations first appeared. Other events leave `steps` as they are.
 */
export function applySchemaEvent(steps: readonly SchemaStep[], e: SchemaEventLike): SchemaStep[] {
  const kind = STEP[e.type];
  if (!kind || typeof e.schemaMigration !== 'string') return [...steps];
  const phase = kind.phase ?? phaseOf(e.phase) ?? 'expand';
  const migrations = e.type === 'SchemaContractSkipped' && Array.isArray(e.migrations) ? e.migrations.filter((m): m is string => typeof m === 'string') : [typeof e.migration === 'string' ? e.migration : ''];
  const message = typeof e.message === 'string' ? e.message : typeof e.reason === 'string' ? e.reason : undefined;
  const out = [...steps];
  for (const migration of migrations) {
    const step: SchemaStep = {
      schemaMigration: e.schemaMigration,
      migration,
      phase,
      state: kind.state,
      ...(typeof e.revision === 'number' ? { revision: e.revision } : {}),
      at: e.at,
      ...(message !== undefined ? { message } : {}),
    };
    const i = out.findIndex((s) => s.schemaMigration === step.schemaMigration && s.migration === migration);
    if (i >= 0) out[i] = step;
    else out.push(step);
  }
  return out;
}
