/**
 * The `baton_schema_migrations` audit table, kept in the migrated database itself so the
 * record and the schema it describes can never disagree about which database they belong to.
 * Append-only: one row per attempt at one phase of one migration.
 */
import type { SqlSession } from './session.js';
import type { LintIgnore, MigrationPhase, MigrationRecord, RecordStatus } from '../../core/migrate/types.js';

export const AUDIT_TABLE = 'baton_schema_migrations';

const CREATE = `
CREATE TABLE IF NOT EXISTS ${AUDIT_TABLE} (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  phase text NOT NULL CHECK (phase IN ('expand', 'backfill', 'contract', 'rollback')),
  checksum text NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  transactional boolean NOT NULL,
  statements_done integer NOT NULL DEFAULT 0,
  statements_total integer NOT NULL,
  rows_affected bigint,
  attempts integer NOT NULL DEFAULT 1,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  applied_by text NOT NULL,
  revision text,
  lint_ignores jsonb NOT NULL DEFAULT '[]',
  error text
)`;

/** Creates the table when missing; call under the advisory lock. */
export async function ensureAuditTable(client: SqlSession): Promise<void> {
  await client.query(CREATE);
}

interface Row {
  id: string;
  name: string;
  phase: MigrationPhase;
  checksum: string;
  status: RecordStatus;
  transactional: boolean;
  statements_done: number;
  statements_total: number;
  started_at: Date;
  finished_at: Date | null;
  applied_by: string;
  revision: string | null;
  error: string | null;
}

/** Every record, oldest first. */
export async function readRecords(client: SqlSession): Promise<MigrationRecord[]> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [AUDIT_TABLE]);
  if (!exists.rows[0]?.t) return [];
  const { rows } = await client.query<Row>(`SELECT * FROM ${AUDIT_TABLE} ORDER BY id`);
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    phase: r.phase,
    checksum: r.checksum,
    status: r.status,
    transactional: r.transactional,
    statementsDone: r.statements_done,
    statementsTotal: r.statements_total,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
    appliedBy: r.applied_by,
    revision: r.revision,
    error: r.error,
  }));
}

export interface StartRecord {
  name: string;
  phase: MigrationPhase;
  checksum: string;
  transactional: boolean;
  statementsTotal: number;
  appliedBy: string;
  revision: string | null;
  lintIgnores: LintIgnore[];
}

/** Inserts a `running` row (committed at once, outside any migration transaction). */
export async function startRecord(client: SqlSession, r: StartRecord): Promise<number> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO ${AUDIT_TABLE} (name, phase, checksum, status, transactional, statements_total, applied_by, revision, lint_ignores)
     VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, $8) RETURNING id`,
    [r.name, r.phase, r.checksum, r.transactional, r.statementsTotal, r.appliedBy, r.revision, JSON.stringify(r.lintIgnores)],
  );
  return Number(rows[0]?.id);
}

/** Progress after each statement of a non-transactional phase. */
export async function recordProgress(client: SqlSession, id: number, statementsDone: number): Promise<void> {
  await client.query(`UPDATE ${AUDIT_TABLE} SET statements_done = $2 WHERE id = $1`, [id, statementsDone]);
}

export async function recordAttempt(client: SqlSession, id: number, attempts: number): Promise<void> {
  await client.query(`UPDATE ${AUDIT_TABLE} SET attempts = $2 WHERE id = $1`, [id, attempts]);
}

/** Marks the row finished: `done` (inside the migration transaction when there is one) or `failed`. */
export async function finishRecord(
  client: SqlSession,
  id: number,
  status: 'done' | 'failed',
  fields: { statementsDone?: number; rowsAffected?: number; error?: string },
): Promise<void> {
  await client.query(
    `UPDATE ${AUDIT_TABLE} SET status = $2, finished_at = clock_timestamp(),
       statements_done = COALESCE($3, statements_done), rows_affected = COALESCE($4, rows_affected), error = $5
     WHERE id = $1`,
    [id, status, fields.statementsDone ?? null, fields.rowsAffected ?? null, fields.error ?? null],
  );
}

/**
 * Closes `running` rows of transactional phases left by a runner that died: PostgreSQL rolled
 * their work back, so they become `failed` (the history keeps them). Call under the lock.
 */
export async function closeAbandoned(client: SqlSession, records: readonly MigrationRecord[]): Promise<void> {
  const ids = records.filter((r) => r.status === 'running' && r.transactional).map((r) => r.id);
  if (ids.length === 0) return;
  await client.query(
    `UPDATE ${AUDIT_TABLE} SET status = 'failed', finished_at = clock_timestamp(), error = 'interrupted: the runner died and its transaction was rolled back' WHERE id = ANY($1::bigint[])`,
    [ids],
  );
}
