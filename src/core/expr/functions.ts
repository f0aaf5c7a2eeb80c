import { ExprRuntimeError } from './errors.js';
import { MEMORY_BUDGET } from './operations.js';
import {
  equal, formatGo, goDynamicTypeName, goTypeName, isMap, isNil, isNumeric, parseGoFloat, parseGoInt, toInt64,
  truncToInt, utf8Length,
} from './values.js';

/**
 * expr-lang's plain built-in functions (expr-lang/expr `builtin/builtin.go`) that conditions
 * use: `len abs ceil floor round int float string trim upper lower split join max min mean
 * median first last keys values type reverse sort uniq concat flatten get ...`. Predicate
 * builtins (`all`, `filter`, ...) are in builtins.ts.
 */

/** `asc` (default) or `desc` as a comparator sign. */
export function sortSign(order: unknown): number {
  if (order === undefined || order === 'asc') return 1;
  if (order === 'desc') return -1;
  throw new ExprRuntimeError(`unknown order ${formatGo(order)}, use asc or desc`);
}

/** Orders numbers with numbers and strings with strings, as expr's `sort` does. */
export function compareForSort(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new ExprRuntimeError(`invalid operation: < (mismatched types ${goTypeName(a)} and ${goTypeName(b)})`);
}

type Plain = (args: unknown[]) => unknown;

function arity(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min) throw new ExprRuntimeError(`not enough arguments to call ${name}`);
  if (args.length > max) throw new ExprRuntimeError(`too many arguments to call ${name}`);
}

function str(name: string, v: unknown): string {
  if (typeof v !== 'string') throw new ExprRuntimeError(`invalid argument for ${name} (type ${goTypeName(v)})`);
  return v;
}

function arr(name: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new ExprRuntimeError(`invalid argument for ${name} (type ${goTypeName(v)})`);
  return v;
}

function num(name: string, v: unknown): bigint | number {
  if (!isNumeric(v)) throw new ExprRuntimeError(`invalid argument for ${name} (type ${goTypeName(v)})`);
  return v;
}

/** Wraps a one-argument numeric function that keeps ints as ints (abs) or floors floats. */
function unaryNumeric(name: string, onInt: (v: bigint) => bigint | number, onFloat: (v: number) => number): Plain {
  return (args) => {
    arity(name, args, 1);
    const v = num(name, args[0]);
    return typeof v === 'bigint' ? onInt(v) : onFloat(v);
  };
}

/** `max(1, 2.5)` or `max([1, 2.5])`: the extreme element itself, int or float. */
function extreme(name: string, pick: (a: bigint | number, b: bigint | number) => boolean): Plain {
  return (args) => {
    const flat = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
    if (flat.length === 0) throw new ExprRuntimeError(`not enough arguments to call ${name}`);
    let best = num(name, flat[0]);
    for (const v of flat.slice(1)) {
      const n = num(name, v);
      if (pick(n, best) || Number.isNaN(n)) best = n;
    }
    return best;
  };
}

function numbersOf(name: string, args: unknown[]): number[] {
  const flat = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return flat.map((v) => Number(num(name, v)));
}

const GO_TYPE_KIND: Record<string, string> = {
  nil: 'nil', int: 'int', float64: 'float', string: 'string', bool: 'bool', func: 'func',
  '[]interface {}': 'array', 'map[string]interface {}': 'map',
};

/** The plain builtins by name; each takes its evaluated arguments. */
export const PLAIN_BUILTINS: Record<string, Plain> = {
  len: (args) => {
    arity('len', args, 1);
    const v = args[0];
    if (typeof v === 'string') return BigInt(utf8Length(v));
    if (Array.isArray(v)) return BigInt(v.length);
    if (isMap(v) && typeof v !== 'function') return BigInt(Object.keys(v).length);
    throw new ExprRuntimeError(`invalid argument for len (type ${goDynamicTypeName(v)})`);
  },
  abs: unaryNumeric('abs', (v) => (v < 0n ? toInt64(-v) : v), Math.abs),
  ceil: unaryNumeric('ceil', (v) => Number(v), Math.ceil),
  floor: unaryNumeric('floor', (v) => Number(v), Math.floor),
  // Go's math.Round rounds half away from zero; JS Math.round rounds half up.
  round: unaryNumeric('round', (v) => Number(v), (v) => Math.sign(v) * Math.round(Math.abs(v))),
  int: (args) => {
    arity('int', args, 1);
    const v = args[0];
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number') return truncToInt(v);
    if (typeof v === 'string') return parseGoInt(v, 'strconv.Atoi');
    throw new ExprRuntimeError(`invalid operation: int(${goDynamicTypeName(v)})`);
  },
  float: (args) => {
    arity('float', args, 1);
    const v = args[0];
    if (isNumeric(v)) return Number(v);
    if (typeof v === 'string') return parseGoFloat(v);
    throw new ExprRuntimeError(`invalid operation: float(${goDynamicTypeName(v)})`);
  },
  string: (args) => {
    arity('string', args, 1);
    return formatGo(args[0]);
  },
  type: (args) => {
    arity('type', args, 1);
    return GO_TYPE_KIND[goTypeName(args[0])] ?? 'unknown';
  },
  trim: (args) => {
    arity('trim', args, 1, 2);
    const s = str('trim', args[0]);
    if (args.length === 1) return s.trim();
    const cut = new Set(str('trim', args[1]));
    let a = 0;
    let b = s.length;
    while (a < b && cut.has(s[a] ?? '')) a++;
    while (b > a && cut.has(s[b - 1] ?? '')) b--;
    return s.slice(a, b);
  },
  trimPrefix: (args) => {
    arity('trimPrefix', args, 2);
    const [s, p] = [str('trimPrefix', args[0]), str('trimPrefix', args[1])];
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  trimSuffix: (args) => {
    arity('trimSuffix', args, 2);
    const [s, p] = [str('trimSuffix', args[0]), str('trimSuffix', args[1])];
    return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  },
  upper: (args) => (arity('upper', args, 1), str('upper', args[0]).toUpperCase()),
  lower: (args) => (arity('lower', args, 1), str('lower', args[0]).toLowerCase()),
  split: (args) => {
    arity('split', args, 2, 3);
    const [s, sep] = [str('split', args[0]), str('split', args[1])];
    const parts = sep === '' ? Array.from(s) : s.split(sep);
    if (args.length < 3) return parts;
    const n = Number(num('split', args[2]));
    if (n === 0) return [];
    if (n < 0 || parts.length <= n) return parts;
    return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
  },
  replace: (args) => (arity('replace', args, 3), str('replace', args[0]).split(str('replace', args[1])).join(str('replace', args[2]))),
  repeat: (args) => {
    arity('repeat', args, 2);
    const n = Number(num('repeat', args[1]));
    if (n < 0) throw new ExprRuntimeError('strings: negative Repeat count');
    const s = str('repeat', args[0]);
    if (s.length * n > MEMORY_BUDGET) throw new ExprRuntimeError('memory budget exceeded');
    return s.repeat(n);
  },
  join: (args) => {
    arity('join', args, 1, 2);
    const sep = args.length > 1 ? str('join', args[1]) : '';
    return arr('join', args[0]).map((v) => str('join', v)).join(sep);
  },
  indexOf: (args) => (arity('indexOf', args, 2), BigInt(str('indexOf', args[0]).indexOf(str('indexOf', args[1])))),
  lastIndexOf: (args) => (arity('lastIndexOf', args, 2), BigInt(str('lastIndexOf', args[0]).lastIndexOf(str('lastIndexOf', args[1])))),
  hasPrefix: (args) => (arity('hasPrefix', args, 2), str('hasPrefix', args[0]).startsWith(str('hasPrefix', args[1]))),
  hasSuffix: (args) => (arity('hasSuffix', args, 2), str('hasSuffix', args[0]).endsWith(str('hasSuffix', args[1]))),
  max: extreme('max', (a, b) => a > b),
  min: extreme('min', (a, b) => a < b),
  mean: (args) => {
    const xs = numbersOf('mean', args);
    return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
  },
  median: (args) => {
    const xs = numbersOf('median', args).sort((a, b) => a - b);
    if (xs.length === 0) return 0;
    const mid = Math.floor(xs.length / 2);
    const hi = xs[mid] ?? 0;
    return xs.length % 2 ? hi : ((xs[mid - 1] ?? 0) + hi) / 2;
  },
  first: (args) => (arity('first', args, 1), isNil(args[0]) ? null : (arr('first', args[0])[0] ?? null)),
  last: (args) => (arity('last', args, 1), isNil(args[0]) ? null : (arr('last', args[0]).at(-1) ?? null)),
  keys: (args) => {
    arity('keys', args, 1);
    if (!isMap(args[0])) throw new ExprRuntimeError(`invalid argument for keys (type ${goTypeName(args[0])})`);
    return Object.keys(args[0]);
  },
  values: (args) => {
    arity('values', args, 1);
    if (!isMap(args[0])) throw new ExprRuntimeError(`invalid argument for values (type ${goTypeName(args[0])})`);
    return Object.values(args[0]);
  },
  get: (args) => {
    arity('get', args, 2);
    const [v, k] = args;
    if (Array.isArray(v) && isNumeric(k)) {
      const i = Number(k) < 0 ? v.length + Number(k) : Number(k);
      return (v as unknown[])[i] ?? null;
    }
    if (isMap(v) && typeof k === 'string') return Object.hasOwn(v, k) ? (v[k] ?? null) : null;
    return null;
  },
  reverse: (args) => (arity('reverse', args, 1), [...arr('reverse', args[0])].reverse()),
  uniq: (args) => {
    arity('uniq', args, 1);
    const out: unknown[] = [];
    for (const v of arr('uniq', args[0])) if (!out.some((u) => equal(u, v))) out.push(v);
    return out;
  },
  concat: (args) => args.flatMap((a) => arr('concat', a)),
  flatten: (args) => {
    arity('flatten', args, 1);
    const flat = (xs: unknown[]): unknown[] => xs.flatMap((x) => (Array.isArray(x) ? flat(x) : [x]));
    return flat(arr('flatten', args[0]));
  },
  sort: (args) => {
    arity('sort', args, 1, 2);
    const sign = sortSign(args[1]);
    return [...arr('sort', args[0])].sort((a, b) => sign * compareForSort(a, b));
  },
};
