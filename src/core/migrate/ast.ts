/**
 * Small accessors over libpg_query's JSON parse tree (PostgreSQL's own node names:
 * `AlterTableStmt`, `AlterTableCmd`, `Constraint`, ... from `src/include/nodes/parsenodes.h`).
 */
import type { AlterTableCmd, ColumnDef, Constraint, Node, RangeVar } from 'libpg-query';

/** `schema.table` or `table`, as written. */
export function relationName(rel: RangeVar | undefined): string {
  if (!rel) return '?';
  return rel.schemaname ? `${rel.schemaname}.${rel.relname ?? '?'}` : (rel.relname ?? '?');
}

/** The ALTER TABLE sub-commands of a statement (none for other statements). */
export function alterTableCmds(node: Node): { table: string; cmd: AlterTableCmd }[] {
  if (!('AlterTableStmt' in node)) return [];
  const stmt = node.AlterTableStmt;
  if (stmt.objtype !== undefined && stmt.objtype !== 'OBJECT_TABLE') return [];
  const table = relationName(stmt.relation);
  const out: { table: string; cmd: AlterTableCmd }[] = [];
  for (const c of stmt.cmds ?? []) if ('AlterTableCmd' in c) out.push({ table, cmd: c.AlterTableCmd });
  return out;
}

/** The column definition of an `ADD COLUMN`, if the command is one. */
export function addedColumn(cmd: AlterTableCmd): ColumnDef | undefined {
  if (cmd.subtype !== 'AT_AddColumn' || !cmd.def || !('ColumnDef' in cmd.def)) return undefined;
  return cmd.def.ColumnDef;
}

/** The constraint of an `ADD CONSTRAINT`, if the command is one. */
export function addedConstraint(cmd: AlterTableCmd): Constraint | undefined {
  if (cmd.subtype !== 'AT_AddConstraint' || !cmd.def || !('Constraint' in cmd.def)) return undefined;
  return cmd.def.Constraint;
}

/** Constraints written inline on a column definition. */
export function columnConstraints(col: ColumnDef): Constraint[] {
  const out: Constraint[] = [];
  for (const c of col.constraints ?? []) if ('Constraint' in c) out.push(c.Constraint);
  return out;
}

/** Last element of a qualified name list such as `[pg_catalog, int4]`. */
export function lastName(names: readonly Node[] | undefined): string {
  const last = names?.[names.length - 1];
  return last && 'String' in last ? (last.String.sval ?? '') : '';
}

/** Every function name called anywhere inside `node` (lower case, unqualified). */
export function calledFunctions(node: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    for (const [k, child] of Object.entries(v)) {
      if (k === 'FuncCall' && typeof child === 'object' && child !== null) {
        const names = (child as { funcname?: Node[] }).funcname;
        found.push(lastName(names).toLowerCase());
      }
      walk(child);
    }
  };
  walk(node);
  return found;
}

/** Whether `key` appears anywhere inside `node` (e.g. `limitCount` in a sub-select). */
export function containsKey(node: unknown, key: string): boolean {
  if (Array.isArray(node)) return node.some((x) => containsKey(x, key));
  if (typeof node !== 'object' || node === null) return false;
  return Object.entries(node).some(([k, v]) => k === key || containsKey(v, key));
}

/** Tables a statement creates (so rules about existing, busy tables do not apply to them). */
export function createdTable(node: Node): string | undefined {
  if ('CreateStmt' in node) return relationName(node.CreateStmt.relation);
  return undefined;
}

/**
 * Statements PostgreSQL refuses inside a transaction block (CREATE/DROP INDEX CONCURRENTLY,
 * REINDEX CONCURRENTLY, VACUUM, ALTER SYSTEM): a file holding one runs statement by statement.
 */
export function mustRunOutsideTransaction(node: Node): boolean {
  if ('IndexStmt' in node) return node.IndexStmt.concurrent === true;
  if ('DropStmt' in node) return node.DropStmt.concurrent === true;
  if ('ReindexStmt' in node) return (node.ReindexStmt.params ?? []).some((p) => 'DefElem' in p && p.DefElem.defname === 'concurrently');
  if ('VacuumStmt' in node) return node.VacuumStmt.is_vacuumcmd === true;
  return 'AlterSystemStmt' in node;
}
