import type { Node } from './ast.js';
import { PREDICATE_BUILTINS, type Predicate } from './builtins.js';
import { PLAIN_BUILTINS } from './functions.js';
import { ExprRuntimeError } from './errors.js';
import { fetchMember, MEMORY_BUDGET, operate, slice, type OperateHooks } from './operations.js';
import { compileGoRegex, formatGo, goDynamicTypeName, goTypeName, isNil, mismatch, toInt64 } from './values.js';

/**
 * A tree-walking evaluator with expr-lang's runtime rules (expr-lang/expr `vm/vm.go`,
 * `vm/runtime/runtime.go`, `checker/checker.go`). Types are checked on the values met, so a
 * type error is an ExprRuntimeError when the faulty operation runs; `&&`, `||`, `?:` and `??`
 * short-circuit, so a branch not taken is not checked (expr's checker would reject a branch it
 * can prove ill-typed from the env's Go types before running).
 */

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
  /** Dynamic regexes and the evaluation's share of MEMORY_BUDGET. */
  hooks: OperateHooks;
}

/** Thrown by a `?.` that met nil; caught by the chain that holds it, which yields nil. */
class ChainNil extends Error {}
const CHAIN_NIL = new ChainNil('nil in an optional chain');

/** Evaluates a parsed condition. Every failure is an ExprRuntimeError with its position. */
export function evaluateTree(root: Node, source: string, env: Readonly<Record<string, unknown>>, regexes: Map<string, RegExp>): unknown {
  let budget = MEMORY_BUDGET;
  const hooks: OperateHooks = {
    regexFor: (pattern) => cachedRegex(pattern, regexes),
    spend: (n) => {
      budget -= n;
      if (budget < 0) throw new ExprRuntimeError('memory budget exceeded');
    },
  };
  const ctx: Context = { env, frames: [], pos: root.pos, hooks };
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
      return fetchMember(object, key);
    }
    case 'slice':
    {
      const object = ev(node.object, ctx);
      const from = node.from && ev(node.from, ctx);
      const to = node.to && ev(node.to, ctx);
      ctx.pos = node.pos;
      return slice(object, from, to);
    }
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
  return operate(op, left, right, node.regex, ctx.hooks);
}

function cachedRegex(pattern: string, regexes: Map<string, RegExp>): RegExp {
  let re = regexes.get(pattern);
  if (!re) {
    re = compileGoRegex(pattern);
    regexes.set(pattern, re);
  }
  return re;
}

function call(callee: Node, argNodes: Node[], ctx: Context, pos: number): unknown {
  let fn: unknown;
  let name: string;
  if (callee.kind === 'ident') {
    name = callee.name;
    if (!Object.hasOwn(ctx.env, name)) return fail(ctx, pos, `unknown name ${name}`);
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
      ctx.hooks.spend(1);
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
