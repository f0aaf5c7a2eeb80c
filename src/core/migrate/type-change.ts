/**
 * Whether `ALTER COLUMN c TYPE t` rewrites the table. PostgreSQL 15 skips the rewrite (and keeps
 * the column's indexes) when the old type is binary coercible to the new one and the new
 * modifier cannot reject a stored value: tablecmds.c `ATColumnChangeRequiresRewrite`, with the
 * planner support functions `varchar_support`, `numeric_support`, `timestamp_support`,
 * `time_support`, `interval_support` and `varbit_support` deciding when a modifier change is a
 * no-op. strong_migrations lists the same safe changes (`change_type_safe?`,
 * adapters/postgresql_adapter.rb); test/migrate/peer-cases-pg.test.ts checks each verdict by
 * comparing the table's and its index's `pg_relation_filenode` before and after on a real
 * server.
 *
 * Worked examples: varchar(20) -> varchar(50), varchar(20) -> text, text -> varchar,
 * numeric(10,2) -> numeric(12,2), timestamptz(3) -> timestamptz, cidr -> inet: no rewrite.
 * varchar(50) -> varchar(20), text -> varchar(20) (every row is checked), int4 -> int8,
 * numeric(10,2) -> numeric(10,3), timestamp -> timestamptz (unless the session time zone is
 * UTC, which Baton does not assume): rewrite.
 */
import type { Node } from 'libpg-query';
import { lastName, type ColumnType } from './ast.js';

/** Types whose stored bytes are the other's, so only the modifier can force a rewrite. */
const BINARY_COERCIBLE = new Set(['varchar>text', 'text>varchar', 'cidr>inet']);

/** Types whose modifier a support function can prove harmless when it grows or goes away. */
const LENGTH_LIKE = new Set(['varchar', 'varbit']);
const PRECISION_LIKE = new Set(['timestamp', 'timestamptz', 'time']);

/** Whether changing the modifier of `name` from `from` to `to` can be a no-op. */
function modsWiden(name: string, from: readonly number[], to: readonly number[]): boolean {
  if (to.length === 0) return true;
  if (from.length === 0) return false;
  if (LENGTH_LIKE.has(name) || PRECISION_LIKE.has(name)) return (to[0] ?? 0) >= (from[0] ?? 0);
  if (name === 'numeric') {
    // numeric(p) is numeric(p,0); the scale must stay, the precision may grow.
    const [p1 = 0, s1 = 0] = from;
    const [p2 = 0, s2 = 0] = to;
    return s1 === s2 && p2 >= p1;
  }
  if (name === 'interval') {
    // Modifiers are (range fields, precision); the fields must stay, the precision may grow.
    return from.length === to.length && from[0] === to[0] && (to[1] ?? 6) >= (from[1] ?? 6);
  }
  return false;
}

/** A USING clause that does not change the contents: absent, or just the column itself. */
function usingIsIdentity(using: Node | undefined, column: string): boolean {
  if (!using) return true;
  return 'ColumnRef' in using && lastName(using.ColumnRef.fields) === column && (using.ColumnRef.fields?.length ?? 0) === 1;
}

export type TypeChangeVerdict =
  | { rewrites: false }
  | { rewrites: true; reason: 'unknown-type' | 'using' | 'incompatible' };

/** Whether changing `column` from `from` (undefined: not declared in the migrations) to `to` rewrites the table. */
export function typeChangeVerdict(from: ColumnType | undefined, to: ColumnType, using: Node | undefined, column: string): TypeChangeVerdict {
  if (!from) return { rewrites: true, reason: 'unknown-type' };
  if (!usingIsIdentity(using, column)) return { rewrites: true, reason: 'using' };
  if (from.array !== to.array) return { rewrites: true, reason: 'incompatible' };
  if (from.name === to.name) {
    const same = from.mods.length === to.mods.length && from.mods.every((m, i) => m === to.mods[i]);
    return same || (!from.array && modsWiden(from.name, from.mods, to.mods)) ? { rewrites: false } : { rewrites: true, reason: 'incompatible' };
  }
  // A different type: binary coercible, and the new modifier (if any) no narrower than none.
  if (!from.array && BINARY_COERCIBLE.has(`${from.name}>${to.name}`) && to.mods.length === 0) return { rewrites: false };
  return { rewrites: true, reason: 'incompatible' };
}
