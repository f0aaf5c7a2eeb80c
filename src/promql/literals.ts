/**
 * Literal syntax of PromQL 2.x: numbers (promql/parser/lex.go), Go-quoted strings
 * (strconv.Unquote) and durations (model.ParseDuration: `1h30m`, units ms s m h d w y).
 */

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** `model.ParseDuration` in ms, or undefined for text that is not a duration. */
export function parsePromDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * (UNIT_MS[i] ?? 0);
  }
  return ms;
}

/** Formats ms as `model.Duration.String()` does (`5m`, `1h30m`, `1d`, `0s`). */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  const units: Array<[string, number]> = [['y', 365 * 86_400_000], ['w', 7 * 86_400_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let rest = Math.abs(ms);
  let out = ms < 0 ? '-' : '';
  for (const [u, size] of units) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${u}`;
      rest %= size;
    }
  }
  return out;
}

const NUMBER = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)$/;

/** A PromQL number literal (decimal, hex, Inf, NaN, optionally signed), or undefined. */
export function parseNumberLiteral(text: string): number | undefined {
  const lower = text.toLowerCase();
  const sign = lower.startsWith('-') ? -1 : 1;
  const body = lower.replace(/^[+-]/, '');
  if (body === 'inf') return sign * Infinity;
  if (body === 'nan') return Number.NaN;
  if (!NUMBER.test(text)) return undefined;
  if (body.startsWith('0x')) return sign * parseInt(body.slice(2), 16);
  // Go's lexer reads a leading-zero integer as octal (strconv.ParseInt base 0).
  if (/^0\d+$/.test(body)) {
    if (/[89]/.test(body)) return undefined;
    return sign * parseInt(body, 8);
  }
  return Number(text);
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/** `strconv.Unquote` for "…", '…' and `…` literals; throws a message on bad escapes. */
export function unquoteString(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new Error('unterminated quoted string');
  const body = lit.slice(1, -1);
  if (q === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      if (c === q) throw new Error(`unexpected ${q} in string`);
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === undefined) throw new Error('escape sequence not terminated');
    const simple = SIMPLE_ESCAPES[n];
    if (simple !== undefined) {
      if ((n === "'" && q === '"') || (n === '"' && q === "'")) throw new Error(`unknown escape sequence \\${n}`);
      out += simple;
    } else if (n === 'x' || n === 'u' || n === 'U') {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new Error('invalid escape sequence');
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (/[0-7]/.test(n)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new Error('invalid escape sequence');
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else {
      throw new Error(`unknown escape sequence \\${n}`);
    }
  }
  return out;
}
