import type { Node } from './ast.js';
import type { Token } from './tokenizer.js';

/**
 * expr-lang's operator table (expr-lang/expr `parser/operator/operator.go`) and number literals
 * (`parser/parser.go` parseSecondary): ints are int64, `.` or an exponent makes a float64.
 */

/** A binary operator's binding: higher binds tighter; `right` for right-associative. */
export interface OperatorInfo {
  precedence: number;
  right: boolean;
}

/** Binary operators (operator.go `Binary`); `|` is the pipe. */
export const BINARY: Record<string, OperatorInfo> = {
  '|': { precedence: 0, right: false },
  or: { precedence: 10, right: false }, '||': { precedence: 10, right: false },
  and: { precedence: 15, right: false }, '&&': { precedence: 15, right: false },
  '==': { precedence: 20, right: false }, '!=': { precedence: 20, right: false },
  '<': { precedence: 20, right: false }, '>': { precedence: 20, right: false },
  '>=': { precedence: 20, right: false }, '<=': { precedence: 20, right: false },
  in: { precedence: 20, right: false }, matches: { precedence: 20, right: false },
  contains: { precedence: 20, right: false }, startsWith: { precedence: 20, right: false },
  endsWith: { precedence: 20, right: false },
  '..': { precedence: 25, right: false },
  '+': { precedence: 30, right: false }, '-': { precedence: 30, right: false },
  '*': { precedence: 60, right: false }, '/': { precedence: 60, right: false }, '%': { precedence: 60, right: false },
  '**': { precedence: 100, right: true }, '^': { precedence: 100, right: true },
  '??': { precedence: 500, right: false },
};
/** Unary operators and their precedence (operator.go `Unary`). */
export const UNARY: Record<string, number> = { not: 50, '!': 50, '-': 90, '+': 90 };
/** Precedence-20 operators, which chain: `a < b < c`. */
export const COMPARISONS = new Set(['==', '!=', '<', '>', '>=', '<=', 'in', 'matches', 'contains', 'startsWith', 'endsWith']);
/** Operators that `not` may prefix: `not in`, `not matches`, ... */
export const NEGATABLE = new Set(['contains', 'matches', 'startsWith', 'endsWith', 'in']);
/** Keyword operators that may still name a property: `a.in`, `a.not`. */
export const WORD = /^[\p{L}_$][\p{L}\p{Nd}_$]*$/u;

/** A Number token as an int node (int64) or a float node; `fail` reports a bad literal. */
export function parseNumber(token: Token, fail: (reason: string) => never): Node {
  const text = token.value.replace(/_/g, '');
  const lower = text.toLowerCase();
  const pos = token.pos;
  if (/^0[xob]/.test(lower) || !/[.e]/.test(lower)) {
    const kind = lower.startsWith('0x') ? 'hex' : lower.startsWith('0b') ? 'binary' : lower.startsWith('0o') ? 'octal' : 'integer';
    let value: bigint;
    try {
      value = BigInt(kind === 'integer' ? text.replace(/^0+(?=\d)/, '') : lower);
    } catch {
      return fail(`invalid ${kind} literal: ${token.value}`);
    }
    if (value > 0x7fffffffffffffffn) fail('integer literal is too large');
    return { kind: 'int', value, pos };
  }
  const value = Number(text);
  if (Number.isNaN(value)) fail(`invalid float literal: ${token.value}`);
  if (!Number.isFinite(value)) fail('float literal is too large');
  return { kind: 'float', value, pos };
}

