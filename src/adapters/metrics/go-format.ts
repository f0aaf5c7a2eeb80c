/**
 * How Go prints the values Argo stores in `measurement.value`, so Baton's stored values read the
 * same as Argo's. Two Go printers matter:
 * - `strconv.FormatFloat(v, 'f', -1, 64)`: what Prometheus' `model.SampleValue.String()` uses
 *   (prometheus/common `model/value_float.go`), so Argo's Prometheus values look like `0.00001`.
 * - `fmt.Sprint(v)` (`%v`, i.e. `%g` with the shortest digits and an exponent from 1e-5 down or
 *   1e6 up): `1e-05`, `1e+06`, `1.234567e+06`.
 * Both spell the non-finite values `NaN`, `+Inf`, `-Inf`.
 */

/** `f`: plain decimal (`FormatFloat 'f', -1`); `v`: Go's `%v` for a float64. */
export type GoFloatVerb = 'v' | 'f';

/** The shortest decimal digits that round-trip, and the decimal point position (Go's `decimal`). */
function shortestDigits(abs: number): { digits: string; dp: number } {
  if (abs === 0) return { digits: '', dp: 0 };
  // toExponential() without an argument gives the shortest round-trip digits, like Go's
  // strconv shortest mode: 0.00001 -> "1e-5", 1234.5 -> "1.2345e+3".
  const [mant = '0', exp = '0'] = abs.toExponential().split('e');
  return { digits: mant.replace('.', ''), dp: Number(exp) + 1 };
}

function formatF(digits: string, dp: number): string {
  // Integer part: digits before the point, zero-padded (1e6 -> "1000000"); "0" when none.
  let out = dp > 0 ? digits.slice(0, dp).padEnd(dp, '0') : '0';
  if (digits.length > Math.max(dp, 0)) {
    out += '.' + '0'.repeat(Math.max(-dp, 0)) + digits.slice(Math.max(dp, 0));
  }
  return out;
}

function formatE(digits: string, dp: number): string {
  const d = digits === '' ? '0' : digits;
  const exp = digits === '' ? 0 : dp - 1;
  const mant = d.length > 1 ? `${d[0]}.${d.slice(1)}` : d;
  const sign = exp < 0 ? '-' : '+';
  return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * A float64 as Go prints it. Worked examples:
 * `formatGoFloat(0.00001)` -> `1e-05`, `formatGoFloat(1e6)` -> `1e+06`,
 * `formatGoFloat(123456)` -> `123456`, `formatGoFloat(0.5)` -> `0.5`,
 * `formatGoFloat(1e-5, 'f')` -> `0.00001`, `formatGoFloat(NaN)` -> `NaN`,
 * `formatGoFloat(Infinity)` -> `+Inf`.
 */
export function formatGoFloat(value: number, verb: GoFloatVerb = 'v'): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  const neg = value < 0 || Object.is(value, -0);
  const { digits, dp } = shortestDigits(Math.abs(value));
  let body: string;
  if (verb === 'f') {
    body = formatF(digits, dp);
  } else {
    // strconv's %g in shortest mode: %e when exp < -4 || exp >= 6 (Go's `eprec = 6`).
    const exp = digits === '' ? 0 : dp - 1;
    body = exp < -4 || exp >= 6 ? formatE(digits, dp) : formatF(digits, dp);
  }
  return neg ? `-${body}` : body;
}

/** A Prometheus sample value as Argo stores it (`model.SampleValue.String()`). */
export function formatSampleValue(value: number): string {
  return formatGoFloat(value, 'f');
}

/** Prometheus' JSON sample value (a string: `"0.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`), or undefined. */
export function parseSampleValue(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/**
 * A decoded JSON value re-encoded as Go's `json.Marshal` does it for an `interface{}`: object keys
 * sorted (Go maps marshal in key order), `<`, `>`, `&`, U+2028 and U+2029 escaped. Number
 * formatting already agrees with JavaScript (plain decimals, exponent below 1e-6 or from 1e21).
 * This is how Argo's web provider stores its value (`webmetric.go` `getValue`).
 */
export function formatGoJson(value: unknown): string {
  const text = JSON.stringify(sortKeys(value)) ?? 'null';
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
