/**
 * Functions over instant vectors and scalars (promql/functions.go, 2.42). Math functions
 * drop the metric name; label_replace/label_join and sort keep it.
 */
import type { Expr, Matcher } from '../ast.js';
import { PromQLExecError } from '../errors.js';
import { dropMetricName, getLabel, isValidLabelName, METRIC_NAME, setLabel, sortLabels, type Label, type Labels } from '../labels.js';
import { compileAnchoredRegex } from '../regex.js';
import type { Sample } from '../values.js';

const MATH: Record<string, (v: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  deg: (v) => (v * 180) / Math.PI,
  rad: (v) => (v * Math.PI) / 180,
  sgn: (v) => (v < 0 ? -1 : v > 0 ? 1 : v),
};

/** Whether `name` is a one-argument math function. */
export function isMathFunction(name: string): boolean {
  return name in MATH;
}

/** Applies a math function to every element, dropping the metric name (`simpleFunc`). */
export function mathFunction(name: string, v: readonly Sample[]): Sample[] {
  const f = MATH[name] as (v: number) => number;
  return v.map((s) => ({ labels: dropMetricName(s.labels), value: f(s.value) }));
}

/** round(v, to_nearest): floor(v/to_nearest + 0.5) * to_nearest, computed as functions.go does. */
export function round(v: readonly Sample[], toNearest: number): Sample[] {
  const inverse = 1 / toNearest;
  return v.map((s) => ({ labels: dropMetricName(s.labels), value: Math.floor(s.value * inverse + 0.5) / inverse }));
}

/** clamp/clamp_min/clamp_max; clamp with max < min yields an empty vector. */
export function clamp(v: readonly Sample[], min: number, max: number): Sample[] {
  if (max < min) return [];
  return v.map((s) => ({ labels: dropMetricName(s.labels), value: goMax(min, goMin(max, s.value)) }));
}

/** Go's math.Max: NaN wins. */
export function goMax(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b);
}

/** Go's math.Min: NaN wins. */
export function goMin(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b);
}

/**
 * Labels of absent()/absent_over_time()'s output: the equality matchers of the selector, except
 * the name; a label matched more than once or by another matcher type is left out.
 */
export function absentLabels(arg: Expr): Labels {
  let matchers: readonly Matcher[] = [];
  if (arg.type === 'vectorSelector') matchers = arg.matchers;
  else if (arg.type === 'matrixSelector') matchers = arg.selector.matchers;
  const set = new Map<string, string>();
  const empty: string[] = [];
  for (const m of matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !set.has(m.name)) set.set(m.name, m.value);
    else empty.push(m.name);
  }
  for (const n of empty) set.delete(n);
  const out: Label[] = [];
  for (const [name, value] of set) if (value !== '') out.push({ name, value });
  return sortLabels(out);
}

/** Go regexp.Expand templates: $1, ${1}, $name, ${name}, $$. */
function expandTemplate(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{([a-zA-Z0-9_]+)\}|([a-zA-Z0-9_]+))/g, (_all, tok: string, braced?: string, bare?: string) => {
    if (tok === '$') return '$';
    const name = braced ?? bare ?? '';
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

/** label_replace(v, dst, replacement, src, regex). */
export function labelReplace(v: readonly Sample[], dst: string, replacement: string, src: string, regex: string): Sample[] {
  let re: RegExp;
  try {
    re = compileAnchoredRegex(regex);
  } catch (e) {
    throw new PromQLExecError(`invalid regular expression in label_replace(): ${regex}: ${(e as Error).message}`);
  }
  if (!isValidLabelName(dst)) throw new PromQLExecError(`invalid destination label name in label_replace(): ${dst}`);
  return v.map((s) => {
    const m = re.exec(getLabel(s.labels, src));
    if (!m) return s;
    return { labels: setLabel(s.labels, dst, expandTemplate(replacement, m)), value: s.value };
  });
}

/** label_join(v, dst, separator, src...). */
export function labelJoin(v: readonly Sample[], dst: string, sep: string, srcs: readonly string[]): Sample[] {
  if (!isValidLabelName(dst)) throw new PromQLExecError(`invalid destination label name in label_join(): ${dst}`);
  return v.map((s) => ({ labels: setLabel(s.labels, dst, srcs.map((n) => getLabel(s.labels, n)).join(sep)), value: s.value }));
}

/** Date functions on the sample values read as Unix seconds, in UTC. */
export function dateFunction(name: string, v: readonly Sample[]): Sample[] {
  return v.map((s) => {
    const d = new Date(s.value * 1000);
    let value: number;
    switch (name) {
      case 'year':
        value = d.getUTCFullYear();
        break;
      case 'month':
        value = d.getUTCMonth() + 1;
        break;
      case 'day_of_month':
        value = d.getUTCDate();
        break;
      case 'day_of_week':
        value = d.getUTCDay();
        break;
      case 'day_of_year':
        value = Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
        break;
      case 'days_in_month':
        value = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
        break;
      case 'hour':
        value = d.getUTCHours();
        break;
      case 'minute':
        value = d.getUTCMinutes();
        break;
      default:
        throw new Error(`not a date function: ${name}`);
    }
    return { labels: dropMetricName(s.labels), value };
  });
}

/** Date function names. */
export const DATE_FUNCTIONS = new Set(['year', 'month', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute']);
