/**
 * Rules about how a migration file must be written for Baton's runner: idempotent statements
 * (a retry after a lock timeout must be a no-op), data changes in bounded batches, no statements
 * the linter cannot see into, no transaction control of its own, nothing irreversible.
 * Peers: squawk's prefer-robust-stmts, ban-drop-database, ban-truncate-cascade,
 * ban-uncommitted-transaction, transaction-nesting; strong_migrations' change_column_null with a
 * default (an UPDATE of the whole table inside the migration) and its README's "Backfilling data".
 */
import type { Node } from 'libpg-query';
import { addedColumn, alterTableCmds, containsKey, relationName, tableKey } from './ast.js';
import { ALL, EXPAND_CONTRACT, sp, type LintRule, type RuleContext } from './rule-kit.js';

/** An UPDATE or DELETE whose WHERE has no LIMITed sub-select (one statement for every matching row). */
function unbatchedWrite(node: Node, ctx?: RuleContext): string[] {
  const skip = (t: string): boolean => ctx?.createdTables.has(tableKey(t)) ?? false;
  if ('UpdateStmt' in node && !containsKey(node.UpdateStmt.whereClause, 'limitCount')) {
    const t = relationName(node.UpdateStmt.relation);
    return skip(t) ? [] : [`UPDATE ${t} ${node.UpdateStmt.whereClause ? 'without a LIMITed sub-select' : 'of every row'}`];
  }
  if ('DeleteStmt' in node && !containsKey(node.DeleteStmt.whereClause, 'limitCount')) {
    const t = relationName(node.DeleteStmt.relation);
    return skip(t) ? [] : [`DELETE FROM ${t} ${node.DeleteStmt.whereClause ? 'without a LIMITed sub-select' : 'of every row'}`];
  }
  return [];
}

export const HYGIENE_RULES: readonly LintRule[] = [
  {
    id: 'missing-if-exists',
    phases: ALL,
    why: 'a statement retried after a lock timeout or an interrupted run must be a no-op when it already took effect, or the retry fails',
    rewrite: 'CREATE TABLE/INDEX IF NOT EXISTS, ADD COLUMN IF NOT EXISTS, DROP ... IF EXISTS',
    check: (node) => {
      if ('CreateStmt' in node) return node.CreateStmt.if_not_exists ? [] : [`CREATE TABLE ${relationName(node.CreateStmt.relation)} without IF NOT EXISTS`];
      if ('IndexStmt' in node) return node.IndexStmt.if_not_exists ? [] : [`CREATE INDEX ${node.IndexStmt.idxname ?? '(unnamed)'} without IF NOT EXISTS`];
      if ('DropStmt' in node) {
        const t = node.DropStmt.removeType;
        return (t === 'OBJECT_TABLE' || t === 'OBJECT_INDEX') && !node.DropStmt.missing_ok ? [`DROP ${t === 'OBJECT_TABLE' ? 'TABLE' : 'INDEX'} without IF EXISTS`] : [];
      }
      const out: string[] = [];
      for (const { table, cmd } of alterTableCmds(node)) {
        if (cmd.missing_ok) continue;
        if (cmd.subtype === 'AT_AddColumn') out.push(`ADD COLUMN ${addedColumn(cmd)?.colname ?? '?'} on ${table} without IF NOT EXISTS`);
        if (cmd.subtype === 'AT_DropColumn') out.push(`DROP COLUMN ${cmd.name ?? '?'} on ${table} without IF EXISTS`);
        if (cmd.subtype === 'AT_DropConstraint') out.push(`DROP CONSTRAINT ${cmd.name ?? '?'} on ${table} without IF EXISTS`);
      }
      return out;
    },
  },
  {
    id: 'drop-database',
    phases: ALL,
    why: 'DROP DATABASE destroys every table the running revisions use; no migration should ever do it',
    rewrite: 'none: remove the statement',
    check: (node) => ('DropdbStmt' in node ? [`DROP DATABASE${sp(node.DropdbStmt.dbname)}`] : []),
  },
  {
    id: 'truncate-cascade',
    phases: ALL,
    why: 'TRUNCATE ... CASCADE also empties every table that references this one through a foreign key, far beyond what the statement names',
    rewrite: 'delete the rows you mean in batches, naming each table',
    check: (node) => ('TruncateStmt' in node && node.TruncateStmt.behavior === 'DROP_CASCADE' ? ['TRUNCATE ... CASCADE'] : []),
  },
  {
    id: 'backfill-unbatched',
    phases: ['backfill'],
    why: 'Baton runs backfill.sql again and again until a run changes no rows: an UPDATE or DELETE without a LIMITed sub-select locks every row it matches in one long transaction, and if it keeps matching rows it never converges',
    rewrite: 'UPDATE t SET new = ... WHERE id IN (SELECT id FROM t WHERE new IS DISTINCT FROM ... LIMIT 1000)',
    check: (node) => unbatchedWrite(node),
  },
  {
    id: 'whole-table-update',
    phases: EXPAND_CONTRACT,
    why: 'expand and contract run each file in one transaction: an UPDATE or DELETE without a LIMITed sub-select holds a lock on every row it matches until the whole file commits, so the live revision\'s writes to those rows wait (together with the DDL\'s table lock, if the file took one)',
    rewrite: 'move the data change to backfill.sql, written as one bounded batch (UPDATE t SET ... WHERE id IN (SELECT id FROM t WHERE ... LIMIT 1000)); Baton repeats it until it changes nothing. A reviewed small update keeps an ignore comment',
    check: (node, ctx) => unbatchedWrite(node, ctx),
  },
  {
    id: 'do-block',
    phases: ALL,
    why: 'the linter cannot see inside a DO block (PL/pgSQL, often dynamic SQL), so none of the other rules protect what it does',
    rewrite: 'write the statements as plain SQL; if the block is reviewed and safe, keep it with -- baton-lint-ignore: do-block <reason>',
    check: (node) => ('DoStmt' in node ? ['DO block'] : []),
  },
  {
    id: 'transaction-control',
    phases: ALL,
    why: 'Baton runs each phase in its own transaction (or statement by statement when CONCURRENTLY is used); BEGIN/COMMIT in the file break that and the progress record',
    rewrite: 'remove BEGIN/COMMIT/ROLLBACK; split work that must commit separately into separate migrations',
    check: (node) => ('TransactionStmt' in node ? [`${(node.TransactionStmt.kind ?? 'TRANS_STMT_?').replace('TRANS_STMT_', '')}`] : []),
  },
];
