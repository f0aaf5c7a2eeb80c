/** Expand/contract schema migrations: the pure part (manifest, linter, plan, guards). */
export * from './types.js';
export * from './manifest.js';
export * from './errors.js';
export { lintFile, formatFinding } from './lint.js';
export { LINT_RULES, LINT_RULE_IDS, type LintRule } from './lint-rules.js';
export { planMigrations, pendingContracts, blockingProblems, type MigrationPlan, type MigrationState, type MigrationProblem, type PhaseState, type ProblemKind } from './plan.js';
export { decideContract, decideExpand, mayStartNewRevision, lockRetryDelayMs, type ContractDecision, type ContractGuardInput, type ExpandDecision, type ExpandGuardInput } from './guards.js';
export { applySchemaEvent, isSchemaStepEvent, type SchemaEventLike, type SchemaStep, type SchemaStepPhase, type SchemaStepState } from './steps.js';
