import { ExprSyntaxError } from './errors.js';

/**
 * The lexer of expr-lang (expr-lang/expr `parser/lexer/state.go` and `lexer.go`): the same token
 * kinds, the same keyword operators, Go string escapes, `//` and `/* *\/` comments, and the
 * same error wording (`literal not terminated`, `unrecognized character: U+0040 '@'`).
 */

/** expr's token kinds (lexer/token.go). */
export type TokenKind = 'Identifier' | 'Number' | 'String' | 'Operator' | 'Bracket' | 'EOF';

/** One token with its value and 0-based offset. */
export interface Token {
  kind: TokenKind;
  /** The text for most tokens; the unescaped value for strings. */
  value: string;
  /** 0-based offset of the first character. */
  pos: number;
}

/** How expr prints a token in `unexpected token ...`: `Operator(")")`, `EOF`. */
export function describeToken(t: Token): string {
  return t.value === '' ? t.kind : `${t.kind}(${JSON.stringify(t.value)})`;
}

const KEYWORD_OPERATORS = new Set(['in', 'or', 'and', 'matches', 'contains', 'startsWith', 'endsWith', 'let', 'if', 'else']);
const NEGATABLE = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\',
};

// ASCII is decided by char code; the Unicode classes only for the rest, as Go's unicode.IsLetter.
function isAlpha(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
  return /^\p{L}$/u.test(ch);
}
function isAlphaNumeric(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 48 && c <= 57) || isAlpha(ch);
  return /^[\p{L}\p{Nd}]$/u.test(ch);
}
function isSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return /^\s$/u.test(ch);
}
function codePointLabel(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${ch}'`;
}

/** Splits `source` into tokens, ending with an EOF token. Throws ExprSyntaxError. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (reason: string, at: number): never => {
    throw new ExprSyntaxError(reason, source, at);
  };
  const charAt = (k: number): string => {
    const cp = source.codePointAt(k);
    return cp === undefined ? '' : String.fromCodePoint(cp);
  };
  const push = (kind: TokenKind, value: string, pos: number): void => {
    tokens.push({ kind, value, pos });
  };
  const readWord = (from: number): number => {
    let k = from;
    while (k < source.length && isAlphaNumeric(charAt(k))) k += charAt(k).length;
    return k;
  };

  while (i < source.length) {
    const ch = charAt(i);
    const start = i;
    if (isSpace(ch)) {
      i += ch.length;
    } else if (ch === '"' || ch === "'") {
      i = readQuoted(source, i, ch, (value) => push('String', value, start), fail);
    } else if (ch === '`') {
      const end = source.indexOf('`', i + 1);
      if (end < 0) fail('literal not terminated', source.length - 1);
      push('String', source.slice(i + 1, end), start);
      i = end + 1;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      i = readNumber(source, i, fail);
      push('Number', source.slice(start, i), start);
    } else if (ch === '/' && source[i + 1] === '/') {
      const nl = source.indexOf('\n', i);
      i = nl < 0 ? source.length : nl + 1;
    } else if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) fail('unclosed comment', source.length - 1);
      i = end + 2;
    } else if (ch === '#') {
      push('Operator', '#', start);
      i += 1;
      const end = readWord(i);
      if (end > i) push('Identifier', source.slice(i, end), i);
      i = end;
    } else if (isAlpha(ch)) {
      i = readWord(i);
      const word = source.slice(start, i);
      if (word === 'not') {
        push('Operator', 'not', start);
        // `not in`, `not matches`, ...: expr lexes the second word as its own operator.
        let k = i;
        while (source[k] === ' ') k += 1;
        const end = readWord(k);
        const next = source.slice(k, end);
        if (NEGATABLE.has(next)) {
          push('Operator', next, k);
          i = end;
        }
      } else {
        push(KEYWORD_OPERATORS.has(word) ? 'Operator' : 'Identifier', word, start);
      }
    } else if ('([{)]}'.includes(ch)) {
      push('Bracket', ch, start);
      i += 1;
    } else {
      const op = readOperator(source, i);
      if (op === undefined) fail(`unrecognized character: ${codePointLabel(ch)}`, i);
      else {
        push('Operator', op, start);
        i += op.length;
      }
    }
  }
  tokens.push({ kind: 'EOF', value: '', pos: Math.max(0, source.length - 1) });
  return tokens;
}

/** Operators made of punctuation, longest first, as expr's root state accepts them. */
function readOperator(source: string, i: number): string | undefined {
  const ch = source[i] ?? '';
  const next = source[i + 1] ?? '';
  switch (ch) {
    case '?':
      return next === '.' || next === '?' ? ch + next : ch;
    case '|':
    case '&':
    case ':':
      return next === ch ? ch + next : ch === '&' ? '&' : ch;
    case '.':
      return next === '.' ? '..' : '.';
    case '=':
    case '!':
    case '<':
    case '>':
      return next === '=' ? ch + next : ch;
    case '*':
      return next === '*' ? '**' : '*';
    case ',':
    case ';':
    case '%':
    case '+':
    case '-':
    case '^':
    case '/':
      return ch;
    default:
      return undefined;
  }
}

/** expr's `scanNumber`: decimal, `0x`, `0o`, `0b`, `_` separators, fraction, exponent. */
function readNumber(source: string, start: number, fail: (reason: string, at: number) => never): number {
  let i = start;
  let digits = /[0-9_]/;
  if (source[i] === '0') {
    const p = source[i + 1] ?? '';
    if (/[xX]/.test(p)) digits = /[0-9a-fA-F_]/;
    else if (/[oO]/.test(p)) digits = /[0-7_]/;
    else if (/[bB]/.test(p)) digits = /[01_]/;
    if (digits.source !== '[0-9_]') i += 2;
  }
  while (i < source.length && digits.test(source[i] ?? '')) i += 1;
  if (source[i] === '.' && source[i + 1] !== '.') {
    i += 1;
    while (i < source.length && digits.test(source[i] ?? '')) i += 1;
  }
  if (digits.source === '[0-9_]' && /[eE]/.test(source[i] ?? '')) {
    i += 1;
    if (/[+-]/.test(source[i] ?? '')) i += 1;
    while (i < source.length && digits.test(source[i] ?? '')) i += 1;
  }
  const after = source.codePointAt(i);
  if (after !== undefined && isAlphaNumeric(String.fromCodePoint(after))) {
    fail(`bad number syntax: ${JSON.stringify(source.slice(start, i + 1))}`, i);
  }
  return i;
}

/** A '' or "" string with Go escapes (expr's `unescape`). Returns the offset after it. */
function readQuoted(
  source: string,
  start: number,
  quote: string,
  emit: (value: string) => void,
  fail: (reason: string, at: number) => never,
): number {
  let out = '';
  let i = start + 1;
  for (;;) {
    const ch = source[i];
    if (ch === undefined || ch === '\n') return fail('literal not terminated', Math.max(0, i - 1));
    if (ch === quote) break;
    if (ch !== '\\') {
      out += ch;
      i += 1;
      continue;
    }
    const e = source[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined || e === quote) {
      out += simple ?? quote;
      i += 2;
      continue;
    }
    const spec = /[0-7]/.test(e) ? { base: 8, len: 3, skip: 1 } : e === 'x' ? { base: 16, len: 2, skip: 2 }
      : e === 'u' ? { base: 16, len: 4, skip: 2 } : e === 'U' ? { base: 16, len: 8, skip: 2 } : undefined;
    if (!spec) return fail('invalid char escape', i + 1);
    const from = i + spec.skip;
    const text = source.slice(from, from + spec.len);
    const valid = spec.base === 8 ? /^[0-7]{3}$/ : new RegExp(`^[0-9a-fA-F]{${spec.len}}$`);
    if (!valid.test(text)) return fail('invalid char escape', from);
    const code = parseInt(text, spec.base);
    if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000) || (spec.base === 8 && code > 255)) {
      return fail('invalid char escape', from);
    }
    out += String.fromCodePoint(code);
    i = from + spec.len;
  }
  emit(out);
  return i + 1;
}
