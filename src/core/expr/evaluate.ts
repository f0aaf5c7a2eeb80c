import type { BinaryOp, Node } from './ast.js';
import { PLAIN_BUILTINS, PREDICATE_BUILTINS, type Predicate } from './builtins.js';
import { ExprRuntimeError } from './errors.js';
import {
  compileGoRegex, equal, formatGo, goDynamicTypeName, goTypeName, isMap, isNil, isNumeric, mismatch, ownProperty,
  toInt64,
} from './values.js';

/**
 * A tree-walking evaluator with expr-lang's runtime rules (expr-lang/expr `vm/vm.go`,
 * `vm/runtime/runtime.go`, `checker/checker.go`). Types are checked on the values met, so a
 * type error is an ExprRuntimeError when the faulty operation runs; `&&`, `||`, `?:` and `??`
 * short-circuit, so a branch not taken is not checked (expr's checker would reject a branch it
 * can prove ill-typed from the env's Go types before running).
 */

/** expr's memory budget: a range or repeat bigger than this is refused, not allocated. */
const MEMORY_BUDGET = 1_000_000;

interface Frame {
  item: unknown;
  index: number;
  acc: unknown;
}

interface Context {
  env: Readonly<Record<string, unknown>>;
  frames: Frame[];
  /** Offset of the operation being run, for the error's position. */
  pos: number;
  regexes: Map<string, RegExp>;
}

/** Thrown by a `?.` that met nil; caught by the chain that holds it, which yields nil. */
class ChainNil extends Error {}
const CHAIN_NIL = new ChainNil('nil in an optional chain');

/** Evaluates a parsed condition. Every failure is an ExprRuntimeError with its position. */
export function evaluateTree(root: Node, source: string, env: Readonly<Record<string, unknown>>, regexes: Map<string, RegExp>): unknown {
  const ctx: Context = { env, frames: [], pos: root.pos, regexes };
  try {
    return ev(root, ctx);
  } catch (e) {
    if (e instanceof ExprRuntimeError && e.details.source) throw e;
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new ExprRuntimeError('expression is too deeply nested', source, ctx.pos);
    // A helper from the env that throws is a failed evaluation, as a Go panic in a function is for expr.
    const message = e instanceof Error ? e.message : String(e);
    throw new ExprRuntimeError(message, source, ctx.pos);
  }
}

function fail(ctx: Context, pos: number, message: string): never {
  ctx.pos = pos;
  throw new ExprRuntimeError(message);
}

function ev(node: Node, ctx: Context): unknown {
  switch (node.kind) {
    case 'nil':
      return null;
    case 'bool':
    case 'int':
    case 'float':
    case 'string':
      return node.value;
    case 'ident':
      if (!Object.hasOwn(ctx.env, node.name)) return fail(ctx, node.pos, `unknown name ${node.name}`);
      return ctx.env[node.name] ?? null;
    case 'pointer': {
      const frame = ctx.frames.at(-1);
      if (!frame) return fail(ctx, node.pos, 'cannot use pointer accessor outside predicate');
      if (node.name === 'index') return BigInt(frame.index);
      if (node.name === 'acc') return frame.acc ?? null;
      return frame.item;
    }
    case 'unary':
      return unary(node.op, ev(node.operand, ctx), ctx, node.pos);
    case 'binary':
      return binary(node, ctx);
    case 'member': {
      const object = ev(node.object, ctx);
      if (node.optional && isNil(object)) throw CHAIN_NIL;
      const key = ev(node.property, ctx);
      ctx.pos = node.pos;
      return fetch(object, key);
    }
    case 'slice':
      return slice(ev(node.object, ctx), node.from && ev(node.from, ctx), node.to && ev(node.to, ctx), ctx, node.pos);
    case 'call':
      return call(node.callee, node.args, ctx, node.pos);
    case 'builtin':
      return builtin(node.name, node.args, ctx, node.pos);
    case 'predicate':
      return fail(ctx, node.pos, 'a predicate is only allowed as an argument of a builtin');
    case 'conditional': {
      const cond = ev(node.cond, ctx);
      if (typeof cond !== 'boolean') return fail(ctx, node.pos, `non-bool expression (type ${goTypeName(cond)}) used as condition`);
      return cond ? ev(node.then, ctx) : ev(node.otherwise, ctx);
    }
    case 'array':
      return node.items.map((item) => ev(item, ctx));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const { key, value } of node.entries) {
        const k = ev(key, ctx);
        Object.defineProperty(out, typeof k === 'string' ? k : formatGo(k), { value: ev(value, ctx), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'chain':
      try {
        return ev(node.node, ctx);
      } catch (e) {
        if (e === CHAIN_NIL) return null;
        throw e;
      }
    default: {
      const never: never = node;
      throw new ExprRuntimeError(`unknown node ${String(never)}`);
    }
  }
}

function unary(op: string, v: unknown, ctx: Context, pos: number): unknown {
  if (op === 'not' || op === '!') {
    if (typeof v !== 'boolean') return fail(ctx, pos, `invalid operation: ${op} (mismatched type ${goTypeName(v)})`);
    return !v;
  }
  if (typeof v === 'bigint') return op === '-' ? toInt64(-v) : v;
  if (typeof v === 'number') return op === '-' ? -v : v;
  return fail(ctx, pos, `invalid operation: ${op} (mismatched type ${goTypeName(v)})`);
}

function binary(node: Extract<Node, { kind: 'binary' }>, ctx: Context): unknown {
  const op = node.op;
  if (op === '&&' || op === 'and' || op === '||' || op === 'or') {
    const isAnd = op === '&&' || op === 'and';
    const left = ev(node.left, ctx);
    if (typeof left !== 'boolean') {
      return fail(ctx, node.pos, `invalid operation: ${op} (mismatched types ${goTypeName(left)} and bool)`);
    }
    if (left !== isAnd) return left;
    const right = ev(node.right, ctx);
    if (typeof right !== 'boolean') {
      ctx.pos = node.pos;
      return mismatch(op, left, right);
    }
    return right;
  }
  if (op === '??') {
    const left = ev(node.left, ctx);
    return isNil(left) ? ev(node.right, ctx) : left;
  }
  const left = ev(node.left, ctx);
  const right = ev(node.right, ctx);
  ctx.pos = node.pos;
  return operate(op, left, right, node.regex, ctx);
}

function operate(op: BinaryOp, a: unknown, b: unknown, regex: RegExp | undefined, ctx: Context): unknown {
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
      return (regex ?? cachedRegex(b, ctx)).test(a);
    }
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      if (typeof a !== 'string' || typeof b !== 'string') return mismatch(op, a, b);
      return op === 'contains' ? a.includes(b) : op === 'startsWith' ? a.startsWith(b) : a.endsWith(b);
    case '..': {
      if (typeof a !== 'bigint' || typeof b !== 'bigint') return mismatch(op, a, b);
      if (b - a + 1n > BigInt(MEMORY_BUDGET)) throw new ExprRuntimeError('memory budget exceeded');
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

function cachedRegex(pattern: string, ctx: Context): RegExp {
  let re = ctx.regexes.get(pattern);
  if (!re) {
    re = compileGoRegex(pattern);
    ctx.regexes.set(pattern, re);
  }
  return re;
}

/** runtime.Fetch: `a.b`, `a["b"]`, `a[0]`, `a[-1]`, `"abc"[1]`. */
function fetch(from: unknown, key: unknown): unknown {
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
function slice(from: unknown, a: unknown, b: unknown, ctx: Context, pos: number): unknown {
  ctx.pos = pos;
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

function call(callee: Node, argNodes: Node[], ctx: Context, pos: number): unknown {
  let fn: unknown;
  let name: string;
  if (callee.kind === 'ident') {
    name = callee.name;
    if (!Object.hasOwn(ctx.env, name)) return fail(ctx, pos, `unknown func ${name}`);
    fn = ctx.env[name];
  } else {
    fn = ev(callee, ctx);
    name = callee.kind === 'member' && callee.property.kind === 'string' ? callee.property.value : 'function';
  }
  if (typeof fn !== 'function') return fail(ctx, pos, `${name} is not callable (type ${goDynamicTypeName(fn)})`);
  const args = argNodes.map((a) => ev(a, ctx));
  ctx.pos = pos;
  const out: unknown = (fn as (...xs: unknown[]) => unknown)(...args);
  return out ?? null;
}

function builtin(name: string, argNodes: Node[], ctx: Context, pos: number): unknown {
  const predicate = PREDICATE_BUILTINS[name];
  if (!predicate) {
    const plain = PLAIN_BUILTINS[name] as (args: unknown[]) => unknown;
    const args = argNodes.map((a) => ev(a, ctx));
    ctx.pos = pos;
    return plain(args);
  }
  const [collectionNode, predNode, extraNode] = argNodes;
  const items = ev(collectionNode as Node, ctx);
  const extra = extraNode ? ev(extraNode, ctx) : undefined;
  ctx.pos = pos;
  if (!Array.isArray(items)) throw new ExprRuntimeError(`cannot iterate over ${goDynamicTypeName(items)} in ${name}`);
  let fn: Predicate | undefined;
  if (predNode && predNode.kind === 'predicate') {
    const body = predNode.body;
    fn = (item, index, acc) => {
      ctx.frames.push({ item, index, acc });
      try {
        return ev(body, ctx);
      } finally {
        ctx.frames.pop();
      }
    };
  }
  const result = predicate.run(items, fn, extra);
  ctx.pos = pos;
  return result;
}
