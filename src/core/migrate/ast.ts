/**
 * Small accessors over libpg_query's JSON parse tree (PostgreSQL's own node names:
 * `AlterTableStmt`, `AlterTableCmd`, `Constraint`, ... from `src/include/nodes/parsenodes.h`).
 */
import type { AlterTableCmd, ColumnDef, Constraint, Node, RangeVar, TypeName } from 'libpg-query';

/** `schema.table` or `table`, as written. */
export function relationName(rel: RangeVar | undefined): string {
  if (!rel) return '?';
  return rel.schemaname ? `${rel.schemaname}.${rel.relname ?? '?'}` : (rel.relname ?? '?');
}

/** A table's name for matching statements against each other: `public.users` and `users` are one table. */
export function tableKey(name: string): string {
  return name.startsWith('public.') ? name.slice('public.'.length) : name;
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

const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

/** The serial pseudo-type of a column (`bigserial`: an integer with a `nextval()` default), if it is one. */
export function serialType(col: ColumnDef): string | undefined {
  const type = lastName(col.typeName?.names).toLowerCase();
  return SERIAL_TYPES.has(type) ? type : undefined;
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

/** Calls `visit` with the value of every `key` node anywhere inside `node` (nested ones too). */
function eachNode(node: unknown, key: string, visit: (value: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) eachNode(x, key, visit);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [k, child] of Object.entries(node)) {
    if (k === key && typeof child === 'object' && child !== null) visit(child as Record<string, unknown>);
    eachNode(child, key, visit);
  }
}

/**
 * Every function name called anywhere inside `node` (lower case). Names are unqualified, except
 * that a schema other than `pg_catalog` is kept (`myschema.f`), so it never matches a built-in.
 */
export function calledFunctions(node: unknown): string[] {
  const found: string[] = [];
  eachNode(node, 'FuncCall', (call) => {
    const names = (call.funcname as Node[] | undefined) ?? [];
    const schema = names.length > 1 ? lastName(names.slice(0, -1)).toLowerCase() : 'pg_catalog';
    const fn = lastName(names).toLowerCase();
    found.push(schema === 'pg_catalog' ? fn : `${schema}.${fn}`);
  });
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

/** Whether a REINDEX runs CONCURRENTLY (`REINDEX (CONCURRENTLY) ...` or `REINDEX TABLE CONCURRENTLY ...`). */
export function reindexIsConcurrent(node: Node): boolean {
  return 'ReindexStmt' in node && (node.ReindexStmt.params ?? []).some((p) => 'DefElem' in p && p.DefElem.defname === 'concurrently');
}

/** The `ALTER TABLE parent DETACH PARTITION p CONCURRENTLY` sub-commands of a statement. */
export function concurrentDetaches(node: Node): { parent: RangeVar | undefined; partition: RangeVar | undefined }[] {
  if (!('AlterTableStmt' in node)) return [];
  const out: { parent: RangeVar | undefined; partition: RangeVar | undefined }[] = [];
  for (const c of node.AlterTableStmt.cmds ?? []) {
    if (!('AlterTableCmd' in c) || c.AlterTableCmd.subtype !== 'AT_DetachPartition') continue;
    const def = c.AlterTableCmd.def;
    if (def && 'PartitionCmd' in def && def.PartitionCmd.concurrent) out.push({ parent: node.AlterTableStmt.relation, partition: def.PartitionCmd.name });
  }
  return out;
}

/**
 * Statements PostgreSQL refuses inside a transaction block (CREATE/DROP INDEX CONCURRENTLY,
 * REINDEX CONCURRENTLY, ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY, VACUUM, ALTER
 * SYSTEM): a file holding one runs statement by statement. PostgreSQL 15 says so for each in
 * its reference page ("cannot be executed inside a transaction block"), and
 * test/migrate/peer-cases-pg.test.ts checks it on a real server.
 */
export function mustRunOutsideTransaction(node: Node): boolean {
  if ('IndexStmt' in node) return node.IndexStmt.concurrent === true;
  if ('DropStmt' in node) return node.DropStmt.concurrent === true;
  if ('ReindexStmt' in node) return reindexIsConcurrent(node);
  if ('VacuumStmt' in node) return node.VacuumStmt.is_vacuumcmd === true;
  if (concurrentDetaches(node).length > 0) return true;
  return 'AlterSystemStmt' in node;
}

/** A type as written: its canonical name (`varchar`, `numeric`, `timestamptz`, ...), modifiers and array-ness. */
export interface ColumnType {
  name: string;
  mods: number[];
  array: boolean;
}

/** Reads a `TypeName` into a `ColumnType` (`character varying(20)` is `varchar` with mods `[20]`). */
export function columnType(t: TypeName | undefined): ColumnType | undefined {
  if (!t) return undefined;
  const name = lastName(t.names).toLowerCase();
  if (!name) return undefined;
  const mods: number[] = [];
  for (const m of t.typmods ?? []) mods.push('A_Const' in m ? (m.A_Const.ival?.ival ?? 0) : Number.NaN);
  return { name, mods, array: (t.arrayBounds?.length ?? 0) > 0 };
}

/** The SQL names of PostgreSQL's internal type names, for messages. */
const DISPLAY_NAMES: Record<string, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', bool: 'boolean', bpchar: 'char' };

/** `varchar(20)`, `numeric(10,2)`, `bigint`, `text[]`: for messages. */
export function formatType(t: ColumnType): string {
  return `${DISPLAY_NAMES[t.name] ?? t.name}${t.mods.length > 0 ? `(${t.mods.join(',')})` : ''}${t.array ? '[]' : ''}`;
}

/** The column a `CHECK (col IS NOT NULL)` proves non-null, if that is all the check says. */
export function notNullCheckColumn(expr: Node | undefined): string | undefined {
  if (!expr || !('NullTest' in expr) || expr.NullTest.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const arg = expr.NullTest.arg;
  if (!arg || !('ColumnRef' in arg)) return undefined;
  const fields = arg.ColumnRef.fields ?? [];
  return fields.length === 1 ? lastName(fields) : undefined;
}

/** Column names referenced anywhere inside an expression. */
export function referencedColumns(node: unknown): string[] {
  const found: string[] = [];
  eachNode(node, 'ColumnRef', (ref) => found.push(lastName(ref.fields as Node[] | undefined)));
  return found;
}
