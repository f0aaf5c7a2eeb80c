/**
 * The store's own schema and its migrations. The version lives in SQLite's `user_version`
 * pragma (https://www.sqlite.org/pragma.html#pragma_user_version): migration i takes the file from
 * version i to i + 1, each in its own transaction, so a crash mid-upgrade leaves a file at the
 * previous version that the next start upgrades again.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './store-error.js';

const MIGRATIONS: readonly string[] = [
  // 0 -> 1: the first schema.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

  CREATE TABLE manifest_generations (
    generation INTEGER PRIMARY KEY AUTOINCREMENT,
    applied_at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    digest TEXT NOT NULL
  ) STRICT;
  CREATE TABLE manifest_files (
    generation INTEGER NOT NULL REFERENCES manifest_generations(generation) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    path TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (generation, ord)
  ) STRICT;

  -- One row per rollout: the engine's state as JSON, and the status as columns for list/get.
  CREATE TABLE rollouts (
    name TEXT PRIMARY KEY,
    state_json TEXT NOT NULL,
    phase TEXT,
    message TEXT,
    step_index INTEGER,
    step_count INTEGER,
    canary_weight INTEGER NOT NULL,
    stable_revision INTEGER,
    current_revision INTEGER,
    aborted INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE revisions (
    rollout TEXT NOT NULL REFERENCES rollouts(name) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    revision INTEGER NOT NULL,
    image TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (rollout, hash)
  ) STRICT;

  -- A run without its measurements (run_json has empty measurement lists); they are rows below.
  CREATE TABLE analysis_runs (
    rollout TEXT NOT NULL REFERENCES rollouts(name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    ord INTEGER NOT NULL,
    kind TEXT NOT NULL,
    phase TEXT NOT NULL,
    message TEXT,
    started_at INTEGER NOT NULL,
    completed_at INTEGER,
    run_json TEXT NOT NULL,
    -- Hash of the whole run with its measurements: a save rewrites only the runs that changed.
    digest TEXT NOT NULL,
    PRIMARY KEY (rollout, name)
  ) STRICT;

  CREATE TABLE measurements (
    rollout TEXT NOT NULL,
    run TEXT NOT NULL,
    metric_index INTEGER NOT NULL,
    metric TEXT NOT NULL,
    seq INTEGER NOT NULL,
    phase TEXT NOT NULL,
    value TEXT,
    message TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    metadata_json TEXT,
    PRIMARY KEY (rollout, run, metric_index, seq),
    FOREIGN KEY (rollout, run) REFERENCES analysis_runs(rollout, name) ON DELETE CASCADE
  ) STRICT;

  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rollout TEXT NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    data_json TEXT NOT NULL
  ) STRICT;
  CREATE INDEX events_by_rollout ON events (rollout, id);
  CREATE INDEX events_by_at ON events (at);

  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details_json TEXT
  ) STRICT;
  CREATE INDEX audit_by_target ON audit (target, id);
  `,
  // 1 -> 2: manifests per object (src/adapters/store/sqlite/manifests.ts). A generation lists its
  // objects; each distinct text is stored once, by digest, so an edit of one object writes that
  // object's text only. Generations written before keep their manifest_files rows.
  `
  CREATE TABLE manifest_texts (digest TEXT PRIMARY KEY, text TEXT NOT NULL) STRICT;
  CREATE TABLE manifest_objects (
    generation INTEGER NOT NULL REFERENCES manifest_generations(generation) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    kind TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    from_directory INTEGER NOT NULL,
    digest TEXT NOT NULL REFERENCES manifest_texts(digest),
    PRIMARY KEY (generation, ord)
  ) STRICT;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file up to {@link SCHEMA_VERSION}; refuses a file from a newer Baton. */
export function migrate(db: Database.Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new StoreError(
      'store-too-new',
      `state database ${path} has schema version ${current}, newer than ${SCHEMA_VERSION} which this Baton knows; upgrade Baton or use another --state-dir`,
      path,
      { version: current, known: SCHEMA_VERSION },
    );
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    const sql = MIGRATIONS[v] ?? '';
    // IMMEDIATE: take the write lock first, so two processes opening a new file at once do not both migrate.
    db.transaction(() => {
      if ((db.pragma('user_version', { simple: true }) as number) !== v) return;
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
