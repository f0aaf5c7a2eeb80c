/**
 * Operator precedence as Prometheus 2.42's grammar has it (promql/parser/generated_parser.y):
 *
 *   or  <  and, unless  <  == != <= < >= >  <  + -  <  * / % atan2  <  ^ (right)
 *   a unary sign binds like `*` (`%prec MUL`): -a * b is (-a) * b, but -a ^ b is -(a ^ b);
 *   the postfix modifiers `offset`, `@`, `[range]` and `[range:step]` bind tightest, to the
 *   operand right before them: a + b @ 300 * 0 is a + ((b @ 300) * 0).
 *
 * The lezer grammar this engine parses with hangs the postfix modifiers on whole binary and
 * unary expressions, and puts signs into number literals, so the lezer tree of an operator
 * expression is flattened here back into its source-order items (operands, signs, binary
 * operators, postfix modifiers) and rebuilt with the precedence above.
 */
import type { SyntaxNode } from '@lezer/common';
import type { BinaryOp, Expr, VectorMatching } from './ast.js';

/** What the parser supplies to rebuild the tree. */
export interface OperatorHooks {
  /** The child expression nodes of a node. */
  exprChildren(n: SyntaxNode): SyntaxNode[];
  /** Source text of a node. */
  text(n: SyntaxNode): string;
  /** Converts an operand (anything not handled here). */
  operand(n: SyntaxNode): Expr;
  /** The operator and its modifiers of a BinaryExpr node. */
  binaryParts(n: SyntaxNode): { op: BinaryOp; returnBool: boolean; matching: VectorMatching | undefined };
  /** Applies an OffsetExpr, StepInvariantExpr, MatrixSelector or SubqueryExpr node to its target. */
  postfix(n: SyntaxNode, target: Expr): Expr;
  /** A number literal from its unsigned text. */
  number(n: SyntaxNode, text: string): Expr;
  fail(pos: number, msg: string): never;
}

type Item =
  | { kind: 'operand'; node: SyntaxNode }
  | { kind: 'number'; node: SyntaxNode; text: string }
  | { kind: 'sign'; op: '-' | '+' }
  | { kind: 'binary'; node: SyntaxNode }
  | { kind: 'postfix'; node: SyntaxNode };

const POSTFIX = new Set(['OffsetExpr', 'StepInvariantExpr', 'MatrixSelector', 'SubqueryExpr']);

/** Whether a node is part of an operator expression (handled by {@link buildOperatorExpr}). */
export function isOperatorNode(n: SyntaxNode, text: string): boolean {
  return n.name === 'BinaryExpr' || n.name === 'UnaryExpr' || POSTFIX.has(n.name) || (n.name === 'NumberDurationLiteral' && /^[+-]/.test(text));
}

const PRECEDENCE: Record<BinaryOp, number> = {
  or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '<=': 3, '<': 3, '>=': 3, '>': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, atan2: 5, '^': 6,
};
const POW = 6;

function flatten(n: SyntaxNode, h: OperatorHooks, out: Item[]): void {
  const kids = h.exprChildren(n);
  if (n.name === 'BinaryExpr') {
    const [l, r] = kids;
    if (!l || !r) return h.fail(n.to, 'unexpected end of input');
    flatten(l, h, out);
    out.push({ kind: 'binary', node: n });
    flatten(r, h, out);
  } else if (n.name === 'UnaryExpr') {
    const inner = kids[0];
    if (!inner) return h.fail(n.to, 'unexpected end of input');
    out.push({ kind: 'sign', op: h.text(n).trimStart().startsWith('-') ? '-' : '+' });
    flatten(inner, h, out);
  } else if (POSTFIX.has(n.name)) {
    const inner = kids[0];
    if (!inner) return h.fail(n.to, 'unexpected end of input');
    flatten(inner, h, out);
    out.push({ kind: 'postfix', node: n });
  } else if (n.name === 'NumberDurationLiteral') {
    // Prometheus' lexer has no signed numbers: each sign is a unary operator.
    const t = h.text(n);
    const signs = /^[\s+-]*/.exec(t)?.[0] ?? '';
    for (const c of signs) if (c === '-' || c === '+') out.push({ kind: 'sign', op: c });
    out.push({ kind: 'number', node: n, text: t.slice(signs.length).replace(/\s+/g, '') });
  } else out.push({ kind: 'operand', node: n });
}

/** Rebuilds an operator expression rooted at `root` with Prometheus' precedence. */
export function buildOperatorExpr(root: SyntaxNode, h: OperatorHooks): Expr {
  const items: Item[] = [];
  flatten(root, h, items);
  let k = 0;

  const primary = (): Expr => {
    const it = items[k++];
    if (!it) return h.fail(root.to, 'unexpected end of input');
    let e: Expr;
    if (it.kind === 'sign') {
      // The sign's operand: everything that binds tighter than `*`, i.e. `^` and postfixes.
      const inner = binary(POW);
      // parser.go folds a sign into a number literal operand.
      if (inner.type === 'number') return { type: 'number', value: it.op === '-' ? -inner.value : inner.value };
      return { type: 'unary', op: it.op, expr: inner };
    }
    if (it.kind === 'operand') e = h.operand(it.node);
    else if (it.kind === 'number') e = h.number(it.node, it.text);
    else return h.fail(it.node.from, `unexpected ${JSON.stringify(h.text(it.node))}`);
    for (let p = items[k]; p?.kind === 'postfix'; p = items[k]) {
      k++;
      e = h.postfix(p.node, e);
    }
    return e;
  };

  const binary = (minPrec: number): Expr => {
    let lhs = primary();
    for (let it = items[k]; it?.kind === 'binary'; it = items[k]) {
      const parts = h.binaryParts(it.node);
      const prec = PRECEDENCE[parts.op];
      if (prec < minPrec) break;
      k++;
      // `^` is right-associative, the others left-associative.
      const rhs = binary(parts.op === '^' ? prec : prec + 1);
      lhs = { type: 'binary', op: parts.op, lhs, rhs, returnBool: parts.returnBool, matching: parts.matching };
    }
    return lhs;
  };

  const e = binary(0);
  const rest = items[k];
  if (rest) return h.fail(rest.kind === 'sign' ? root.from : rest.node.from, 'unexpected token after the expression');
  return e;
}
