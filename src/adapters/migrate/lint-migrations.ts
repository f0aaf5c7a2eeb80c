/**
 * Parses and lints every file of a set of migrations in the phase it runs in. `rollback.sql` is
 * parsed (a syntax error is still an error) but not linted: it undoes an expand by design, and
 * a person runs it.
 */
import { lintFile } from '../../core/migrate/lint.js';
import type { LintFinding, LintIgnore, LintPhase, Migration, MigrationPhase, ParsedFile } from '../../core/migrate/types.js';
import { parseSqlFile } from './sql-parser.js';

export interface MigrationLint {
  name: string;
  findings: LintFinding[];
  ignored: LintIgnore[];
  /** Parsed files by phase, so the runner does not parse twice. */
  parsed: Partial<Record<MigrationPhase, ParsedFile>>;
}

/** Lints `migrations`; `phases` narrows which phases' files are looked at (default all). */
export async function lintMigrations(migrations: readonly Migration[], phases: readonly MigrationPhase[] = ['expand', 'backfill', 'contract', 'rollback']): Promise<MigrationLint[]> {
  const out: MigrationLint[] = [];
  for (const m of migrations) {
    const result: MigrationLint = { name: m.name, findings: [], ignored: [], parsed: {} };
    for (const phase of phases) {
      const file = m[phase];
      if (!file) continue;
      const parsed = await parseSqlFile(file);
      result.parsed[phase] = parsed;
      if (phase === 'rollback') continue;
      const lint = lintFile(parsed, phase satisfies LintPhase);
      result.findings.push(...lint.findings);
      result.ignored.push(...lint.ignored);
    }
    out.push(result);
  }
  return out;
}
