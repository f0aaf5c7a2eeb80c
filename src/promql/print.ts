/**
 * Prints an expression back to PromQL text as Prometheus 2.42's `Expr.String()` does
 * (promql/parser/printer.go): matchers sorted and Go-quoted, the metric name matcher folded
 * into the name, `@ <seconds with 3 decimals>` before `offset`, durations as
 * `model.Duration.String()`, numbers as Go's `fmt.Sprint(float64)`. Parsing the printed text
 * gives the same expression back.
 */
import type { AtModifier, Expr, Matcher, VectorMatching } from './ast.js';
import { METRIC_NAME } from './labels.js';
import { formatPromDuration } from './literals.js';

/** Go's `%q` for a string: double quotes, `\"`, `\\`, and escapes for non-printable runes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Go's `fmt.Sprint(float64)`: `strconv.FormatFloat(v, 'g', -1, 64)`, the shortest digits,
 * with an exponent when it is below -4 or at least 6 (`1e+06`, `1e-05`, `123456`), `+Inf`,
 * `NaN`.
 */
export function formatGoFloatG(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant = '', expText = '0'] = v.toExponential().split('e');
  const exp = Number(expText);
  // strconv's %g with the shortest precision: %e when exp < -4 || exp >= 6 (ftoa.go, eprec).
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  const digits = mant.replace('-', '').replace('.', '');
  // toExponential's mantissa digits placed in fixed notation.
  const neg = v < 0;
  let out: string;
  if (exp < 0) out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else if (digits.length <= exp + 1) out = digits + '0'.repeat(exp + 1 - digits.length);
  else out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return neg ? `-${out}` : out;
}

function matcherText(m: Matcher): string {
  return `${m.name}${m.type}${goQuote(m.value)}`;
}

function atText(at: AtModifier | undefined): string {
  if (!at) return '';
  if (at.kind === 'start') return ' @ start()';
  if (at.kind === 'end') return ' @ end()';
  return ` @ ${(at.ms / 1000).toFixed(3)}`;
}

function offsetText(ms: number): string {
  if (ms > 0) return ` offset ${formatPromDuration(ms)}`;
  if (ms < 0) return ` offset -${formatPromDuration(-ms)}`;
  return '';
}

function matchingText(m: VectorMatching | undefined): string {
  // printer.go prints the clause only when it has labels or is `on`.
  if (!m || (m.labels.length === 0 && !m.on)) return '';
  let out = ` ${m.on ? 'on' : 'ignoring'} (${m.labels.join(', ')})`;
  if (m.card === 'many-to-one' || m.card === 'one-to-many') out += ` group_${m.card === 'many-to-one' ? 'left' : 'right'} (${m.include.join(', ')})`;
  return out;
}

function selectorText(name: string | undefined, matchers: readonly Matcher[]): string {
  const parts = matchers.filter((m) => !(m.name === METRIC_NAME && m.type === '=' && m.value === name)).map(matcherText);
  if (parts.length === 0) return name ?? '';
  return `${name ?? ''}{${parts.sort().join(',')}}`;
}

/** The PromQL text of `e`, as Prometheus 2.42 prints it. */
export function formatExpr(e: Expr): string {
  switch (e.type) {
    case 'number':
      return formatGoFloatG(e.value);
    case 'string':
      return goQuote(e.value);
    case 'paren':
      return `(${formatExpr(e.expr)})`;
    case 'unary':
      return `${e.op}${formatExpr(e.expr)}`;
    case 'vectorSelector':
      return `${selectorText(e.name, e.matchers)}${atText(e.at)}${offsetText(e.offsetMs)}`;
    case 'matrixSelector': {
      const s = e.selector;
      return `${selectorText(s.name, s.matchers)}[${formatPromDuration(e.rangeMs)}]${atText(s.at)}${offsetText(s.offsetMs)}`;
    }
    case 'subquery':
      return `${formatExpr(e.expr)}[${formatPromDuration(e.rangeMs)}:${e.stepMs !== 0 ? formatPromDuration(e.stepMs) : ''}]${atText(e.at)}${offsetText(e.offsetMs)}`;
    case 'call':
      return `${e.func}(${e.args.map(formatExpr).join(', ')})`;
    case 'aggregate': {
      let op: string = e.op;
      if (e.without) op += ` without (${e.grouping.join(', ')}) `;
      else if (e.grouping.length > 0) op += ` by (${e.grouping.join(', ')}) `;
      return `${op}(${e.param ? `${formatExpr(e.param)}, ` : ''}${formatExpr(e.expr)})`;
    }
    case 'binary':
      return `${formatExpr(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matchingText(e.matching)} ${formatExpr(e.rhs)}`;
    default: {
      const never: never = e;
      return never;
    }
  }
}
