/**
 * Expand/contract schema migrations: the shapes the pure core reasons about.
 *
 * A migration is a directory (ordered by name) holding `expand.sql`, and optionally
 * `backfill.sql`, `contract.sql` and `rollback.sql`. During a canary two revisions share one
 * database, so the expand must be something the old revision tolerates and the contract may
 * only run once no old revision is left.
 */
import type { Node } from 'libpg-query';

/** The phases Baton records. `rollback` undoes an expand, for a person to run by hand. */
export type MigrationPhase = 'expand' | 'backfill' | 'contract' | 'rollback';

/** The phases the linter knows rules for. */
export type LintPhase = 'expand' | 'backfill' | 'contract';

/** One SQL file of a migration, as read from disk. */
export interface MigrationFile {
  /** Path as shown to people (relative to the working directory when possible). */
  path: string;
  text: string;
  /** Hex SHA-256 of `text`, computed by the adapter that read it. */
  checksum: string;
}

/** One migration directory. */
export interface Migration {
  /** The directory name, e.g. `0001_email_verified`; migrations run in name order. */
  name: string;
  expand: MigrationFile;
  backfill?: MigrationFile;
  contract?: MigrationFile;
  rollback?: MigrationFile;
}

/** One statement as the real PostgreSQL parser saw it. */
export interface ParsedStatement {
  /** The statement's text, without the trailing semicolon. */
  text: string;
  /** 1-based line of the statement's first token in its file. */
  line: number;
  node: Node;
}

/** A file parsed into statements. */
export interface ParsedFile {
  file: MigrationFile;
  statements: ParsedStatement[];
}

/** A lint ignore that silenced a finding; the reason goes into the audit record. */
export interface LintIgnore {
  file: string;
  line: number;
  ruleId: string;
  reason: string;
}

/** A finding: where, which rule, why it is dangerous and what to write instead. */
export interface LintFinding {
  file: string;
  line: number;
  ruleId: string;
  phase: LintPhase;
  /** What the statement does, e.g. `ALTER TABLE users DROP COLUMN email_confirmed_at`. */
  message: string;
  why: string;
  rewrite: string;
}

export interface LintResult {
  findings: LintFinding[];
  ignored: LintIgnore[];
}

/** Status of one row of `baton_schema_migrations`. */
export type RecordStatus = 'running' | 'done' | 'failed';

/**
 * One row of the `baton_schema_migrations` audit table: one attempt at one phase of one
 * migration. The table is append-only so the history of who ran what stays readable.
 */
export interface MigrationRecord {
  id: number;
  name: string;
  phase: MigrationPhase;
  checksum: string;
  status: RecordStatus;
  /** Whether the phase ran in one transaction (a crash then leaves nothing half-applied). */
  transactional: boolean;
  statementsDone: number;
  statementsTotal: number;
  startedAt: string;
  finishedAt: string | null;
  appliedBy: string;
  revision: string | null;
  error: string | null;
}
