/**
 * The condition language of Argo Rollouts analysis: the subset of expr-lang
 * (github.com/expr-lang/expr v1.16+) that `successCondition` and `failureCondition` use, with
 * the env of Argo's `utils/evaluate/evaluate.go`. Parse once with `compileExpr`, evaluate per
 * measurement.
 *
 * Errors: bad syntax is an ExprSyntaxError at compile time. Unknown names and unknown functions
 * are an ExprRuntimeError at evaluation time (`unknown name x`, as expr words both), unless
 * `compileExpr` is given `names`, which makes them compile-time errors as expr's `expr.Env`
 * does. Type errors are found on the values met at evaluation time.
 *
 * Values: ints are JS `bigint` and float64 is JS `number` (see values.ts), so an int result
 * comes back as a bigint; `toPlain` turns results into plain JSON-able values.
 */
import { ARGO_CONDITION_NAMES, argoConditionEnv } from './argo-env.js';
import type { Node } from './ast.js';
import { PREDICATE_BUILTINS } from './builtins.js';
import { PLAIN_BUILTINS } from './functions.js';
import { ExprRuntimeError, ExprSyntaxError } from './errors.js';
import { checkTypes, staticTypeOf } from './check.js';
import { evaluateTree } from './evaluate.js';
import { parse } from './parser.js';
import { goDynamicTypeName } from './values.js';

export { ExprRuntimeError, ExprSyntaxError } from './errors.js';
export { ARGO_CONDITION_NAMES, argoConditionEnv, asFloat, asInt } from './argo-env.js';
export { formatGo, formatGoFloat, goDynamicTypeName, goTypeName, toPlain } from './values.js';

/** A parsed condition, evaluated as many times as needed. */
export interface CompiledExpr {
  readonly source: string;
  /** Throws ExprRuntimeError. Ints in the result are bigint (see `toPlain`). */
  evaluate(env: Readonly<Record<string, unknown>>): unknown;
}

export interface CompileOptions {
  /**
   * The names the env will hold. When given, any other identifier or function name (that is
   * not a builtin) is an ExprSyntaxError `unknown name x` at compile time, as with expr.Env.
   */
  names?: Iterable<string>;
}

/** Parses `source` once. Throws ExprSyntaxError with expr's message and the 0-based position. */
export function compileExpr(source: string, options: CompileOptions = {}): CompiledExpr {
  if (typeof source !== 'string') throw new ExprSyntaxError('condition must be a string', String(source), 0);
  const tree = parse(source);
  if (options.names) checkNames(tree, source, new Set(options.names));
  const regexes = new Map<string, RegExp>();
  const compiled: CompiledExpr = {
    source,
    evaluate: (env) => evaluateTree(tree, source, env, regexes),
  };
  trees.set(compiled, { tree, checked: new Set() });
  return compiled;
}

/** The tree behind each compiled expression, and the result types it has been checked for. */
const trees = new WeakMap<CompiledExpr, { tree: Node; checked: Set<string> }>();

/**
 * Argo's `EvalCondition`: type-checks the condition for the Go type of `result` as Argo's
 * `expr.Compile(condition, expr.Env(env))` does (check.ts: every branch, taken or not, so
 * `asFloat(result) == "1.1"` is an error, not false), evaluates it against Argo's env and
 * insists on a boolean (`expected bool, but got float64` otherwise). Throws ExprRuntimeError.
 */
export function evaluateCondition(compiled: CompiledExpr, result: unknown): boolean {
  const entry = trees.get(compiled);
  const type = staticTypeOf(result);
  if (entry && !entry.checked.has(type)) {
    checkTypes(entry.tree, compiled.source, { result: type });
    entry.checked.add(type);
  }
  const out = compiled.evaluate(argoConditionEnv(result));
  if (typeof out !== 'boolean') throw new ExprRuntimeError(`expected bool, but got ${goDynamicTypeName(out)}`, compiled.source, 0);
  return out;
}

/** Compiles a condition against Argo's env: unknown names are compile-time errors. */
export function compileCondition(source: string): CompiledExpr {
  return compileExpr(source, { names: ARGO_CONDITION_NAMES });
}

function checkNames(node: Node, source: string, names: ReadonlySet<string>): void {
  const visit = (n: Node): void => {
    switch (n.kind) {
      case 'ident':
        if (!names.has(n.name)) throw new ExprSyntaxError(`unknown name ${n.name}`, source, n.pos);
        return;
      case 'call':
        if (n.callee.kind === 'ident' && !names.has(n.callee.name)) {
          throw new ExprSyntaxError(`unknown name ${n.callee.name}`, source, n.pos);
        }
        if (n.callee.kind !== 'ident') visit(n.callee);
        n.args.forEach(visit);
        return;
      case 'unary':
        return visit(n.operand);
      case 'binary':
        visit(n.left);
        return visit(n.right);
      case 'member':
        visit(n.object);
        return visit(n.property);
      case 'slice':
        visit(n.object);
        if (n.from) visit(n.from);
        if (n.to) visit(n.to);
        return;
      case 'builtin':
        return n.args.forEach(visit);
      case 'predicate':
        return visit(n.body);
      case 'conditional':
        visit(n.cond);
        visit(n.then);
        return visit(n.otherwise);
      case 'array':
        return n.items.forEach(visit);
      case 'map':
        return n.entries.forEach((e) => {
          visit(e.key);
          visit(e.value);
        });
      case 'chain':
        return visit(n.node);
      case 'nil':
      case 'bool':
      case 'int':
      case 'float':
      case 'string':
      case 'pointer':
        return;
      default: {
        const never: never = n;
        return never;
      }
    }
  };
  visit(node);
}

/** Every builtin name, for tools that list or complete them. */
export const BUILTIN_NAMES: readonly string[] = [...Object.keys(PREDICATE_BUILTINS), ...Object.keys(PLAIN_BUILTINS)].sort();
