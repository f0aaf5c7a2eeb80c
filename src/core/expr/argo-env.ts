import { ExprRuntimeError } from './errors.js';
import { formatGo, goDynamicTypeName, isNil, parseGoFloat, parseGoInt, truncToInt } from './values.js';

/**
 * The env Argo Rollouts hands to expr for `successCondition` / `failureCondition`
 * (argoproj/argo-rollouts `utils/evaluate/evaluate.go`, `EvalCondition`).
 */

/** The names a condition may use besides expr's builtins. */
export const ARGO_CONDITION_NAMES: readonly string[] = ['result', 'asInt', 'asFloat', 'isNaN', 'isInf', 'isNil', 'default'];

/** Argo's `asInt`: ints as they are, floats truncated, strings by strconv.ParseInt (base 10). */
export function asInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return truncToInt(v);
  if (typeof v === 'string') return parseGoInt(v);
  throw new ExprRuntimeError(`asInt() not supported on ${goDynamicTypeName(v)} ${formatGo(v)}`);
}

/** Argo's `asFloat`: numbers as float64, strings by strconv.ParseFloat. */
export function asFloat(v: unknown): number {
  if (typeof v === 'bigint' || typeof v === 'number') return Number(v);
  if (typeof v === 'string') return parseGoFloat(v);
  throw new ExprRuntimeError(`asFloat() not supported on ${goDynamicTypeName(v)} ${formatGo(v)}`);
}

/** Argo passes Go's math.IsNaN / math.IsInf(f, 0), which take a float64. */
function floatArg(name: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new ExprRuntimeError(`cannot use ${goDynamicTypeName(v)} as argument (type float64) to call ${name}`);
}

/**
 * The env for one measurement's result. `isNil` and `default` follow Argo's code, not its
 * docs: they look at `result` itself and ignore their first argument, so `default(result, 0)`
 * is 0 when the result is nil and the result otherwise, and `default(result.x, 0)` is the same
 * as `default(result, 0)` (Argo's `isNilFunc` / `defaultFunc` close over the result).
 */
export function argoConditionEnv(result: unknown): Record<string, unknown> {
  const value = result === undefined ? null : result;
  return {
    result: value,
    asInt,
    asFloat,
    isNaN: (x: unknown) => Number.isNaN(floatArg('isNaN', x)),
    isInf: (x: unknown) => {
      const f = floatArg('isInf', x);
      return f === Infinity || f === -Infinity;
    },
    isNil: (..._args: unknown[]) => isNil(value),
    default: (_x: unknown, fallback: unknown) => (isNil(value) ? (fallback ?? null) : value),
  };
}
