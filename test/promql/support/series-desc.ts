/**
 * Series descriptions of Prometheus' PromQL test scripts, read as `parser.ParseSeriesDesc`
 * of Prometheus 2.42 reads them: `metric{label="value", ...} <values>`, lexed by lex.go in its
 * series-description mode and parsed by the `series_description` rules of
 * generated_parser.y. Values: numbers (`strconv.ParseInt(s, 0, 64)`, else `ParseFloat`),
 * `Inf`/`NaN`, signed numbers, `stale`, `_` (omitted), `_xN` (N omitted), `axN` (a, N + 1
 * times) and `a+bxN` / `a-bxN` (a, then N times `a += b`: repeated addition, as the grammar
 * does, not a + i*b, so the float rounding is Prometheus' own).
 */
import { parseGoFloat } from '../../../src/promql/go-float.js';
import { labelsFromRecord, METRIC_NAME, type Labels } from '../../../src/promql/labels.js';
import { unquoteString } from '../../../src/promql/literals.js';

/** One value of a sequence: a number, a stale marker, or an omitted slot. */
export type SequenceValue = { kind: 'value'; value: number } | { kind: 'stale' } | { kind: 'omitted' };

/** A parsed series description. */
export interface SeriesDesc {
  labels: Labels;
  values: SequenceValue[];
}

/** A series description that does not parse; names the text and what is wrong. */
export class SeriesDescError extends Error {
  readonly code = 'PROMQL_TEST_SERIES_DESC';
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`bad series description ${JSON.stringify(input)}: ${detail}`);
    this.name = 'SeriesDescError';
  }
}

const INT_BASE0 = /^([+-]?)(?:0[xX]_?([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|0[bB]_?([01]+(?:_[01]+)*)|0[oO]_?([0-7]+(?:_[0-7]+)*)|0(_?[0-7]+(?:_[0-7]+)*)|([1-9][0-9]*(?:_[0-9]+)*|0))$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `strconv.ParseInt(s, 0, 64)` as a float64, or undefined where Go returns an error. */
function parseGoIntBase0(s: string): number | undefined {
  const m = INT_BASE0.exec(s);
  if (!m) return undefined;
  const [, sign, hex, bin, oct, octLegacy, dec] = m;
  const digits = (hex ?? bin ?? oct ?? octLegacy ?? dec ?? '').replaceAll('_', '');
  const prefix = hex !== undefined ? '0x' : bin !== undefined ? '0b' : oct !== undefined || octLegacy !== undefined ? '0o' : '';
  let n = BigInt(prefix + digits);
  if (sign === '-') n = -n;
  if (n < INT64_MIN || n > INT64_MAX) return undefined;
  return Number(n);
}

/**
 * `parser.number` and test.go's `parseNumber`: an integer in any Go base first, else a Go
 * float; undefined where both fail.
 */
export function parseGoNumber(s: string): number | undefined {
  return parseGoIntBase0(s) ?? parseGoFloat(s);
}

type Token =
  | { t: 'space' }
  | { t: 'add' }
  | { t: 'sub' }
  | { t: 'times' }
  | { t: 'blank' }
  | { t: 'number'; text: string }
  | { t: 'ident'; text: string };

const isAlpha = (c: string | undefined): boolean => c !== undefined && /[a-zA-Z_]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && /[0-9]/.test(c);
const isAlnum = (c: string | undefined): boolean => isAlpha(c) || isDigit(c);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** lex.go's lexValueSequence, with scanNumber in series-description mode (no hex). */
function lexValues(input: string, src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (isSpace(c)) {
      while (isSpace(src[i])) i++;
      out.push({ t: 'space' });
    } else if (c === '+') {
      out.push({ t: 'add' });
      i++;
    } else if (c === '-') {
      out.push({ t: 'sub' });
      i++;
    } else if (c === 'x') {
      out.push({ t: 'times' });
      i++;
    } else if (c === '_') {
      out.push({ t: 'blank' });
      i++;
    } else if (isDigit(c) || (c === '.' && isDigit(src[i + 1]))) {
      const start = i;
      while (isDigit(src[i])) i++;
      if (src[i] === '.') for (i++; isDigit(src[i]); i++);
      if (src[i] === 'e' || src[i] === 'E') {
        i++;
        if (src[i] === '+' || src[i] === '-') i++;
        while (isDigit(src[i])) i++;
      }
      // The next rune may be alphanumeric only when it is the repetition token.
      if (src[i] !== 'x' && isAlnum(src[i])) throw new SeriesDescError(input, `bad number syntax: ${JSON.stringify(src.slice(start, i + 1))}`);
      out.push({ t: 'number', text: src.slice(start, i) });
    } else if (isAlpha(c)) {
      const start = i;
      while (isAlnum(src[i]) || src[i] === ':') i++;
      const word = src.slice(start, i);
      const lower = word.toLowerCase();
      out.push(lower === 'inf' || lower === 'nan' ? { t: 'number', text: word } : { t: 'ident', text: word });
    } else {
      throw new SeriesDescError(input, `unexpected character in series sequence: ${JSON.stringify(c)}`);
    }
  }
  return out;
}

/** The `series_values` rules of generated_parser.y over the tokens. */
function parseValues(input: string, toks: Token[]): SequenceValue[] {
  const out: SequenceValue[] = [];
  let k = 0;
  const peek = (): Token | undefined => toks[k];
  const fail = (what: string): never => {
    throw new SeriesDescError(input, what);
  };
  const number = (): number => {
    const tok = toks[k++];
    if (tok?.t !== 'number') return fail('expected a number');
    const v = parseGoNumber(tok.text);
    return v ?? fail(`error parsing number: ${tok.text}`);
  };
  const uint = (): number => {
    const tok = toks[k++];
    if (tok?.t !== 'number' || !/^[0-9]+$/.test(tok.text)) return fail('invalid repetition in series values');
    return Number(tok.text);
  };
  const signedNumber = (): number | undefined => {
    const tok = peek();
    if (tok?.t !== 'add' && tok?.t !== 'sub') return undefined;
    k++;
    const v = number();
    return tok.t === 'sub' ? -v : v;
  };
  while (k < toks.length) {
    // Items follow a SPACE (the metric part is always followed by one before values).
    if (peek()?.t !== 'space') fail('unexpected token in series values, expected a space');
    k++;
    const tok = peek();
    if (tok === undefined || tok.t === 'space') continue;
    if (tok.t === 'blank') {
      k++;
      if (peek()?.t === 'times') {
        k++;
        const n = uint();
        for (let i = 0; i < n; i++) out.push({ kind: 'omitted' });
      } else out.push({ kind: 'omitted' });
      continue;
    }
    let first: SequenceValue;
    if (tok.t === 'ident') {
      if (tok.text !== 'stale') fail(`unexpected identifier ${JSON.stringify(tok.text)} in series values, expected number or "stale"`);
      k++;
      first = { kind: 'stale' };
    } else if (tok.t === 'number') first = { kind: 'value', value: number() };
    else {
      const v = signedNumber();
      if (v === undefined) return fail('unexpected token in series values');
      first = { kind: 'value', value: v };
    }
    const inc = signedNumber();
    if (inc !== undefined) {
      if (toks[k++]?.t !== 'times') fail('expected "x" after the increment');
      const n = uint();
      if (first.kind === 'stale') {
        for (let i = 0; i <= n; i++) out.push(first);
        continue;
      }
      let v = first.value;
      for (let i = 0; i <= n; i++) {
        out.push({ kind: 'value', value: v });
        v += inc;
      }
    } else if (peek()?.t === 'times') {
      k++;
      const n = uint();
      for (let i = 0; i <= n; i++) out.push(first);
    } else out.push(first);
  }
  return out;
}

/** Reads the `{label="value", ...}` part starting at `i` (at the `{`); returns the end index. */
function parseLabelSet(input: string, i: number, rec: Record<string, string>): number {
  const fail = (what: string): never => {
    throw new SeriesDescError(input, what);
  };
  i++;
  for (;;) {
    while (isSpace(input[i])) i++;
    if (input[i] === '}') return i + 1;
    const nm = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(input.slice(i))?.[0];
    if (!nm) return fail(`expected a label name at offset ${i}`);
    i += nm.length;
    while (isSpace(input[i])) i++;
    if (input[i] !== '=' || input[i + 1] === '~') fail(`expected "=" after label ${nm}`);
    i++;
    while (isSpace(input[i])) i++;
    const q = input[i];
    if (q !== '"' && q !== "'" && q !== '`') return fail(`expected a quoted value for label ${nm}`);
    let j = i + 1;
    for (; j < input.length && input[j] !== q; j++) if (input[j] === '\\' && q !== '`') j++;
    if (j >= input.length) fail('unterminated quoted string');
    try {
      rec[nm] = unquoteString(input.slice(i, j + 1));
    } catch (e) {
      fail((e as Error).message);
    }
    i = j + 1;
    while (isSpace(input[i])) i++;
    if (input[i] === ',') i++;
    else if (input[i] !== '}') fail(`expected "," or "}" after label ${nm}`);
  }
}

/**
 * Parses one series description line.
 * @throws SeriesDescError naming the line and the problem.
 */
export function parseSeriesDesc(input: string): SeriesDesc {
  const rec: Record<string, string> = {};
  let i = 0;
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(input)?.[0];
  if (name) {
    rec[METRIC_NAME] = name;
    i = name.length;
  }
  if (input[i] === '{') i = parseLabelSet(input, i, rec);
  else if (!name) throw new SeriesDescError(input, 'expected a metric name or a label set');
  return { labels: labelsFromRecord(rec), values: parseValues(input, lexValues(input, input.slice(i))) };
}
