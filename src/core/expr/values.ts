import { ExprRuntimeError } from './errors.js';

/**
 * How Go values are modelled here. expr-lang keeps Go's int and float64 apart (`5 / 2` is
 * 2.5 but `5 % 2.0` is an error), so ints are JS `bigint` (wrapped to int64 like Go) and
 * float64 is JS `number`. Numbers coming in from the env are float64, as JSON numbers and
 * Prometheus samples are in Argo. nil is `null` (`undefined` from the env counts as nil too),
 * arrays are JS arrays, maps are plain objects, functions are JS functions.
 */

/** nil: `null`, or `undefined` from the env. */
export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** An int (bigint) or a float64 (number). */
export function isNumeric(v: unknown): v is bigint | number {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** A map: any object that is not an array. */
export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's int64 wrap-around for int arithmetic. */
export function toInt64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** float64 -> int as Go's `int(x)`: truncation toward zero (NaN and overflow give MinInt64). */
export function truncToInt(x: number): bigint {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 63) return -(2n ** 63n);
  return BigInt(Math.trunc(x));
}

/** The Go type name expr prints in messages (`float64`, `[]interface {}`, `nil`). */
export function goTypeName(v: unknown): string {
  if (isNil(v)) return 'nil';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'function') return 'func';
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

/** The same name as Go's `%T` prints it, where nil is `<nil>`. */
export function goDynamicTypeName(v: unknown): string {
  return isNil(v) ? '<nil>' : goTypeName(v);
}

/**
 * A float64 as Go's `%v` prints it: shortest digits, exponent form below 1e-4 or from 1e6,
 * two-digit exponents, `+Inf`. Worked examples: 0.5 -> `0.5`, 1e-5 -> `1e-05`, 2 -> `2`,
 * 100000 -> `100000`, 1e6 -> `1e+06`, 123456789 -> `1.23456789e+08`.
 */
export function formatGoFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, e] = x.toExponential().split('e') as [string, string];
  const exp = Number(e);
  // %v is %g with the shortest digits; strconv then uses %e when exp < -4 || exp >= 6.
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(x);
}

/** Go's `fmt.Sprintf("%v", v)` for the values a condition sees. */
export function formatGo(v: unknown): string {
  if (isNil(v)) return '<nil>';
  if (typeof v === 'number') return formatGoFloat(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'function') return 'func';
  if (Array.isArray(v)) return `[${v.map(formatGo).join(' ')}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${formatGo(v[k])}`).join(' ')}]`;
  return typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : typeof v;
}

/**
 * expr's `==`: numbers compare by value across int and float64 (NaN equals nothing); other
 * values must have the same type, and arrays and maps compare deeply. Different types are
 * simply not equal, never an error.
 */
export function equal(a: unknown, b: unknown): boolean {
  if (isNumeric(a) && isNumeric(b)) {
    // Loose equality compares a bigint and a number by value.
    return a == b;
  }
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => equal(x, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return a === b;
}

/** A fetched member of a map, own properties only (never the prototype's). */
export function ownProperty(m: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(m, key) ? (m[key] ?? null) : null;
}

/** Byte length of a string as Go's `len` counts it (UTF-8). */
export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Go RE2 syntax to a JS RegExp, for `matches`. Go's match is unanchored, as is `RegExp.test`.
 * Handled: leading flags `(?i)`, `(?s)`, `(?m)` (any mix), `(?P<name>...)`, `\A`, `\z`, `\pL`.
 * Throws an Error worded like Go's `error parsing regexp: ...`.
 */
export function compileGoRegex(pattern: string): RegExp {
  let body = pattern;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    for (const f of lead[1] ?? '') if (f !== 'U' && !flags.includes(f)) flags += f;
    body = body.slice(lead[0].length);
  }
  body = body
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\\([pP])([A-Za-z])/g, '\\$1{$2}');
  try {
    return new RegExp(body, `${flags}u`);
  } catch {
    try {
      return new RegExp(body, flags);
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
      throw new Error(`error parsing regexp: ${why}`);
    }
  }
}

/** ints come out as JS numbers, so callers never meet a bigint. */
export function toPlain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.some((x) => typeof x === 'bigint' || typeof x === 'object') ? v.map(toPlain) : v;
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
    return out;
  }
  return v;
}

/** Throws the runtime error for an operator applied to values of the wrong types. */
export function mismatch(op: string, a: unknown, b: unknown): never {
  throw new ExprRuntimeError(`invalid operation: ${op} (mismatched types ${goTypeName(a)} and ${goTypeName(b)})`);
}

/** strconv.ParseInt(s, 10, 64) / Atoi. */
export function parseGoInt(s: string, fn = 'strconv.ParseInt'): bigint {
  if (!/^[+-]?\d+$/.test(s)) throw new ExprRuntimeError(`${fn}: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v !== BigInt.asIntN(64, v)) throw new ExprRuntimeError(`${fn}: parsing ${JSON.stringify(s)}: value out of range`);
  return v;
}

/** strconv.ParseFloat(s, 64): decimal or exponent form, `inf`, `infinity`, `nan`, any case. */
export function parseGoFloat(s: string): number {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  throw new ExprRuntimeError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
}
