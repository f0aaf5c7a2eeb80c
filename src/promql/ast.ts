/**
 * The PromQL syntax tree this engine evaluates, after the lezer tree is checked and
 * simplified (parse.ts). It mirrors promql/parser/ast.go of Prometheus 2.x.
 */

/** Value types of expressions (parser.ValueType). */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Label matcher types. */
export type MatchType = '=' | '!=' | '=~' | '!~';

/** One label matcher; `re` is the compiled, fully anchored regex for `=~`/`!~`. */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  readonly re?: RegExp;
}

/** `@` modifier: a fixed time in ms, or the query's start/end. */
export type AtModifier = { readonly kind: 'time'; readonly ms: number } | { readonly kind: 'start' } | { readonly kind: 'end' };

export interface NumberLiteral {
  readonly type: 'number';
  readonly value: number;
}
export interface StringLiteral {
  readonly type: 'string';
  readonly value: string;
}
export interface VectorSelector {
  readonly type: 'vectorSelector';
  readonly name: string | undefined;
  readonly matchers: readonly Matcher[];
  readonly offsetMs: number;
  readonly at: AtModifier | undefined;
}
export interface MatrixSelector {
  readonly type: 'matrixSelector';
  readonly selector: VectorSelector;
  readonly rangeMs: number;
}
export interface SubqueryExpr {
  readonly type: 'subquery';
  readonly expr: Expr;
  readonly rangeMs: number;
  /** 0 means the default evaluation interval. */
  readonly stepMs: number;
  readonly offsetMs: number;
  readonly at: AtModifier | undefined;
}
export interface Call {
  readonly type: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
}
export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count' | 'stddev' | 'stdvar' | 'quantile' | 'topk' | 'bottomk' | 'count_values' | 'group';
export interface AggregateExpr {
  readonly type: 'aggregate';
  readonly op: AggregateOp;
  readonly param: Expr | undefined;
  readonly expr: Expr;
  readonly grouping: readonly string[];
  readonly without: boolean;
}
export type ArithOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type CompareOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithOp | CompareOp | SetOp;

/** Vector matching of a binary expression (parser.VectorMatching). */
export interface VectorMatching {
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** `on(...)` when true, `ignoring(...)` (or no modifier) when false. */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** Labels named in group_left/group_right, taken from the "one" side. */
  readonly include: readonly string[];
}
export interface BinaryExpr {
  readonly type: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  /** Present when both sides are vectors. */
  readonly matching: VectorMatching | undefined;
}
export interface UnaryExpr {
  readonly type: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
}
export interface ParenExpr {
  readonly type: 'paren';
  readonly expr: Expr;
}

/** Any PromQL expression. */
export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr;

/** Comparison operators (parser.ItemType.IsComparisonOperator). */
export function isComparison(op: BinaryOp): op is CompareOp {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

/** Set operators (parser.ItemType.IsSetOperator). */
export function isSetOp(op: BinaryOp): op is SetOp {
  return op === 'and' || op === 'or' || op === 'unless';
}

/** The type an expression evaluates to (parser.Expr.Type). */
export function typeOf(e: Expr): ValueType {
  switch (e.type) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vectorSelector':
    case 'aggregate':
      return 'vector';
    case 'matrixSelector':
    case 'subquery':
      return 'matrix';
    case 'call':
      return functionReturnType(e.func);
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(e.expr);
    default: {
      const never: never = e;
      return never;
    }
  }
}

function functionReturnType(name: string): ValueType {
  return name === 'scalar' || name === 'time' || name === 'pi' ? 'scalar' : 'vector';
}
