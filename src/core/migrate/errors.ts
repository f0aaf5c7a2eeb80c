/**
 * Typed errors of the migration runner. `code` is stable; tests and the CLI switch on it.
 */
import { BatonError } from '../errors.js';
import type { MigrationProblem } from './plan.js';
import type { LintFinding } from './types.js';

/** The SQL breaks a safety rule; nothing was run. Code `migration-lint-failed`. */
export class MigrationLintError extends BatonError {
  constructor(readonly findings: LintFinding[]) {
    super('migration-lint-failed', `${findings.length} unsafe statement(s): ${findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`).join(', ')}`, { findings });
  }
}

/**
 * The database and the files disagree in a way a person must resolve: an applied file was
 * edited (`checksum-drift`), a phase was interrupted part-way (`migration-interrupted`), or a
 * migration sorts before an applied one (`out-of-order`). The code is that of the first problem.
 */
export class MigrationBlockedError extends BatonError {
  constructor(readonly problems: MigrationProblem[]) {
    const first = problems[0];
    const code = first?.kind === 'interrupted' ? 'migration-interrupted' : (first?.kind ?? 'migration-blocked');
    super(code, problems.map((p) => p.message).join('; '), { problems });
  }
}

/** A statement kept hitting `lock_timeout` after every retry. Code `migration-lock-timeout`. */
export class MigrationLockTimeoutError extends BatonError {
  constructor(name: string, phase: string, statementLine: number, attempts: number, file: string) {
    super('migration-lock-timeout', `${file}:${statementLine} (${name} ${phase}) could not get its lock after ${attempts} attempt(s); another session holds a conflicting lock`, { name, phase, attempts, file, line: statementLine });
  }
}

/** Another controller held the migration advisory lock for too long. Code `migration-lock-busy`. */
export class MigrationLockBusyError extends BatonError {
  constructor(waitedMs: number) {
    super('migration-lock-busy', `another controller held the migration lock for more than ${waitedMs} ms`, { waitedMs });
  }
}

/** A statement failed for a reason other than a lock timeout. Code `migration-failed`. */
export class MigrationFailedError extends BatonError {
  constructor(name: string, phase: string, file: string, line: number, sqlState: string | undefined, cause: string) {
    super('migration-failed', `${file}:${line} (${name} ${phase}) failed${sqlState ? ` [${sqlState}]` : ''}: ${cause}`, { name, phase, file, line, sqlState });
  }
}
