/**
 * A rollout's record as rows: the state as JSON with the status in columns, the revisions for
 * `baton history`, and each analysis run with its measurements as rows. Called inside the
 * caller's transaction; nothing here opens one.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { isCompletedPhase, type AnalysisRunState, type Measurement } from '../../../core/analysis/index.js';
import type { RolloutStatus } from '../../../core/rollout/index.js';
import type { RolloutRecord } from '../../../ports/state-store.js';

interface RunRow {
  name: string;
  ord: number;
  run_json: string;
  digest: string;
}

interface MeasurementDbRow {
  run: string;
  metric_index: number;
  phase: Measurement['phase'];
  value: string | null;
  message: string | null;
  started_at: number;
  finished_at: number | null;
  metadata_json: string | null;
}

type Statement<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;

/** The statements {@link prepareRecordStatements} makes. */
export interface RecordStatements {
  upsertWithStatus: Statement;
  upsertStateOnly: Statement;
  selectState: Statement<[string], { state_json: string }>;
  deleteRevisions: Statement;
  insertRevision: Statement;
  selectRunDigests: Statement<[string], Omit<RunRow, 'run_json'>>;
  selectRuns: Statement<[string], Pick<RunRow, 'run_json'>>;
  deleteRollout: Statement;
  upsertRun: Statement;
  deleteRun: Statement;
  deleteRunMeasurements: Statement;
  insertMeasurement: Statement;
  selectRolloutMeasurements: Statement<[string], MeasurementDbRow>;
}

/** Prepared statements for records, made once per connection. */
export function prepareRecordStatements(db: Database.Database): RecordStatements {
  return {
    upsertWithStatus: db.prepare(`
      INSERT INTO rollouts (name, state_json, phase, message, step_index, step_count, canary_weight,
                            stable_revision, current_revision, aborted, updated_at)
      VALUES (@name, @state_json, @phase, @message, @step_index, @step_count, @canary_weight,
              @stable_revision, @current_revision, @aborted, @updated_at)
      ON CONFLICT (name) DO UPDATE SET state_json = excluded.state_json, phase = excluded.phase,
        message = excluded.message, step_index = excluded.step_index, step_count = excluded.step_count,
        canary_weight = excluded.canary_weight, stable_revision = excluded.stable_revision,
        current_revision = excluded.current_revision, aborted = excluded.aborted, updated_at = excluded.updated_at`),
    // Without a status (the plain StateStore.save), the last status columns stay as they were.
    upsertStateOnly: db.prepare(`
      INSERT INTO rollouts (name, state_json, canary_weight, aborted, updated_at)
      VALUES (@name, @state_json, @canary_weight, @aborted, @updated_at)
      ON CONFLICT (name) DO UPDATE SET state_json = excluded.state_json, canary_weight = excluded.canary_weight,
        aborted = excluded.aborted, updated_at = excluded.updated_at`),
    selectState: db.prepare<[string], { state_json: string }>('SELECT state_json FROM rollouts WHERE name = ?'),
    deleteRevisions: db.prepare('DELETE FROM revisions WHERE rollout = ?'),
    insertRevision: db.prepare('INSERT INTO revisions (rollout, hash, revision, image, created_at) VALUES (?, ?, ?, ?, ?)'),
    // A save compares digests only; the run JSON is read by load alone.
    selectRunDigests: db.prepare<[string], Omit<RunRow, 'run_json'>>('SELECT name, ord, digest FROM analysis_runs WHERE rollout = ?'),
    selectRuns: db.prepare<[string], Pick<RunRow, 'run_json'>>('SELECT run_json FROM analysis_runs WHERE rollout = ? ORDER BY ord'),
    deleteRollout: db.prepare('DELETE FROM rollouts WHERE name = ?'),
    upsertRun: db.prepare(`
      INSERT INTO analysis_runs (rollout, name, ord, kind, phase, message, started_at, completed_at, run_json, digest)
      VALUES (@rollout, @name, @ord, @kind, @phase, @message, @started_at, @completed_at, @run_json, @digest)
      ON CONFLICT (rollout, name) DO UPDATE SET ord = excluded.ord, kind = excluded.kind, phase = excluded.phase,
        message = excluded.message, started_at = excluded.started_at, completed_at = excluded.completed_at,
        run_json = excluded.run_json, digest = excluded.digest`),
    deleteRun: db.prepare('DELETE FROM analysis_runs WHERE rollout = ? AND name = ?'),
    deleteRunMeasurements: db.prepare('DELETE FROM measurements WHERE rollout = ? AND run = ?'),
    insertMeasurement: db.prepare(`
      INSERT INTO measurements (rollout, run, metric_index, metric, seq, phase, value, message, started_at, finished_at, metadata_json)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    selectRolloutMeasurements: db.prepare<[string], MeasurementDbRow>(
      'SELECT run, metric_index, phase, value, message, started_at, finished_at, metadata_json FROM measurements WHERE rollout = ? ORDER BY run, metric_index, seq',
    ),
  };
}


/** Retention applied on every save. */
export interface RecordLimits {
  /** Completed runs kept per rollout, besides those the rollout state still owns. */
  maxCompletedRuns: number;
}

/**
 * The runs to keep: every run still going, every run the rollout state still owns (the core
 * reads their phase), and the newest `maxCompletedRuns` of the other completed ones. Measurement
 * retention inside a run (`measurementRetention`) is the analysis core's, already applied.
 *
 * Worked example, limit 2: completed a(t=1), b(t=2), c(t=3), running d -> keep b, c, d.
 */
export function selectRetainedRuns(record: RolloutRecord, limits: RecordLimits): AnalysisRunState[] {
  const owned = new Set(record.rolloutState.analysisRuns.map((r) => r.name));
  const completed = record.analysisRuns
    .filter((r) => isCompletedPhase(r.phase) && !owned.has(r.name))
    .sort((a, b) => (b.completedAt ?? b.startedAt) - (a.completedAt ?? a.startedAt));
  const dropped = new Set(completed.slice(limits.maxCompletedRuns).map((r) => r.name));
  return record.analysisRuns.filter((r) => !dropped.has(r.name));
}

/** Writes a record (and a status, when given); unchanged runs are left alone. */
export function writeRecord(
  st: RecordStatements,
  input: { rollout: string; record: RolloutRecord; status?: RolloutStatus; now: number; limits: RecordLimits },
): void {
  const { rollout, record, status, now } = input;
  const state = record.rolloutState;
  const base = {
    name: rollout,
    state_json: JSON.stringify(state),
    canary_weight: status?.canaryWeight ?? state.canaryWeight,
    aborted: (status?.aborted ?? state.aborted) ? 1 : 0,
    updated_at: now,
  };
  if (status) {
    st.upsertWithStatus.run({
      ...base,
      phase: status.phase,
      message: status.message,
      step_index: status.stepIndex ?? null,
      step_count: status.stepCount,
      stable_revision: status.stableRevision ?? null,
      current_revision: status.currentRevision ?? null,
    });
  } else {
    st.upsertStateOnly.run(base);
  }

  st.deleteRevisions.run(rollout);
  for (const rev of state.revisions) {
    st.insertRevision.run(rollout, rev.hash, rev.revision, rev.template.spec.containers[0]?.image ?? null, Math.round(rev.createdAt));
  }

  const existing = new Map(st.selectRunDigests.all(rollout).map((r) => [r.name, r]));
  const kept = selectRetainedRuns(record, input.limits);
  const keptNames = new Set(kept.map((r) => r.name));
  for (const [name] of existing) {
    if (keptNames.has(name)) continue;
    st.deleteRunMeasurements.run(rollout, name);
    st.deleteRun.run(rollout, name);
  }
  kept.forEach((run, ord) => {
    const full = JSON.stringify(run);
    const digest = createHash('sha1').update(full).digest('base64');
    const prev = existing.get(run.name);
    if (prev && prev.digest === digest && prev.ord === ord) return;
    writeRun(st, rollout, run, ord, digest);
  });
}

function writeRun(st: RecordStatements, rollout: string, run: AnalysisRunState, ord: number, digest: string): void {
  const bare: AnalysisRunState = { ...run, metricResults: run.metricResults.map((m) => ({ ...m, measurements: [] })) };
  st.upsertRun.run({
    rollout,
    name: run.name,
    ord,
    kind: run.kind,
    phase: run.phase,
    message: run.message ?? null,
    // Columns are INTEGER ms; a scaled engine clock reads fractions of a millisecond.
    started_at: Math.round(run.startedAt),
    completed_at: run.completedAt === undefined ? null : Math.round(run.completedAt),
    run_json: JSON.stringify(bare),
    digest,
  });
  st.deleteRunMeasurements.run(rollout, run.name);
  run.metricResults.forEach((result, metricIndex) => {
    result.measurements.forEach((m, seq) => {
      st.insertMeasurement.run(
        rollout,
        run.name,
        metricIndex,
        result.name,
        seq,
        m.phase,
        m.value ?? null,
        m.message ?? null,
        Math.round(m.startedAt),
        m.finishedAt === undefined ? null : Math.round(m.finishedAt),
        m.metadata ? JSON.stringify(m.metadata) : null,
      );
    });
  });
}

/** Reads a record back: the state, and each run with its measurement rows put back in place. */
export function readRecord(st: RecordStatements, rollout: string): RolloutRecord | undefined {
  const row = st.selectState.get(rollout);
  if (!row) return undefined;
  const runs = st.selectRuns.all(rollout).map((r) => JSON.parse(r.run_json) as AnalysisRunState);
  const byName = new Map(runs.map((r) => [r.name, r]));
  for (const m of st.selectRolloutMeasurements.all(rollout)) {
    const result = byName.get(m.run)?.metricResults[m.metric_index];
    result?.measurements.push(toMeasurement(m));
  }
  return { rolloutState: JSON.parse(row.state_json) as RolloutRecord['rolloutState'], analysisRuns: runs };
}

function toMeasurement(m: Omit<MeasurementDbRow, 'run' | 'metric_index'>): Measurement {
  const out: Measurement = { phase: m.phase, startedAt: m.started_at };
  if (m.value !== null) out.value = m.value;
  if (m.message !== null) out.message = m.message;
  if (m.finished_at !== null) out.finishedAt = m.finished_at;
  if (m.metadata_json !== null) out.metadata = JSON.parse(m.metadata_json) as Record<string, string>;
  return out;
}
