/**
 * Signatures of the PromQL 2.42 functions (promql/parser/functions.go): argument types,
 * optional trailing arguments, and whether this engine evaluates them. Functions Prometheus
 * knows but this engine does not evaluate are rejected by name at parse time, never guessed.
 */
import type { ValueType } from './ast.js';

/** One function's signature. */
export interface FunctionSignature {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  /** Number of trailing arguments that may be left out (-1: the last type repeats freely). */
  readonly variadic: number;
  readonly returnType: ValueType;
  readonly supported: boolean;
}

const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

function f(name: string, argTypes: ValueType[], returnType: ValueType = V, variadic = 0, supported = true): FunctionSignature {
  return { name, argTypes, variadic, returnType, supported };
}

const LIST: FunctionSignature[] = [
  f('abs', [V]),
  f('absent', [V]),
  f('absent_over_time', [M]),
  f('acos', [V]),
  f('acosh', [V]),
  f('asin', [V]),
  f('asinh', [V]),
  f('atan', [V]),
  f('atanh', [V]),
  f('avg_over_time', [M]),
  f('ceil', [V]),
  f('changes', [M]),
  f('clamp', [V, S, S]),
  f('clamp_max', [V, S]),
  f('clamp_min', [V, S]),
  f('cos', [V]),
  f('cosh', [V]),
  f('count_over_time', [M]),
  f('days_in_month', [V], V, 1),
  f('day_of_month', [V], V, 1),
  f('day_of_week', [V], V, 1),
  f('day_of_year', [V], V, 1),
  f('deg', [V]),
  f('delta', [M]),
  f('deriv', [M]),
  f('exp', [V]),
  f('floor', [V]),
  f('histogram_count', [V], V, 0, false),
  f('histogram_sum', [V], V, 0, false),
  f('histogram_fraction', [S, S, V], V, 0, false),
  f('histogram_quantile', [S, V]),
  f('holt_winters', [M, S, S]),
  f('hour', [V], V, 1),
  f('idelta', [M]),
  f('increase', [M]),
  f('irate', [M]),
  f('label_replace', [V, STR, STR, STR, STR]),
  f('label_join', [V, STR, STR, STR], V, -1),
  f('last_over_time', [M]),
  f('ln', [V]),
  f('log10', [V]),
  f('log2', [V]),
  f('max_over_time', [M]),
  f('min_over_time', [M]),
  f('minute', [V], V, 1),
  f('month', [V], V, 1),
  f('pi', [], S),
  f('predict_linear', [M, S]),
  f('present_over_time', [M]),
  f('quantile_over_time', [S, M]),
  f('rad', [V]),
  f('rate', [M]),
  f('resets', [M]),
  f('round', [V, S], V, 1),
  f('scalar', [V], S),
  f('sgn', [V]),
  f('sin', [V]),
  f('sinh', [V]),
  f('sort', [V]),
  f('sort_desc', [V]),
  f('sqrt', [V]),
  f('stddev_over_time', [M]),
  f('stdvar_over_time', [M]),
  f('sum_over_time', [M]),
  f('tan', [V]),
  f('tanh', [V]),
  f('time', [], S),
  f('timestamp', [V]),
  f('vector', [S]),
  f('year', [V], V, 1),
];

/** All functions of PromQL 2.42 by name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map(LIST.map((s) => [s.name, s]));
