/**
 * Rules about locks and rewrites. They apply in every phase: expand runs under the stable
 * revision's traffic, contract under the new revision's, and an ACCESS EXCLUSIVE lock held for a
 * scan or a rewrite stops both alike. Lock modes follow PostgreSQL 15's reference pages
 * (ALTER TABLE, CREATE INDEX, REINDEX, ALTER DOMAIN) and explicit-locking.html;
 * test/migrate/peer-cases-pg.test.ts reads them back from pg_locks on a real server.
 */
import type { Constraint, Node } from 'libpg-query';
import { addedColumn, addedConstraint, alterTableCmds, calledFunctions, columnConstraints, columnType, formatType, reindexIsConcurrent, relationName, serialType, tableKey } from './ast.js';
import { NON_VOLATILE_FUNCTIONS } from './non-volatile-functions.js';
import { ALL, EXPAND_CONTRACT, perCmd, sp, type LintRule, type RuleContext, type TableCmd } from './rule-kit.js';
import { checksOn, hasValidatedNotNullCheck } from './schema-facts.js';
import { typeChangeVerdict } from './type-change.js';

/** The first function in `expr` not known to be immutable or stable (an allow-list, as squawk's). */
function volatileCall(expr: unknown): string | undefined {
  return calledFunctions(expr).find((f) => !NON_VOLATILE_FUNCTIONS.has(f));
}

function changeColumnType({ table, cmd }: TableCmd, ctx: RuleContext): string | undefined {
  if (cmd.subtype !== 'AT_AlterColumnType' || !cmd.def || !('ColumnDef' in cmd.def)) return undefined;
  const column = cmd.name ?? '?';
  const to = columnType(cmd.def.ColumnDef.typeName);
  if (!to) return undefined;
  const from = ctx.facts.columns.get(`${tableKey(table)}.${column}`);
  const head = `ALTER COLUMN ${column} TYPE ${formatType(to)} on ${table}`;
  const verdict = typeChangeVerdict(from, to, cmd.def.ColumnDef.raw_default, column);
  if (verdict.rewrites) {
    if (verdict.reason === 'unknown-type') return `${head}: its current type is not declared in these migrations, so a rewrite cannot be ruled out`;
    if (verdict.reason === 'using') return `${head} with a USING expression: every row is rewritten`;
    return `${head} (from ${from ? formatType(from) : '?'}): the table and its indexes are rewritten`;
  }
  const checks = checksOn(ctx.facts, table, column);
  return checks.length > 0 ? `${head}: no rewrite, but CHECK ${checks.join(', ')} is checked again against every row` : undefined;
}

/** `ALTER TABLE t VALIDATE CONSTRAINT c` while this transaction still holds a write-blocking lock on t. */
function validateWhileLocked(node: Node, ctx: RuleContext): string[] {
  if (!ctx.transactional) return [];
  const out: string[] = [];
  const touchedHere = new Set<string>();
  for (const { table, cmd } of alterTableCmds(node)) {
    const key = tableKey(table);
    if (cmd.subtype === 'AT_ValidateConstraint') {
      if (ctx.createdTables.has(key)) continue;
      if (ctx.writeLockedTables.has(key) || touchedHere.has(key)) out.push(`VALIDATE CONSTRAINT ${cmd.name ?? '?'} on ${table} after an earlier statement of this transaction locked ${table}`);
    } else {
      touchedHere.add(key);
    }
  }
  return out;
}

const isExclusion = (c: Constraint | undefined): boolean => c?.contype === 'CONSTR_EXCLUSION';

export const LOCK_RULES: readonly LintRule[] = [
  {
    id: 'change-column-type',
    phases: ALL,
    why: 'a type change that is not binary compatible rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock, blocking every read and write (and the other revision may not handle the new type); a compatible one still re-checks every CHECK constraint on the column under that lock',
    rewrite: 'add a column of the new type, write both from the new revision, backfill in batches, and drop the old column in contract. Widening needs no rewrite: varchar(n) to a larger n, to varchar or text; numeric(p,s) to a larger p; timestamp/time precision up; cidr to inet',
    check: perCmd(changeColumnType),
  },
  {
    id: 'set-not-null',
    phases: EXPAND_CONTRACT,
    why: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock unless a validated CHECK (col IS NOT NULL) proves it (PostgreSQL 12+), and in expand the stable revision may still insert NULLs',
    rewrite: 'in expand add CHECK (col IS NOT NULL) NOT VALID; in contract VALIDATE CONSTRAINT, then SET NOT NULL (no scan), then drop the CHECK',
    check: perCmd(({ table, cmd }, ctx) =>
      cmd.subtype === 'AT_SetNotNull' && !hasValidatedNotNullCheck(ctx.facts, table, cmd.name ?? '')
        ? `ALTER COLUMN ${cmd.name ?? '?'} SET NOT NULL on ${table} without a validated CHECK (${cmd.name ?? '?'} IS NOT NULL)`
        : undefined,
    ),
  },
  {
    id: 'index-not-concurrent',
    phases: ALL,
    why: 'CREATE INDEX without CONCURRENTLY holds a SHARE lock for the whole build, blocking every INSERT, UPDATE and DELETE on the table',
    rewrite: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS ... (Baton runs it outside a transaction)',
    check: (node, ctx) => {
      if (!('IndexStmt' in node) || node.IndexStmt.concurrent) return [];
      const table = relationName(node.IndexStmt.relation);
      return ctx.createdTables.has(tableKey(table)) ? [] : [`CREATE INDEX${sp(node.IndexStmt.idxname)} on ${table} without CONCURRENTLY`];
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
    id: 'reindex-not-concurrent',
    phases: ALL,
    why: 'REINDEX without CONCURRENTLY locks out writes to the table (and reads that use the index) for the whole rebuild',
    rewrite: 'REINDEX INDEX CONCURRENTLY ... (Baton runs it outside a transaction)',
    check: (node) =>
      'ReindexStmt' in node && node.ReindexStmt.kind !== 'REINDEX_OBJECT_SYSTEM' && !reindexIsConcurrent(node)
        ? [`REINDEX ${(node.ReindexStmt.kind ?? '').replace('REINDEX_OBJECT_', '')} ${node.ReindexStmt.relation ? relationName(node.ReindexStmt.relation) : (node.ReindexStmt.name ?? '')} without CONCURRENTLY`]
        : [],
  },
  {
    id: 'detach-partition-not-concurrent',
    phases: ALL,
    why: 'DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the partitioned table, blocking every read and write of every partition',
    rewrite: 'ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+; Baton runs it outside a transaction and finishes an interrupted one with FINALIZE)',
    check: perCmd(({ table, cmd }) => {
      if (cmd.subtype !== 'AT_DetachPartition' || !cmd.def || !('PartitionCmd' in cmd.def) || cmd.def.PartitionCmd.concurrent) return undefined;
      return `DETACH PARTITION ${relationName(cmd.def.PartitionCmd.name)} from ${table} without CONCURRENTLY`;
    }),
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
    id: 'validate-same-transaction',
    phases: ALL,
    why: 'VALIDATE CONSTRAINT scans the whole table; run in the same transaction as a statement that locked the table (ADD CONSTRAINT ... NOT VALID takes ACCESS EXCLUSIVE, a foreign key SHARE ROW EXCLUSIVE), the scan runs while that lock is still held, which is what NOT VALID was meant to avoid',
    rewrite: 'validate in a later phase (NOT VALID in expand, VALIDATE CONSTRAINT in contract), or first in its file, before any statement that locks the table',
    check: validateWhileLocked,
  },
  {
    id: 'exclusion-constraint',
    phases: ALL,
    why: 'ADD CONSTRAINT ... EXCLUDE builds its index and checks every row under an ACCESS EXCLUSIVE lock; PostgreSQL offers no NOT VALID and no USING INDEX for exclusion constraints',
    rewrite: 'declare the exclusion constraint when the table is created; on a busy existing table there is no online way (enforce it in the application or a trigger)',
    check: perCmd(({ table, cmd }) => (isExclusion(addedConstraint(cmd)) ? `ADD CONSTRAINT${sp(addedConstraint(cmd)?.conname)} EXCLUDE on ${table}` : undefined)),
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
    why: 'a DEFAULT that calls a volatile function (random(), gen_random_uuid(), clock_timestamp(), nextval() of a serial, or any function not known to be immutable or stable) or a STORED generated column rewrites every row under an ACCESS EXCLUSIVE lock; a constant or a default of immutable/stable built-ins (false, now(), now() - interval \'1 day\') is stored once in the catalog',
    rewrite: 'add the column with no default or a constant one, set the volatile default with ALTER COLUMN ... SET DEFAULT (affects new rows only), and backfill existing rows in batches',
    check: perCmd(({ table, cmd }) => {
      const col = addedColumn(cmd);
      if (!col) return undefined;
      const serial = serialType(col);
      if (serial) return `ADD COLUMN ${col.colname ?? '?'} ${serial} on ${table}`;
      for (const c of columnConstraints(col)) {
        if (c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v') return `ADD COLUMN ${col.colname ?? '?'} GENERATED ... STORED on ${table}`;
        if (c.contype !== 'CONSTR_DEFAULT') continue;
        const volatile = volatileCall(c.raw_expr);
        if (volatile) return `ADD COLUMN ${col.colname ?? '?'} DEFAULT ${volatile}() on ${table}`;
      }
      return undefined;
    }),
  },
  {
    id: 'domain-constraint',
    phases: ALL,
    why: 'ALTER DOMAIN ... ADD CONSTRAINT (without NOT VALID) and ALTER DOMAIN ... VALIDATE CONSTRAINT check every column of that domain in every table while holding a SHARE lock on each table, blocking its writes',
    rewrite: 'put the check on the table columns instead: ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a later phase',
    check: (node) => {
      if (!('AlterDomainStmt' in node)) return [];
      const s = node.AlterDomainStmt;
      const domain = (s.typeName ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : '')).join('.');
      const c = s.def && 'Constraint' in s.def ? s.def.Constraint : undefined;
      if (s.subtype === 'C' && !c?.skip_validation) return [`ALTER DOMAIN ${domain} ADD CONSTRAINT${sp(c?.conname)} without NOT VALID`];
      if (s.subtype === 'V') return [`ALTER DOMAIN ${domain} VALIDATE CONSTRAINT ${s.name ?? '?'}`];
      return [];
    },
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
];
