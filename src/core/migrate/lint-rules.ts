/**
 * Baton's SQL safety rules. Each rule has an id, the phases it applies to, why the statement is
 * dangerous while two revisions share the database, and the safe rewrite.
 *
 * The lock facts follow PostgreSQL's documentation (ALTER TABLE "Notes", CREATE INDEX
 * "Building Indexes Concurrently", explicit-locking.html); the catalogue is in the spirit of
 * squawk's and strong_migrations' checks, written for Baton's expand/contract phases.
 */
import type { Node } from 'libpg-query';
import { addedColumn, addedConstraint, alterTableCmds, calledFunctions, columnConstraints, containsKey, lastName, relationName } from './ast.js';
import type { LintPhase } from './types.js';

export interface RuleContext {
  /** Tables created earlier in the same file: new and empty, so locking them harms nobody. */
  createdTables: ReadonlySet<string>;
}

export interface LintRule {
  id: string;
  phases: readonly LintPhase[];
  why: string;
  rewrite: string;
  /** One message per offending part of the statement; empty when the statement is fine. */
  check(node: Node, ctx: RuleContext): string[];
}

const EXPAND: readonly LintPhase[] = ['expand'];
const ALL: readonly LintPhase[] = ['expand', 'backfill', 'contract'];

/** Functions whose value differs per row, so a DEFAULT with them rewrites the whole table. */
const VOLATILE_FUNCTIONS = new Set([
  'random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4',
  'clock_timestamp', 'timeofday', 'nextval', 'txid_current', 'setseed', 'random_normal',
]);
/** `' name'`, or nothing when the object is unnamed. */
const sp = (name: string | undefined): string => (name ? ` ${name}` : '');

const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

/** Checks each ALTER TABLE sub-command, skipping tables created in the same file. */
function perCmd(fn: (cmd: ReturnType<typeof alterTableCmds>[number]) => string | undefined, skipNew = true) {
  return (node: Node, ctx: RuleContext): string[] => {
    const out: string[] = [];
    for (const c of alterTableCmds(node)) {
      if (skipNew && ctx.createdTables.has(c.table)) continue;
      const m = fn(c);
      if (m) out.push(m);
    }
    return out;
  };
}

export const LINT_RULES: readonly LintRule[] = [
  {
    id: 'drop-column',
    phases: EXPAND,
    why: 'the stable revision still reads and writes this column while the canary runs; dropping it breaks every old process at once and cannot be rolled back',
    rewrite: 'stop using the column in the new revision, and drop it in contract.sql once no old revision runs',
    check: perCmd(({ table, cmd }) => (cmd.subtype === 'AT_DropColumn' ? `DROP COLUMN ${cmd.name ?? '?'} on ${table}` : undefined), false),
  },
  {
    id: 'drop-table',
    phases: EXPAND,
    why: 'the stable revision may still query this table; dropping it during the canary breaks old processes and loses the data a rollback needs',
    rewrite: 'drop the table in contract.sql, after promotion and the bake time',
    check: (node) => ('DropStmt' in node && node.DropStmt.removeType === 'OBJECT_TABLE' ? ['DROP TABLE'] : []),
  },
  {
    id: 'rename-column',
    phases: EXPAND,
    why: 'the stable revision still uses the old name, so every old query fails the moment the rename commits',
    rewrite: 'add the new column in expand, write both from the new revision, backfill, and drop the old column in contract',
    check: (node) =>
      'RenameStmt' in node && node.RenameStmt.renameType === 'OBJECT_COLUMN'
        ? [`RENAME COLUMN ${node.RenameStmt.subname ?? '?'} TO ${node.RenameStmt.newname ?? '?'} on ${relationName(node.RenameStmt.relation)}`]
        : [],
  },
  {
    id: 'rename-table',
    phases: EXPAND,
    why: 'the stable revision still uses the old table name, so every old query fails the moment the rename commits',
    rewrite: 'create the new table (or a view with the new name) in expand, move readers and writers over, and drop the old one in contract',
    check: (node) =>
      'RenameStmt' in node && node.RenameStmt.renameType === 'OBJECT_TABLE'
        ? [`RENAME ${relationName(node.RenameStmt.relation)} TO ${node.RenameStmt.newname ?? '?'}`]
        : [],
  },
  {
    id: 'change-column-type',
    phases: EXPAND,
    why: 'most type changes rewrite the table under an ACCESS EXCLUSIVE lock, blocking every read and write, and the stable revision may not handle the new type',
    rewrite: 'add a column of the new type, write both from the new revision, backfill in batches, and drop the old column in contract',
    check: perCmd(({ table, cmd }) => (cmd.subtype === 'AT_AlterColumnType' ? `ALTER COLUMN ${cmd.name ?? '?'} TYPE on ${table}` : undefined), false),
  },
  {
    id: 'add-column-not-null-without-default',
    phases: ['expand', 'contract'],
    why: 'on a table with rows it fails outright, and the stable revision does not know it must fill the column, so its inserts would fail',
    rewrite: 'add the column nullable (or with a constant DEFAULT), backfill it, then add CHECK (col IS NOT NULL) NOT VALID and validate it in contract',
    check: perCmd(({ table, cmd }) => {
      const col = addedColumn(cmd);
      if (!col) return undefined;
      const cs = columnConstraints(col);
      const notNull = cs.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
      const hasDefault = cs.some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED');
      return notNull && !hasDefault ? `ADD COLUMN ${col.colname ?? '?'} NOT NULL without DEFAULT on ${table}` : undefined;
    }),
  },
  {
    id: 'set-not-null',
    phases: EXPAND,
    why: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock, and the stable revision may still insert NULLs',
    rewrite: 'in expand add CHECK (col IS NOT NULL) NOT VALID; in contract VALIDATE CONSTRAINT, then SET NOT NULL (PostgreSQL 12+ skips the scan when a valid CHECK proves it)',
    check: perCmd(({ table, cmd }) => (cmd.subtype === 'AT_SetNotNull' ? `ALTER COLUMN ${cmd.name ?? '?'} SET NOT NULL on ${table}` : undefined)),
  },
  {
    id: 'index-not-concurrent',
    phases: ALL,
    why: 'CREATE INDEX without CONCURRENTLY holds a SHARE lock for the whole build, blocking every INSERT, UPDATE and DELETE on the table',
    rewrite: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS ... (Baton runs it outside a transaction)',
    check: (node, ctx) => {
      if (!('IndexStmt' in node) || node.IndexStmt.concurrent) return [];
      const table = relationName(node.IndexStmt.relation);
      return ctx.createdTables.has(table) ? [] : [`CREATE INDEX${sp(node.IndexStmt.idxname)} on ${table} without CONCURRENTLY`];
    },
  },
  {
    id: 'drop-index-not-concurrent',
    phases: ALL,
    why: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table, queueing every query behind it',
    rewrite: 'DROP INDEX CONCURRENTLY IF EXISTS ...',
    check: (node) => ('DropStmt' in node && node.DropStmt.removeType === 'OBJECT_INDEX' && !node.DropStmt.concurrent ? ['DROP INDEX without CONCURRENTLY'] : []),
  },
  {
    id: 'constraint-not-valid',
    phases: ALL,
    why: 'adding a CHECK constraint validates every row while holding an ACCESS EXCLUSIVE lock',
    rewrite: 'ADD CONSTRAINT ... CHECK (...) NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT in a later step (it only takes SHARE UPDATE EXCLUSIVE)',
    check: perCmd(({ table, cmd }) => {
      const c = addedConstraint(cmd);
      if (c?.contype === 'CONSTR_CHECK' && !c.skip_validation) return `ADD CONSTRAINT${sp(c.conname)} CHECK on ${table} without NOT VALID`;
      const col = addedColumn(cmd);
      if (col && columnConstraints(col).some((k) => k.contype === 'CONSTR_CHECK')) return `ADD COLUMN ${col.colname ?? '?'} with an inline CHECK on ${table}`;
      return undefined;
    }),
  },
  {
    id: 'foreign-key-not-valid',
    phases: ALL,
    why: 'adding a foreign key validates every row while holding SHARE ROW EXCLUSIVE locks on both tables, blocking writes to both',
    rewrite: 'ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later step',
    check: perCmd(({ table, cmd }) => {
      const c = addedConstraint(cmd);
      if (c?.contype === 'CONSTR_FOREIGN' && !c.skip_validation) return `ADD FOREIGN KEY${sp(c.conname)} on ${table} without NOT VALID`;
      const col = addedColumn(cmd);
      if (col && columnConstraints(col).some((k) => k.contype === 'CONSTR_FOREIGN')) return `ADD COLUMN ${col.colname ?? '?'} REFERENCES on ${table}`;
      return undefined;
    }),
  },
  {
    id: 'unique-constraint-without-index',
    phases: ALL,
    why: 'adding a UNIQUE or PRIMARY KEY constraint builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole build',
    rewrite: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx ON t (col); then ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX idx',
    check: perCmd(({ table, cmd }) => {
      const c = addedConstraint(cmd);
      if ((c?.contype === 'CONSTR_UNIQUE' || c?.contype === 'CONSTR_PRIMARY') && !c.indexname) {
        return `ADD ${c.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'PRIMARY KEY'} constraint on ${table} without USING INDEX`;
      }
      const col = addedColumn(cmd);
      if (col && columnConstraints(col).some((k) => k.contype === 'CONSTR_UNIQUE' || k.contype === 'CONSTR_PRIMARY')) {
        return `ADD COLUMN ${col.colname ?? '?'} UNIQUE/PRIMARY KEY on ${table}`;
      }
      return undefined;
    }),
  },
  {
    id: 'volatile-default',
    phases: ALL,
    why: 'a volatile DEFAULT (random(), gen_random_uuid(), clock_timestamp(), a serial) or a STORED generated column rewrites every row under an ACCESS EXCLUSIVE lock; a constant or stable default (false, now()) is stored once in the catalog',
    rewrite: 'add the column with no default or a constant one, set the volatile default with ALTER COLUMN ... SET DEFAULT (affects new rows only), and backfill existing rows in batches',
    check: perCmd(({ table, cmd }) => {
      const col = addedColumn(cmd);
      if (!col) return undefined;
      const type = lastName(col.typeName?.names).toLowerCase();
      if (SERIAL_TYPES.has(type)) return `ADD COLUMN ${col.colname ?? '?'} ${type} on ${table}`;
      for (const c of columnConstraints(col)) {
        if (c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v') return `ADD COLUMN ${col.colname ?? '?'} GENERATED ... STORED on ${table}`;
        if (c.contype !== 'CONSTR_DEFAULT') continue;
        const volatile = calledFunctions(c.raw_expr).find((f) => VOLATILE_FUNCTIONS.has(f));
        if (volatile) return `ADD COLUMN ${col.colname ?? '?'} DEFAULT ${volatile}() on ${table}`;
      }
      return undefined;
    }),
  },
  {
    id: 'vacuum-full',
    phases: ALL,
    why: 'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock for as long as the copy takes',
    rewrite: 'plain VACUUM (or pg_repack, which rebuilds the table online) outside the migration',
    check: (node) => {
      if (!('VacuumStmt' in node) || !node.VacuumStmt.is_vacuumcmd) return [];
      const full = (node.VacuumStmt.options ?? []).some((o) => {
        if (!('DefElem' in o) || o.DefElem.defname !== 'full') return false;
        const arg = o.DefElem.arg;
        const off = arg && 'String' in arg && ['false', 'off', '0'].includes((arg.String.sval ?? '').toLowerCase());
        return !off;
      });
      return full ? ['VACUUM FULL'] : [];
    },
  },
  {
    id: 'cluster',
    phases: ALL,
    why: 'CLUSTER rewrites the table in index order under an ACCESS EXCLUSIVE lock',
    rewrite: 'pg_repack --order-by outside the migration, or leave the physical order alone',
    check: (node) => ('ClusterStmt' in node ? ['CLUSTER'] : []),
  },
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
    check: (node) => {
      if ('UpdateStmt' in node && !containsKey(node.UpdateStmt.whereClause, 'limitCount')) return [`UPDATE ${relationName(node.UpdateStmt.relation)} without a LIMITed sub-select`];
      if ('DeleteStmt' in node && !containsKey(node.DeleteStmt.whereClause, 'limitCount')) return [`DELETE FROM ${relationName(node.DeleteStmt.relation)} without a LIMITed sub-select`];
      return [];
    },
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

/** Rule ids, for validating ignore comments. */
export const LINT_RULE_IDS: ReadonlySet<string> = new Set(LINT_RULES.map((r) => r.id));
