import { ExprRuntimeError } from './errors.js';
import { compareForSort, sortSign } from './functions.js';
import { formatGo, goTypeName, toInt64 } from './values.js';

/**
 * expr-lang's predicate builtins (expr-lang/expr `parser/parser.go` `predicates`, `vm`): they
 * take a closure (`all(result, {# > 0.5})`) and are parsed specially. The plain builtins are
 * in functions.ts. Errors are worded like expr's where it has a wording.
 */

/** A predicate closure: the body evaluated with `#`, `#index` and `#acc` bound. */
export type Predicate = (item: unknown, index: number, acc?: unknown) => unknown;

export interface PredicateBuiltin {
  /** Argument kinds as expr's parser lists them; a trailing `?` marks an optional one. */
  args: readonly ('expr' | 'predicate' | 'predicate?' | 'expr?')[];
  run(items: unknown[], predicate: Predicate | undefined, extra: unknown): unknown;
}

function asBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ExprRuntimeError(`predicate of ${name} must return bool (got ${goTypeName(v)})`);
  return v;
}

/** Sum of numbers, kept an int while every term is an int (Go's `sum` over []int). */
function sumOf(values: unknown[], name: string): bigint | number {
  let int = 0n;
  let float = 0;
  let isFloat = false;
  for (const v of values) {
    if (typeof v === 'bigint') int += v;
    else if (typeof v === 'number') {
      float += v;
      isFloat = true;
    } else throw new ExprRuntimeError(`invalid argument for ${name} (type ${goTypeName(v)})`);
  }
  return isFloat ? float + Number(int) : toInt64(int);
}

function need(name: string, pred: Predicate | undefined): Predicate {
  if (!pred) throw new ExprRuntimeError(`not enough arguments to call ${name}`);
  return pred;
}

/** The predicate builtins by name, with the argument kinds the parser expects. */
export const PREDICATE_BUILTINS: Record<string, PredicateBuiltin> = {
  all: { args: ['expr', 'predicate'], run: (xs, p) => xs.every((x, i) => asBool('all', need('all', p)(x, i))) },
  any: { args: ['expr', 'predicate'], run: (xs, p) => xs.some((x, i) => asBool('any', need('any', p)(x, i))) },
  none: { args: ['expr', 'predicate'], run: (xs, p) => !xs.some((x, i) => asBool('none', need('none', p)(x, i))) },
  one: { args: ['expr', 'predicate'], run: (xs, p) => xs.filter((x, i) => asBool('one', need('one', p)(x, i))).length === 1 },
  filter: { args: ['expr', 'predicate'], run: (xs, p) => xs.filter((x, i) => asBool('filter', need('filter', p)(x, i))) },
  map: { args: ['expr', 'predicate'], run: (xs, p) => xs.map((x, i) => need('map', p)(x, i)) },
  count: {
    args: ['expr', 'predicate?'],
    run: (xs, p) => BigInt(xs.filter((x, i) => asBool('count', p ? p(x, i) : x)).length),
  },
  sum: { args: ['expr', 'predicate?'], run: (xs, p) => sumOf(p ? xs.map((x, i) => p(x, i)) : xs, 'sum') },
  find: { args: ['expr', 'predicate'], run: (xs, p) => xs.find((x, i) => asBool('find', need('find', p)(x, i))) ?? null },
  findIndex: { args: ['expr', 'predicate'], run: (xs, p) => BigInt(xs.findIndex((x, i) => asBool('findIndex', need('findIndex', p)(x, i)))) },
  findLast: { args: ['expr', 'predicate'], run: (xs, p) => xs.findLast((x, i) => asBool('findLast', need('findLast', p)(x, i))) ?? null },
  findLastIndex: {
    args: ['expr', 'predicate'],
    run: (xs, p) => BigInt(xs.findLastIndex((x, i) => asBool('findLastIndex', need('findLastIndex', p)(x, i)))),
  },
  groupBy: {
    args: ['expr', 'predicate'],
    run: (xs, p) => {
      const out: Record<string, unknown[]> = {};
      xs.forEach((x, i) => {
        const key = formatGo(need('groupBy', p)(x, i));
        (out[key] ??= []).push(x);
      });
      return out;
    },
  },
  sortBy: {
    args: ['expr', 'predicate', 'expr?'],
    run: (xs, p, order) => {
      const keyed = xs.map((x, i) => ({ x, k: need('sortBy', p)(x, i) }));
      const sign = sortSign(order);
      return keyed.sort((a, b) => sign * compareForSort(a.k, b.k)).map((e) => e.x);
    },
  },
  reduce: {
    args: ['expr', 'predicate', 'expr?'],
    run: (xs, p, init) => {
      const f = need('reduce', p);
      let acc = init;
      let start = 0;
      if (init === undefined) {
        if (xs.length === 0) throw new ExprRuntimeError('reduce of empty array with no initial value');
        acc = xs[0];
        start = 1;
      }
      for (let i = start; i < xs.length; i++) acc = f(xs[i], i, acc);
      return acc;
    },
  },
};
