/**
 * One test case of a peer linter, replayed through Baton's linter. The SQL is the peer test's
 * own, as a Baton phase file: squawk's BEGIN/COMMIT wrappers are left out (Baton's runner
 * decides the transactions and flags BEGIN/COMMIT itself, rule transaction-control), and
 * strong_migrations' Rails calls are written as the SQL Active Record sends for them.
 */
import type { LintPhase } from '../../../src/core/migrate/types.js';

export interface PeerCase {
  peer: 'squawk' | 'strong_migrations';
  /** squawk's rule id, or strong_migrations' check (its error-message key, lib/strong_migrations/error_messages.rb). */
  rule: string;
  /** Where the case comes from: the peer's test file and test. */
  test: string;
  /** SQL of the migrations that ran before (their facts, not their findings, count). */
  before?: string;
  sql: string;
  phase: LintPhase;
  peer_verdict: 'flag' | 'ok';
  /** Baton's rules that flag it (missing-if-exists is left out unless listed); empty: it passes. */
  baton: string[];
  /** Run first in the session when the case is replayed on PostgreSQL (e.g. `SET TimeZone = 'UTC'`). */
  session?: string;
  /** Required when Baton's verdict differs from the peer's: why, as docs/migrations.md explains under the peer rule. */
  differs?: string;
}

/** The schema of strong_migrations' tests (test/support/active_record.rb), as Baton's first migration. */
export const STRONG_SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY);
CREATE TABLE IF NOT EXISTS devices (id bigserial PRIMARY KEY);
CREATE TABLE IF NOT EXISTS users (
  id bigserial PRIMARY KEY, name varchar, city varchar, credit_score numeric(10,5), deleted_at timestamp,
  country varchar(20), "interval" varchar, description text, code citext, order_id bigint
);`;
