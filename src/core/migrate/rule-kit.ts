/**
 * What every lint rule is made of, and the context the linter gives it: the statement, the
 * tables created earlier in the same file, the schema facts of everything before it, whether the
 * file runs in one transaction and which tables earlier statements of that transaction still
 * lock.
 */
import type { Node } from 'libpg-query';
import { addedColumn, addedConstraint, alterTableCmds, columnConstraints, relationName, tableKey } from './ast.js';
import type { SchemaFacts } from './schema-facts.js';
import type { LintPhase } from './types.js';

export interface RuleContext {
  /** Tables created earlier in the same file (as `tableKey`): new and empty, so locking them harms nobody. */
  createdTables: ReadonlySet<string>;
  /** What the statements before this one declared (earlier migrations, earlier phases, earlier in this file). */
  facts: SchemaFacts;
  /** Whether the file runs in one transaction (no statement that PostgreSQL refuses inside one). */
  transactional: boolean;
  /**
   * Tables (as `tableKey`) that earlier statements of this file lock in a mode blocking writes
   * (SHARE or stronger). In a transactional file those locks are held until its COMMIT.
   */
  writeLockedTables: ReadonlySet<string>;
}

export interface LintRule {
  id: string;
  phases: readonly LintPhase[];
  why: string;
  rewrite: string;
  /** One message per offending part of the statement; empty when the statement is fine. */
  check(node: Node, ctx: RuleContext): string[];
}

export const EXPAND: readonly LintPhase[] = ['expand'];
export const EXPAND_CONTRACT: readonly LintPhase[] = ['expand', 'contract'];
export const ALL: readonly LintPhase[] = ['expand', 'backfill', 'contract'];

/** `' name'`, or nothing when the object is unnamed. */
export const sp = (name: string | undefined): string => (name ? ` ${name}` : '');

export type TableCmd = ReturnType<typeof alterTableCmds>[number];

/** Checks each ALTER TABLE sub-command, skipping tables created in the same file unless `skipNew` is false. */
export function perCmd(fn: (cmd: TableCmd, ctx: RuleContext) => string | undefined, skipNew = true) {
  return (node: Node, ctx: RuleContext): string[] => {
    const out: string[] = [];
    for (const c of alterTableCmds(node)) {
      if (skipNew && ctx.createdTables.has(tableKey(c.table))) continue;
      const m = fn(c, ctx);
      if (m) out.push(m);
    }
    return out;
  };
}

/** ALTER TABLE sub-commands that take less than SHARE (writes go on): PostgreSQL 15, ALTER TABLE "Description". */
const WEAK_ALTER = new Set(['AT_ValidateConstraint', 'AT_SetStatistics', 'AT_ClusterOn', 'AT_DropCluster', 'AT_AttachPartition', 'AT_DetachPartitionFinalize']);

/** LOCK TABLE modes from SHARE up (libpg_query gives the lockmode number, lmgr's order: 5 is SHARE). */
const SHARE_LOCK = 5;

/**
 * Tables (as `tableKey`) whose writes `node` blocks until its transaction ends, i.e. that it
 * locks in SHARE mode or stronger. Example: `ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b_id)
 * REFERENCES b (id) NOT VALID` locks a (ACCESS EXCLUSIVE) and b (SHARE ROW EXCLUSIVE).
 */
export function writeBlockingLocks(node: Node): string[] {
  const out: string[] = [];
  if ('IndexStmt' in node && !node.IndexStmt.concurrent) out.push(tableKey(relationName(node.IndexStmt.relation)));
  if ('CreateTrigStmt' in node) out.push(tableKey(relationName(node.CreateTrigStmt.relation)));
  if ('LockStmt' in node && (node.LockStmt.mode ?? 0) >= SHARE_LOCK) {
    for (const r of node.LockStmt.relations ?? []) if ('RangeVar' in r) out.push(tableKey(relationName(r.RangeVar)));
  }
  for (const { table, cmd } of alterTableCmds(node)) {
    const concurrentDetach = cmd.subtype === 'AT_DetachPartition' && cmd.def !== undefined && 'PartitionCmd' in cmd.def && cmd.def.PartitionCmd.concurrent === true;
    if (!WEAK_ALTER.has(cmd.subtype ?? '') && !concurrentDetach) out.push(tableKey(table));
    const c = addedConstraint(cmd);
    const fks = c ? [c] : columnConstraints(addedColumn(cmd) ?? {});
    for (const k of fks) if (k.contype === 'CONSTR_FOREIGN' && k.pktable) out.push(tableKey(relationName(k.pktable)));
  }
  return out;
}
