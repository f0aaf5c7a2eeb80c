/**
 * What the migrations themselves say about the schema, read statement by statement in the order
 * they run: each column's declared type, and each CHECK constraint with whether it is validated.
 *
 * The linter has no database, so some verdicts need these facts: whether
 * `ALTER COLUMN c TYPE varchar(50)` rewrites the table depends on c's current type (strong_migrations
 * reads it from the live schema, `change_type_safe?` in adapters/postgresql_adapter.rb), and
 * whether `SET NOT NULL` scans the table depends on a validated `CHECK (c IS NOT NULL)`
 * (PostgreSQL 12+, ALTER TABLE "SET/DROP NOT NULL"). A fact not found here is unknown, and the
 * rules then judge as if the worst were true.
 */
import type { Node } from 'libpg-query';
import { addedColumn, addedConstraint, alterTableCmds, columnConstraints, columnType, notNullCheckColumn, referencedColumns, relationName, tableKey, type ColumnType } from './ast.js';

/** One constraint the migrations declared (a CHECK with its expression; others only by name). */
export interface CheckFact {
  table: string;
  /** Set when the check is exactly `col IS NOT NULL`. */
  notNullOf?: string;
  /** Columns the expression mentions (a type change of one makes PostgreSQL re-check every row). */
  columns: string[];
  validated: boolean;
}

export interface SchemaFacts {
  /** `table.column` -> declared type. */
  columns: Map<string, ColumnType>;
  /** `table.constraint` -> the constraint. */
  checks: Map<string, CheckFact>;
  /**
   * Tables on which a constraint the migrations never declared was validated. squawk treats
   * `VALIDATE CONSTRAINT` of such a constraint before `SET NOT NULL` as the cross-migration
   * pattern and lets it pass (adding_not_null_field.rs); Baton does the same.
   */
  validatedUnknown: Set<string>;
}

export function emptyFacts(): SchemaFacts {
  return { columns: new Map(), checks: new Map(), validatedUnknown: new Set() };
}

export function copyFacts(f: SchemaFacts): SchemaFacts {
  return { columns: new Map(f.columns), checks: new Map(f.checks), validatedUnknown: new Set(f.validatedUnknown) };
}

const col = (table: string, column: string): string => `${table}.${column}`;

/** Whether a validated check proves `table.column` non-null. */
export function hasValidatedNotNullCheck(f: SchemaFacts, table: string, column: string): boolean {
  const t = tableKey(table);
  for (const c of f.checks.values()) if (c.table === t && c.notNullOf === column && c.validated) return true;
  return f.validatedUnknown.has(t);
}

/**
 * The validated checks of `table` that mention `column`: PostgreSQL re-creates them after a type
 * change of the column, and checks every row again (a NOT VALID one is re-created NOT VALID).
 */
export function checksOn(f: SchemaFacts, table: string, column: string): string[] {
  const t = tableKey(table);
  const out: string[] = [];
  for (const [key, c] of f.checks) if (c.table === t && c.validated && c.columns.includes(column)) out.push(key.slice(t.length + 1));
  return out;
}

function addCheck(f: SchemaFacts, table: string, name: string | undefined, expr: Node | undefined, validated: boolean, fallbackName: string): void {
  f.checks.set(col(table, name ?? fallbackName), { table, notNullOf: notNullCheckColumn(expr), columns: referencedColumns(expr), validated });
}

function forgetTable(f: SchemaFacts, table: string): void {
  for (const k of [...f.columns.keys()]) if (k.startsWith(`${table}.`)) f.columns.delete(k);
  for (const [k, c] of [...f.checks]) if (c.table === table) f.checks.delete(k);
}

/** Updates `f` with what one statement declares (mutates `f`). */
export function observeStatement(f: SchemaFacts, node: Node): void {
  if ('CreateStmt' in node) {
    const table = tableKey(relationName(node.CreateStmt.relation));
    forgetTable(f, table);
    for (const el of node.CreateStmt.tableElts ?? []) {
      if ('ColumnDef' in el) {
        const def = el.ColumnDef;
        const type = columnType(def.typeName);
        if (def.colname && type) f.columns.set(col(table, def.colname), type);
        for (const c of columnConstraints(def)) if (c.contype === 'CONSTR_CHECK') addCheck(f, table, c.conname, c.raw_expr, true, `${table}_${def.colname ?? ''}_check`);
      } else if ('Constraint' in el && el.Constraint.contype === 'CONSTR_CHECK') {
        addCheck(f, table, el.Constraint.conname, el.Constraint.raw_expr, true, `${table}_check`);
      }
    }
    return;
  }
  if ('DropStmt' in node && node.DropStmt.removeType === 'OBJECT_TABLE') {
    for (const o of node.DropStmt.objects ?? []) {
      const parts = 'List' in o ? (o.List.items ?? []).map((i) => ('String' in i ? (i.String.sval ?? '') : '')) : [];
      if (parts.length > 0) forgetTable(f, tableKey(parts.join('.')));
    }
    return;
  }
  for (const { table: written, cmd } of alterTableCmds(node)) {
    const table = tableKey(written);
    const added = addedColumn(cmd);
    if (added?.colname) {
      const type = columnType(added.typeName);
      if (type) f.columns.set(col(table, added.colname), type);
      for (const c of columnConstraints(added)) if (c.contype === 'CONSTR_CHECK') addCheck(f, table, c.conname, c.raw_expr, true, `${table}_${added.colname}_check`);
    }
    const constraint = addedConstraint(cmd);
    if (constraint) {
      const expr = constraint.contype === 'CONSTR_CHECK' ? constraint.raw_expr : undefined;
      addCheck(f, table, constraint.conname, expr, !constraint.skip_validation, `${table}_constraint`);
    }
    if (cmd.subtype === 'AT_AlterColumnType' && cmd.name && cmd.def && 'ColumnDef' in cmd.def) {
      const type = columnType(cmd.def.ColumnDef.typeName);
      if (type) f.columns.set(col(table, cmd.name), type);
    }
    if (cmd.subtype === 'AT_ValidateConstraint' && cmd.name) {
      const known = f.checks.get(col(table, cmd.name));
      if (known) f.checks.set(col(table, cmd.name), { ...known, validated: true });
      else f.validatedUnknown.add(table);
    }
    if (cmd.subtype === 'AT_DropConstraint' && cmd.name) f.checks.delete(col(table, cmd.name));
    if (cmd.subtype === 'AT_DropColumn' && cmd.name) f.columns.delete(col(table, cmd.name));
  }
}
