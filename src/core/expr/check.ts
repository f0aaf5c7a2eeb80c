import type { Node } from './ast.js';
import { ExprRuntimeError } from './errors.js';
import { goTypeName } from './values.js';

/**
 * The part of expr-lang's type checker (expr-lang/expr `checker/checker.go`) that Argo's
 * conditions meet. Argo compiles each condition with `expr.Env(env)`, where `result` has the
 * Go type of the value it holds, so a condition that is ill-typed for that type fails before it
 * runs, on every branch, taken or not: `asFloat(result) == "1.1"` is
 * `invalid operation: == (mismatched types float64 and string)`, and `false && result > 1`
 * with a vector is an error too. Only what is known for sure is checked: literals, `result`
 * itself, and what helpers and builtins return. Anything fetched out of an array or a map is
 * `interface {}` in Argo (JSON) and unknown here, so it is left to run time.
 */

/** A static type: a Go type name as values.ts spells it, or `unknown` (interface {}). */
type T = string;

const UNKNOWN: T = 'unknown';
const INT = 'int';
const FLOAT = 'float64';
const BOOL = 'bool';
const STRING = 'string';
const ARRAY = '[]interface {}';
const MAP = 'map[string]interface {}';

/** What Argo's helpers return (utils/evaluate/evaluate.go). */
const HELPER_RESULTS: Record<string, T> = { asInt: INT, asFloat: FLOAT, isNaN: BOOL, isInf: BOOL, isNil: BOOL };
/** Argo's isNaN and isInf take a float64. */
const FLOAT_PARAMS = new Set(['isNaN', 'isInf']);
const BUILTIN_RESULTS: Record<string, T> = {
  len: INT, all: BOOL, any: BOOL, none: BOOL, one: BOOL, count: INT, findIndex: INT, findLastIndex: INT,
  filter: ARRAY, map: ARRAY, int: INT, float: FLOAT, string: STRING, trim: STRING, trimPrefix: STRING,
  trimSuffix: STRING, upper: STRING, lower: STRING, split: ARRAY, join: STRING, replace: STRING, repeat: STRING,
  indexOf: INT, lastIndexOf: INT, hasPrefix: BOOL, hasSuffix: BOOL, mean: FLOAT, median: FLOAT, keys: ARRAY,
  values: ARRAY, type: STRING, reverse: ARRAY, uniq: ARRAY, concat: ARRAY, flatten: ARRAY, sort: ARRAY, sortBy: ARRAY,
  groupBy: MAP,
};

const isNum = (t: T): boolean => t === INT || t === FLOAT;
const known = (t: T): boolean => t !== UNKNOWN;

/** The static type of an env value: its own type, except that nil is `interface {}`. */
export function staticTypeOf(v: unknown): T {
  return v === null || v === undefined ? UNKNOWN : goTypeName(v);
}

/**
 * Checks `root` with the env's static types (`types`: name -> type); throws ExprRuntimeError
 * with the checker's wording and position on the first ill-typed operation.
 */
export function checkTypes(root: Node, source: string, types: Readonly<Record<string, T>>): void {
  const fail = (pos: number, message: string): never => {
    throw new ExprRuntimeError(message, source, pos);
  };
  const visit = (n: Node): T => {
    switch (n.kind) {
      case 'nil':
        return 'nil';
      case 'bool':
        return BOOL;
      case 'int':
        return INT;
      case 'float':
        return FLOAT;
      case 'string':
        return STRING;
      case 'ident':
        return types[n.name] ?? UNKNOWN;
      case 'pointer':
        return n.name === 'index' ? INT : UNKNOWN;
      case 'unary': {
        const t = visit(n.operand);
        if (n.op === 'not' || n.op === '!') {
          if (known(t) && t !== BOOL) fail(n.pos, `invalid operation: ${n.op} (mismatched type ${t})`);
          return BOOL;
        }
        if (known(t) && !isNum(t)) fail(n.pos, `invalid operation: ${n.op} (mismatched type ${t})`);
        return t;
      }
      case 'binary': {
        const l = visit(n.left);
        const r = visit(n.right);
        return binaryType(n.op, l, r, n.pos, fail);
      }
      case 'member':
        visit(n.object);
        visit(n.property);
        return UNKNOWN;
      case 'slice': {
        const t = visit(n.object);
        if (n.from) visit(n.from);
        if (n.to) visit(n.to);
        return t === STRING || t === ARRAY ? t : UNKNOWN;
      }
      case 'call': {
        const args = n.args.map(visit);
        if (n.callee.kind !== 'ident') {
          visit(n.callee);
          return UNKNOWN;
        }
        const name = n.callee.name;
        if (FLOAT_PARAMS.has(name) && args[0] !== undefined && known(args[0]) && !isNum(args[0])) {
          fail(n.pos, `cannot use ${args[0]} as argument (type float64) to call ${name}`);
        }
        return HELPER_RESULTS[name] ?? UNKNOWN;
      }
      case 'builtin':
        n.args.forEach(visit);
        return BUILTIN_RESULTS[n.name] ?? UNKNOWN;
      case 'predicate':
        visit(n.body);
        return UNKNOWN;
      case 'conditional': {
        const c = visit(n.cond);
        if (known(c) && c !== BOOL) fail(n.pos, `non-bool expression (type ${c}) used as condition`);
        const a = visit(n.then);
        const b = visit(n.otherwise);
        return a === b ? a : UNKNOWN;
      }
      case 'array':
        n.items.forEach(visit);
        return ARRAY;
      case 'map':
        n.entries.forEach((e) => {
          visit(e.key);
          visit(e.value);
        });
        return MAP;
      case 'chain':
        visit(n.node);
        return UNKNOWN;
      default: {
        const never: never = n;
        return never;
      }
    }
  };
  visit(root);
}

function binaryType(op: string, l: T, r: T, pos: number, fail: (pos: number, message: string) => never): T {
  const both = known(l) && known(r);
  const mismatch = (): never => fail(pos, `invalid operation: ${op} (mismatched types ${l} and ${r})`);
  switch (op) {
    case '==':
    case '!=':
      if (both && l !== 'nil' && r !== 'nil' && l !== r && !(isNum(l) && isNum(r))) mismatch();
      return BOOL;
    case '<':
    case '>':
    case '<=':
    case '>=':
      if (both && !(isNum(l) && isNum(r)) && !(l === STRING && r === STRING)) mismatch();
      if ((known(l) && !isNum(l) && l !== STRING) || (known(r) && !isNum(r) && r !== STRING)) mismatch();
      return BOOL;
    case 'and':
    case '&&':
    case 'or':
    case '||':
      if ((known(l) && l !== BOOL) || (known(r) && r !== BOOL)) mismatch();
      return BOOL;
    case 'in':
      if (known(r) && r !== ARRAY && r !== MAP && r !== 'nil') mismatch();
      return BOOL;
    case 'matches':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      if ((known(l) && l !== STRING) || (known(r) && r !== STRING)) mismatch();
      return BOOL;
    case '..':
      if ((known(l) && l !== INT) || (known(r) && r !== INT)) mismatch();
      return ARRAY;
    case '+':
      for (const t of [STRING, ARRAY]) {
        if (l === t || r === t) {
          if (both && l !== r) mismatch();
          return both ? t : UNKNOWN;
        }
      }
      return arith(l, r, mismatch, l === INT && r === INT ? INT : FLOAT);
    case '-':
    case '*':
      return arith(l, r, mismatch, l === INT && r === INT ? INT : FLOAT);
    case '/':
    case '**':
    case '^':
      return arith(l, r, mismatch, FLOAT);
    case '%':
      if ((known(l) && l !== INT) || (known(r) && r !== INT)) mismatch();
      return INT;
    default:
      // `??`: either side.
      return l === r ? l : UNKNOWN;
  }
}

function arith(l: T, r: T, mismatch: () => never, result: T): T {
  if ((known(l) && !isNum(l)) || (known(r) && !isNum(r))) mismatch();
  return known(l) && known(r) ? result : UNKNOWN;
}
