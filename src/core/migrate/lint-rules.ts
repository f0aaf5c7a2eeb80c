/**
 * Baton's SQL safety rules. Each rule has an id, the phases it applies to, why the statement is
 * dangerous while two revisions share the database, and the safe rewrite.
 *
 * The catalogue covers every PostgreSQL rule of squawk (crates/squawk_linter/src/rules) and every
 * PostgreSQL check of strong_migrations (lib/strong_migrations/checks.rb) that bears on a
 * zero-downtime deploy, judged per phase: expand runs while the old revision serves, contract
 * after it is gone but under the new revision's traffic. docs/migrations.md names each rule's
 * peers and why Baton differs where it does; test/migrate/peer-cases.test.ts replays the peers'
 * own test cases.
 */
import { COMPAT_RULES } from './rules-compat.js';
import { HYGIENE_RULES } from './rules-hygiene.js';
import { LOCK_RULES } from './rules-locks.js';
import type { LintRule } from './rule-kit.js';

export type { LintRule, RuleContext } from './rule-kit.js';

export const LINT_RULES: readonly LintRule[] = [...COMPAT_RULES, ...LOCK_RULES, ...HYGIENE_RULES];

/** Rule ids, for validating ignore comments. */
export const LINT_RULE_IDS: ReadonlySet<string> = new Set(LINT_RULES.map((r) => r.id));
