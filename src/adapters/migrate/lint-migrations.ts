/**
 * Parses and lints every file of a set of migrations in the phase it runs in. `rollback.sql` is
 * parsed (a syntax error is still an error) but not linted: it undoes an expand by design, and
 * a person runs it.
 *
 * Some verdicts depend on what earlier files declared (a column's type before `ALTER COLUMN ...
 * TYPE`, a validated `CHECK (col IS NOT NULL)` before `SET NOT NULL`), so each file is linted
 * with the schema facts of every file that runs before it: the migrations of `context` that
 * sort before it (all their phases, applied or not), then its own expand, backfill and contract
 * in that order.
 */
import { lintFile } from '../../core/migrate/lint.js';
import { emptyFacts, observeStatement } from '../../core/migrate/schema-facts.js';
import type { LintFinding, LintIgnore, LintPhase, Migration, MigrationPhase, ParsedFile } from '../../core/migrate/types.js';
import { parseSqlFile } from './sql-parser.js';

export interface MigrationLint {
  name: string;
  findings: LintFinding[];
  ignored: LintIgnore[];
  /** Parsed files by phase, so the runner does not parse twice. */
  parsed: Partial<Record<MigrationPhase, ParsedFile>>;
}

const RUN_ORDER: readonly LintPhase[] = ['expand', 'backfill', 'contract'];

/**
 * Lints `migrations`; `phases` narrows which phases' files are looked at (default all).
 * `context` is the whole migration set the schema facts are read from (default `migrations`).
 */
export async function lintMigrations(
  migrations: readonly Migration[],
  phases: readonly MigrationPhase[] = ['expand', 'backfill', 'contract', 'rollback'],
  context: readonly Migration[] = migrations,
): Promise<MigrationLint[]> {
  const targets = new Map(migrations.map((m) => [m.name, m]));
  const last = [...targets.keys()].sort().at(-1) ?? '';
  const all = new Map(context.map((m) => [m.name, m]));
  for (const m of migrations) all.set(m.name, m);
  const results = new Map<string, MigrationLint>();
  let facts = emptyFacts();
  for (const name of [...all.keys()].sort()) {
    if (name > last) break;
    const m = all.get(name);
    if (!m) continue;
    const target = targets.has(name);
    const result: MigrationLint = { name, findings: [], ignored: [], parsed: {} };
    for (const phase of RUN_ORDER) {
      const file = m[phase];
      if (!file) continue;
      const linted = target && phases.includes(phase);
      const parsed = await parseSqlFile(file);
      if (!linted) {
        for (const s of parsed.statements) observeStatement(facts, s.node);
        continue;
      }
      result.parsed[phase] = parsed;
      const lint = lintFile(parsed, phase, facts);
      facts = lint.facts;
      result.findings.push(...lint.findings);
      result.ignored.push(...lint.ignored);
    }
    if (target && m.rollback && phases.includes('rollback')) result.parsed.rollback = await parseSqlFile(m.rollback);
    if (target) results.set(name, result);
  }
  return migrations.map((m) => results.get(m.name) ?? { name: m.name, findings: [], ignored: [], parsed: {} });
}
