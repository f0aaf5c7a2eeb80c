/**
 * Go's float text forms, as Prometheus reads and writes them: `strconv.ParseFloat` for sample
 * values and `le` labels, and `strconv.FormatFloat(v, 'f', -1, 64)` for API output.
 */

const SPECIAL: Record<string, number> = {
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  nan: Number.NaN,
};

const DECIMAL = /^[+-]?(\d+(_?\d+)*\.?(\d+(_?\d+)*)?|\.\d+(_?\d+)*)([eE][+-]?\d+)?$/;
const HEX = /^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?\d+)?$/;

/** `strconv.ParseFloat(s, 64)`; undefined where Go returns an error. */
export function parseGoFloat(s: string): number | undefined {
  const special = SPECIAL[s.toLowerCase()];
  if (special !== undefined) return special;
  if (DECIMAL.test(s)) {
    if (s.includes('_')) return undefined;
    return Number(s);
  }
  if (HEX.test(s)) {
    const neg = s.startsWith('-');
    const body = s.replace(/^[+-]?0[xX]/, '');
    const [mant = '', exp] = body.split(/[pP]/);
    const [ip = '', fp = ''] = mant.split('.');
    let v = parseInt(ip || '0', 16);
    for (let i = 0; i < fp.length; i++) v += parseInt(fp[i] ?? '0', 16) / 16 ** (i + 1);
    if (exp !== undefined) v *= 2 ** Number(exp);
    else if (mant.includes('.')) return undefined;
    return neg ? -v : v;
  }
  return undefined;
}

/** `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const neg = s.startsWith('-');
  const mant = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const [ip = '', fp = ''] = mant.split('.');
  const digits = ip + fp;
  const point = ip.length + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (neg ? '-' : '') + out;
}
