/**
 * Rules about what the other revision can live with. In expand the stable revision still runs
 * the old code; in contract the new revision runs, and after a rename there is no moment at
 * which both names work. Peers: squawk's ban-drop-column, ban-drop-table, renaming-column,
 * renaming-table, ban-drop-not-null, adding-required-field; strong_migrations' remove_column,
 * rename_column, rename_table, rename_schema, rename_enum_value, add_column_json
 * (lib/strong_migrations/checks.rb).
 */
import { addedColumn, columnConstraints, columnType, relationName, serialType } from './ast.js';
import { ALL, EXPAND, EXPAND_CONTRACT, perCmd, type LintRule } from './rule-kit.js';

export const COMPAT_RULES: readonly LintRule[] = [
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
    phases: ALL,
    why: 'a revision that uses the old name fails the moment the rename commits: in expand the stable revision, in contract the live new revision (which cannot have used a name that did not exist yet)',
    rewrite: 'add the new column in expand, write both from the new revision, backfill, and drop the old column in contract',
    check: (node) =>
      'RenameStmt' in node && node.RenameStmt.renameType === 'OBJECT_COLUMN'
        ? [`RENAME COLUMN ${node.RenameStmt.subname ?? '?'} TO ${node.RenameStmt.newname ?? '?'} on ${relationName(node.RenameStmt.relation)}`]
        : [],
  },
  {
    id: 'rename-table',
    phases: ALL,
    why: 'a revision that uses the old table name fails the moment the rename commits, in expand (the stable revision) as in contract (the live new revision)',
    rewrite: 'create the new table (or a view with the new name) in expand, move readers and writers over, and drop the old one in contract',
    check: (node) =>
      'RenameStmt' in node && node.RenameStmt.renameType === 'OBJECT_TABLE'
        ? [`RENAME ${relationName(node.RenameStmt.relation)} TO ${node.RenameStmt.newname ?? '?'}`]
        : [],
  },
  {
    id: 'rename-schema',
    phases: ALL,
    why: 'every query that names the schema (or finds its tables through search_path) fails the moment the rename commits, in whichever revision is live',
    rewrite: 'create the new schema, move the tables over one at a time with the expand/contract steps, and drop the old schema in a later contract',
    check: (node) =>
      'RenameStmt' in node && node.RenameStmt.renameType === 'OBJECT_SCHEMA' ? [`RENAME SCHEMA ${node.RenameStmt.subname ?? '?'} TO ${node.RenameStmt.newname ?? '?'}`] : [],
  },
  {
    id: 'rename-enum-value',
    phases: ALL,
    why: 'a revision that writes or compares the old label gets "invalid input value for enum" the moment the rename commits',
    rewrite: "ALTER TYPE ... ADD VALUE IF NOT EXISTS 'new' AFTER 'old' in expand, move the rows and the code to the new label, and stop using the old one (PostgreSQL cannot drop an enum value)",
    check: (node) => {
      if (!('AlterEnumStmt' in node) || node.AlterEnumStmt.oldVal === undefined) return [];
      const names = node.AlterEnumStmt.typeName ?? [];
      const type = names.map((n) => ('String' in n ? (n.String.sval ?? '') : '')).join('.');
      return [`RENAME VALUE '${node.AlterEnumStmt.oldVal}' TO '${node.AlterEnumStmt.newVal ?? '?'}' of ${type}`];
    },
  },
  {
    id: 'drop-not-null',
    phases: EXPAND,
    why: 'once NOT NULL is gone the new revision may write NULLs, and the stable revision, which was written knowing the column is never NULL, reads them',
    rewrite: 'drop NOT NULL in contract.sql, once no old revision runs (the new revision must read NULLs correctly before anything writes one)',
    check: perCmd(({ table, cmd }) => (cmd.subtype === 'AT_DropNotNull' ? `ALTER COLUMN ${cmd.name ?? '?'} DROP NOT NULL on ${table}` : undefined)),
  },
  {
    id: 'add-column-not-null-without-default',
    phases: EXPAND_CONTRACT,
    why: 'on a table with rows it fails outright, and the stable revision does not know it must fill the column, so its inserts would fail',
    rewrite: 'add the column nullable (or with a constant DEFAULT), backfill it, then add CHECK (col IS NOT NULL) NOT VALID and validate it in contract',
    check: perCmd(({ table, cmd }) => {
      const col = addedColumn(cmd);
      if (!col) return undefined;
      const cs = columnConstraints(col);
      const notNull = cs.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
      const hasDefault = serialType(col) !== undefined || cs.some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED');
      return notNull && !hasDefault ? `ADD COLUMN ${col.colname ?? '?'} NOT NULL without DEFAULT on ${table}` : undefined;
    }),
  },
  {
    id: 'json-column',
    phases: ALL,
    why: 'the json type has no equality operator, so every query over the table that compares whole rows (SELECT DISTINCT *, UNION, GROUP BY of the row) fails with "could not identify an equality operator for type json" once the column exists',
    rewrite: 'use jsonb',
    check: perCmd(({ table, cmd }) => {
      const col = addedColumn(cmd);
      const type = col && columnType(col.typeName);
      return type?.name === 'json' ? `ADD COLUMN ${col?.colname ?? '?'} json on ${table}` : undefined;
    }),
  },
];
