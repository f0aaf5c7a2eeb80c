import type { BinaryOp } from './ast.js';
import { ExprRuntimeError } from './errors.js';
import { equal, formatGo, goDynamicTypeName, goTypeName, isMap, isNil, isNumeric, mismatch, ownProperty, toInt64 } from './values.js';

/**
 * Operations on evaluated values, after expr-lang's `vm/runtime` package (`runtime.go`,
 * `helpers[generated].go`): equality, ordering, membership, arithmetic with Go's int/float64
 * rules, fetch and slice.
 */

/**
 * expr's memory budget (conf.MemoryBudget, 1e6): what one evaluation may allocate in range
 * elements, concatenated elements and predicate calls. Past it the evaluation fails with
 * `memory budget exceeded`, so no condition can hang the engine or exhaust memory.
 */
export const MEMORY_BUDGET = 1_000_000;

/** What operate needs from the evaluation: dynamic regexes and the shared budget. */
export interface OperateHooks {
  regexFor(pattern: string): RegExp;
  /** Takes `n` units from the evaluation's budget; throws when it runs out. */
  spend(n: number): void;
}

/**
 * A binary operator on two evaluated operands (all but the lazy `&& || and or ??`), with
 * expr's runtime rules (vm/runtime: Equal, Less, In, Add, ...).
 */
export function operate(op: BinaryOp, a: unknown, b: unknown, regex: RegExp | undefined, hooks: OperateHooks): unknown {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case '<':
    case '>':
    case '<=':
    case '>=':
      return compare(op, a, b);
    case 'in':
      return contains(b, a);
    case 'matches': {
      if (typeof a !== 'string' || typeof b !== 'string') return mismatch(op, a, b);
      return (regex ?? hooks.regexFor(b)).test(a);
    }
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      if (typeof a !== 'string' || typeof b !== 'string') return mismatch(op, a, b);
      return op === 'contains' ? a.includes(b) : op === 'startsWith' ? a.startsWith(b) : a.endsWith(b);
    case '..': {
      if (typeof a !== 'bigint' || typeof b !== 'bigint') return mismatch(op, a, b);
      if (b >= a) hooks.spend(b - a + 1n > BigInt(MEMORY_BUDGET) ? MEMORY_BUDGET + 1 : Number(b - a + 1n));
      const out: bigint[] = [];
      for (let i = a; i <= b; i++) out.push(i);
      return out;
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '**':
    case '^':
      if (op === '+' && Array.isArray(a) && Array.isArray(b)) hooks.spend(a.length + b.length);
      return arithmetic(op, a, b);
    case '&&':
    case '||':
    case 'and':
    case 'or':
    case '??':
      throw new ExprRuntimeError(`operator ${op} is evaluated lazily`);
    default: {
      const never: never = op;
      throw new ExprRuntimeError(`unknown operator ${String(never)}`);
    }
  }
}

/** `+ - * / % ** ^` with Go's int/float64 rules: int op int stays int except `/` and `**`. */
function arithmetic(op: '+' | '-' | '*' | '/' | '%' | '**' | '^', a: unknown, b: unknown): unknown {
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (op === '+' && Array.isArray(a) && Array.isArray(b)) return (a as unknown[]).concat(b as unknown[]);
  if (!isNumeric(a) || !isNumeric(b)) return mismatch(op, a, b);
  if (op === '%') {
    if (typeof a !== 'bigint' || typeof b !== 'bigint') return mismatch(op, a, b);
    if (b === 0n) throw new ExprRuntimeError('integer divide by zero');
    return toInt64(a % b);
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (op === '+') return toInt64(a + b);
    if (op === '-') return toInt64(a - b);
    if (op === '*') return toInt64(a * b);
  }
  const x = Number(a);
  const y = Number(b);
  if (op === '+') return x + y;
  if (op === '-') return x - y;
  if (op === '*') return x * y;
  if (op === '/') return x / y;
  return x ** y;
}

/** `< > <= >=`: numbers with numbers (NaN compares false), strings with strings, else an error. */
function compare(op: '<' | '>' | '<=' | '>=', a: unknown, b: unknown): boolean {
  const ok = (isNumeric(a) && isNumeric(b)) || (typeof a === 'string' && typeof b === 'string');
  if (!ok) return mismatch(op, a, b);
  const x = a as number;
  const y = b as number;
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
}

/** expr's `in` (runtime.In): element of an array, key of a map, false for nil. */
function contains(collection: unknown, needle: unknown): boolean {
  if (isNil(collection)) return false;
  if (Array.isArray(collection)) return collection.some((v) => equal(v, needle));
  if (isMap(collection) && typeof collection !== 'function') {
    if (typeof needle !== 'string') throw new ExprRuntimeError(`cannot use ${goTypeName(needle)} as key to map[string]interface {}`);
    return Object.hasOwn(collection, needle);
  }
  throw new ExprRuntimeError(`operator "in" not defined on ${goTypeName(collection)}`);
}

/** runtime.Fetch: `a.b`, `a["b"]`, `a[0]`, `a[-1]`, `"abc"[1]`. */
export function fetchMember(from: unknown, key: unknown): unknown {
  if (Array.isArray(from) || typeof from === 'string') {
    if (!isNumeric(key)) throw new ExprRuntimeError(`cannot fetch ${formatGo(key)} from ${goTypeName(from)}`);
    const length = from.length;
    let index = Number(typeof key === 'number' ? Math.trunc(key) : key);
    if (index < 0) index += length;
    if (index < 0 || index >= length) throw new ExprRuntimeError(`index out of range: ${index} (array length is ${length})`);
    return from[index] ?? null;
  }
  if (isMap(from) && typeof from !== 'function' && typeof key === 'string') return ownProperty(from, key);
  throw new ExprRuntimeError(`cannot fetch ${formatGo(key)} from ${goDynamicTypeName(from)}`);
}

/** runtime.Slice: bounds are clamped, negative ones count from the end. */
export function slice(from: unknown, a: unknown, b: unknown): unknown {
  if (!Array.isArray(from) && typeof from !== 'string') throw new ExprRuntimeError(`cannot slice ${goDynamicTypeName(from)}`);
  const length = from.length;
  const bound = (v: unknown, dflt: number): number => {
    if (v === undefined) return dflt;
    if (!isNumeric(v)) throw new ExprRuntimeError(`invalid operation: int(${goDynamicTypeName(v)})`);
    const n = Math.trunc(Number(v));
    return Math.min(Math.max(n < 0 ? length + n : n, 0), length);
  };
  const to = bound(b, length);
  const start = Math.min(bound(a, 0), to);
  return from.slice(start, to);
}

