/**
 * Runs the safety rules over one parsed migration file for one phase, and applies the
 * `-- baton-lint-ignore: rule-id reason` comments: each silences one rule's findings on the
 * statement right below it, and its reason is returned so the runner can keep it in the audit
 * record. An ignore without a reason, or naming an unknown rule, is itself a finding.
 */
import { createdTable, mustRunOutsideTransaction, tableKey } from './ast.js';
import { LINT_RULE_IDS, LINT_RULES, type RuleContext } from './lint-rules.js';
import { writeBlockingLocks } from './rule-kit.js';
import { copyFacts, emptyFacts, observeStatement, type SchemaFacts } from './schema-facts.js';
import { ignoresAbove } from './sql-text.js';
import type { LintFinding, LintIgnore, LintPhase, LintResult, ParsedFile } from './types.js';

/** A file's findings, and the schema facts after it (for the files that run after it). */
export interface FileLint extends LintResult {
  facts: SchemaFacts;
}

/**
 * Lints one file for `phase`. `before` holds what the files that run before it declared (see
 * `lintMigrations`); it is not changed. Findings come in statement order, then rule order.
 */
export function lintFile(parsed: ParsedFile, phase: LintPhase, before: SchemaFacts = emptyFacts()): FileLint {
  const file = parsed.file.path;
  const lines = parsed.file.text.split('\n');
  const createdTables = new Set<string>();
  const writeLockedTables = new Set<string>();
  const facts = copyFacts(before);
  const transactional = !parsed.statements.some((s) => mustRunOutsideTransaction(s.node));
  const ctx: RuleContext = { createdTables, facts, transactional, writeLockedTables };
  const findings: LintFinding[] = [];
  const ignored: LintIgnore[] = [];

  for (const stmt of parsed.statements) {
    const ignores = ignoresAbove(lines, stmt.line);
    const honoured = new Map<string, string>();
    for (const ig of ignores) {
      if (!LINT_RULE_IDS.has(ig.ruleId)) {
        findings.push({
          file, line: ig.line, ruleId: 'unknown-lint-ignore', phase,
          message: `baton-lint-ignore names unknown rule "${ig.ruleId}"`,
          why: 'an ignore that matches nothing hides nothing, and usually means a typo that lets the real finding through',
          rewrite: `use one of: ${[...LINT_RULE_IDS].join(', ')}`,
        });
      } else if (ig.reason === '') {
        findings.push({
          file, line: ig.line, ruleId: 'lint-ignore-without-reason', phase,
          message: `baton-lint-ignore: ${ig.ruleId} gives no reason`,
          why: 'the reason is kept in the audit record; an unexplained exception cannot be reviewed later',
          rewrite: `-- baton-lint-ignore: ${ig.ruleId} <why this statement is safe here>`,
        });
      } else {
        honoured.set(ig.ruleId, ig.reason);
      }
    }
    for (const rule of LINT_RULES) {
      if (!rule.phases.includes(phase)) continue;
      const messages = rule.check(stmt.node, ctx);
      if (messages.length === 0) continue;
      const reason = honoured.get(rule.id);
      if (reason !== undefined) {
        ignored.push({ file, line: stmt.line, ruleId: rule.id, reason });
        continue;
      }
      for (const message of messages) findings.push({ file, line: stmt.line, ruleId: rule.id, phase, message, why: rule.why, rewrite: rule.rewrite });
    }
    const created = createdTable(stmt.node);
    if (created) createdTables.add(tableKey(created));
    for (const t of writeBlockingLocks(stmt.node)) writeLockedTables.add(t);
    observeStatement(facts, stmt.node);
  }
  return { findings, ignored, facts };
}

/** `file:line rule-id: message` then the why and the rewrite, as `baton migrate lint` prints it. */
export function formatFinding(f: LintFinding): string {
  return `${f.file}:${f.line} ${f.ruleId} (${f.phase}): ${f.message}\n  why: ${f.why}\n  instead: ${f.rewrite}`;
}
