/**
 * Baton's state on one machine: a SQLite file in the state dir (better-sqlite3, synchronous, so
 * a save is one call the engine cannot interleave with anything).
 *
 * Durability: WAL journal (https://www.sqlite.org/wal.html) so the CLI reads while the controller
 * writes, and `synchronous=NORMAL` by default: in WAL mode a commit is in the WAL file before
 * the call returns, so a `kill -9` of the controller loses no committed save; only a power loss
 * can undo the last few commits (never corrupt the file), and after a power loss the processes
 * the state describes are gone too. `synchronous: 'FULL'` fsyncs every commit for hosts that
 * want power-loss durability at the cost of one fsync per save.
 */
import Database from 'better-sqlite3';
import { createSystemClock } from '../../clock/system.js';
import { InvalidInputError } from '../../../core/errors.js';
import type { RolloutStatus } from '../../../core/rollout/index.js';
import type { Clock } from '../../../ports/clock.js';
import type {
  AnalysisRunSummary,
  MeasurementRow,
  RevisionSummary,
  RolloutRecord,
  RolloutSummary,
  RuntimeStateStore,
  SaveTick,
} from '../../../ports/state-store.js';
import { prepareJournalStatements } from './events-audit.js';
import { prepareManifestStatements } from './manifests.js';
import { prepareRecordStatements, readRecord, writeRecord } from './records.js';
import { SCHEMA_VERSION, migrate } from './schema.js';
import { StoreError, toStoreError } from './store-error.js';

export { StoreError, type StoreErrorCode } from './store-error.js';
export { SCHEMA_VERSION } from './schema.js';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** For `updatedAt` of rollouts. Default: the system clock. */
  clock?: Clock;
  /** How long a write waits for another connection's write lock before `store-locked`. Default 5000. */
  busyTimeoutMs?: number;
  /** Default NORMAL (see the file comment for why). */
  synchronous?: 'NORMAL' | 'FULL';
  /** Completed analysis runs kept per rollout, besides those the state still owns. Default 20. */
  maxCompletedRuns?: number;
  /** Events kept per rollout, the newest; trimmed every cap/100 appends, so up to 1 % more between trims. Default 10,000. */
  maxEventsPerRollout?: number;
  /** Open an existing file for reading only (the CLI beside a running controller). */
  readonly?: boolean;
}

/** The SQLite {@link RuntimeStateStore}. */
export interface SqliteStore extends RuntimeStateStore {
  readonly path: string;
  /** The schema version of the file (SQLite `user_version`). */
  readonly schemaVersion: number;
}

interface SummaryRow {
  name: string;
  phase: RolloutSummary['phase'] | null;
  message: string | null;
  step_index: number | null;
  step_count: number | null;
  canary_weight: number;
  stable_revision: number | null;
  current_revision: number | null;
  aborted: number;
  updated_at: number;
}

/**
 * Opens (creating and migrating when needed) the state database at `path`. Throws
 * {@link StoreError} naming the file when it is corrupt, locked, too new or cannot be opened.
 */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  const clock = opts.clock ?? createSystemClock();
  const readonly = opts.readonly ?? false;
  const limits = { maxCompletedRuns: opts.maxCompletedRuns ?? 20 };
  const maxEvents = opts.maxEventsPerRollout ?? 10_000;
  for (const [name, value, min] of [['maxCompletedRuns', limits.maxCompletedRuns, 0], ['maxEventsPerRollout', maxEvents, 1], ['busyTimeoutMs', opts.busyTimeoutMs ?? 0, 0]] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new InvalidInputError('invalid-store-option', `openSqliteStore: ${name} must be an integer >= ${min}, got ${value}`, { option: name, value });
    }
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly, timeout: opts.busyTimeoutMs ?? 5000 });
  } catch (e) {
    const err = toStoreError(e, path, 'open');
    if (err instanceof StoreError) throw err;
    // better-sqlite3 checks the directory itself and throws a plain TypeError for a missing one.
    const reason = e instanceof Error ? e.message : String(e);
    throw new StoreError('store-open-failed', `state database ${path} cannot be opened: ${reason}`, path);
  }
  try {
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    }
    db.pragma('foreign_keys = ON');
    // A damaged page shows here, at start, rather than in the middle of a rollout.
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw new StoreError('store-corrupt', `state database ${path} is damaged (quick_check: ${check}); move it aside or restore a copy`, path);
    if (readonly) {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== SCHEMA_VERSION) {
        throw new StoreError(
          version > SCHEMA_VERSION ? 'store-too-new' : 'store-failed',
          `state database ${path} has schema version ${version}, this Baton reads ${SCHEMA_VERSION}${version > SCHEMA_VERSION ? '; upgrade Baton' : '; start the controller once to upgrade it'}`,
          path,
          { version, known: SCHEMA_VERSION },
        );
      }
    } else {
      migrate(db, path);
    }
  } catch (e) {
    db.close();
    throw toStoreError(e, path, 'open');
  }
  return createStore(db, path, clock, limits, maxEvents);
}

function createStore(db: Database.Database, path: string, clock: Clock, limits: { maxCompletedRuns: number }, maxEvents: number): SqliteStore {
  const records = prepareRecordStatements(db);
  const journal = prepareJournalStatements(db, maxEvents);
  const manifests = prepareManifestStatements(db);
  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const summaries = db.prepare<[], SummaryRow>('SELECT * FROM rollouts ORDER BY name');
  const summary = db.prepare<[string], SummaryRow>('SELECT * FROM rollouts WHERE name = ?');
  const revisions = db.prepare<[string], { revision: number; hash: string; image: string | null; created_at: number }>(
    'SELECT revision, hash, image, created_at FROM revisions WHERE rollout = ? ORDER BY revision',
  );
  const runs = db.prepare<[string], { name: string; kind: AnalysisRunSummary['kind']; phase: AnalysisRunSummary['phase']; message: string | null; started_at: number; completed_at: number | null }>(
    'SELECT name, kind, phase, message, started_at, completed_at FROM analysis_runs WHERE rollout = ? ORDER BY ord',
  );

  /** One place where SQLite errors become StoreErrors naming the file. */
  function guard<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw toStoreError(e, path, doing);
    }
  }
  /**
   * A write transaction. IMMEDIATE takes the write lock at BEGIN, so waiting for another writer
   * goes through busy_timeout; a deferred one that reads first and then writes gets SQLITE_BUSY
   * at once in WAL mode (https://www.sqlite.org/lang_transaction.html). Nested calls are savepoints.
   */
  function write<T>(doing: string, fn: () => T): T {
    return guard(doing, () => db.transaction(fn).immediate());
  }
  function saveRecord(rollout: string, record: RolloutRecord, status?: RolloutStatus): void {
    writeRecord(records, { rollout, record, status, now: clock.now(), limits });
  }

  return {
    path,
    get schemaVersion() {
      return guard('read schema version', () => db.pragma('user_version', { simple: true }) as number);
    },
    load: (rollout) => guard(`load ${rollout}`, () => db.transaction(() => readRecord(records, rollout)).deferred()),
    save: (rollout, record) => write(`save ${rollout}`, () => saveRecord(rollout, record)),
    saveTick: (tick: SaveTick) =>
      write(`save ${tick.rollout}`, () => {
        saveRecord(tick.rollout, tick.record, tick.status);
        if (tick.events?.length) journal.appendEvents(tick.events);
      }),
    transaction: (fn) => write('transaction', fn),
    // Revisions, runs and measurements go by ON DELETE CASCADE (foreign_keys is on).
    deleteRollout: (name) => write(`delete ${name}`, () => void records.deleteRollout.run(name)),
    applyManifests: (input) => write('apply manifests', () => manifests.apply(input)),
    appliedManifests: () => guard('read manifests', () => db.transaction(() => manifests.applied()).deferred()),
    manifestGeneration: (n) => guard('read manifests', () => db.transaction(() => manifests.generation(n)).deferred()),
    applyManifestObjects: (input) => write('apply manifests', () => manifests.applyObjects(input)),
    manifestObjects: () => guard('read manifests', () => db.transaction(() => manifests.objects()).deferred()),
    rollouts: () => guard('list rollouts', () => summaries.all().map(toSummary)),
    rollout: (name) => guard(`get ${name}`, () => {
      const row = summary.get(name);
      return row ? toSummary(row) : undefined;
    }),
    revisions: (rollout): RevisionSummary[] =>
      guard(`history of ${rollout}`, () =>
        revisions.all(rollout).map((r) => {
          const out: RevisionSummary = { revision: r.revision, hash: r.hash, createdAt: r.created_at };
          if (r.image !== null) out.image = r.image;
          return out;
        }),
      ),
    analysisRuns: (rollout): AnalysisRunSummary[] =>
      guard(`analysis runs of ${rollout}`, () =>
        runs.all(rollout).map((r) => {
          const out: AnalysisRunSummary = { rollout, name: r.name, kind: r.kind, phase: r.phase, startedAt: r.started_at };
          if (r.message !== null) out.message = r.message;
          if (r.completed_at !== null) out.completedAt = r.completed_at;
          return out;
        }),
      ),
    measurements: (query) => guard(`measurements of ${query.rollout}`, () => selectMeasurements(db, query)),
    appendEvent: (event) => write('append event', () => journal.appendEvents([event])),
    events: (query = {}) => guard('read events', () => journal.events(query)),
    recordAudit: (entry) => write('record audit', () => journal.recordAudit(entry)),
    audit: (query = {}) => guard('read audit', () => journal.audit(query)),
    getMeta: (key) => guard('read meta', () => getMeta.get(key)?.value),
    setMeta: (key, value) => write('write meta', () => void setMeta.run(key, value)),
    close: () => {
      if (db.open) db.close();
    },
  };
}

function toSummary(r: SummaryRow): RolloutSummary {
  const out: RolloutSummary = {
    name: r.name,
    canaryWeight: r.canary_weight,
    stableWeight: 100 - r.canary_weight,
    aborted: r.aborted === 1,
    updatedAt: r.updated_at,
  };
  if (r.phase !== null) out.phase = r.phase;
  if (r.message !== null) out.message = r.message;
  if (r.step_index !== null) out.stepIndex = r.step_index;
  if (r.step_count !== null) out.stepCount = r.step_count;
  if (r.stable_revision !== null) out.stableRevision = r.stable_revision;
  if (r.current_revision !== null) out.currentRevision = r.current_revision;
  return out;
}

function selectMeasurements(db: Database.Database, query: { rollout: string; run?: string; metric?: string }): MeasurementRow[] {
  const where = ['rollout = @rollout'];
  if (query.run !== undefined) where.push('run = @run');
  if (query.metric !== undefined) where.push('metric = @metric');
  const rows = db
    .prepare<[typeof query], { run: string; metric: string; phase: MeasurementRow['phase']; value: string | null; message: string | null; started_at: number; finished_at: number | null }>(
      `SELECT run, metric, phase, value, message, started_at, finished_at FROM measurements WHERE ${where.join(' AND ')} ORDER BY started_at, run, metric_index, seq`,
    )
    .all(query);
  return rows.map((r) => {
    const out: MeasurementRow = { rollout: query.rollout, run: r.run, metric: r.metric, phase: r.phase, startedAt: r.started_at };
    if (r.value !== null) out.value = r.value;
    if (r.message !== null) out.message = r.message;
    if (r.finished_at !== null) out.finishedAt = r.finished_at;
    return out;
  });
}
