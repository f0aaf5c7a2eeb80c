/**
 * PromQL parsing: Prometheus' own lezer grammar (@prometheus-io/lezer-promql) gives the
 * concrete tree; this file turns it into the AST of ast.ts and applies the checks of
 * promql/parser/parse.go (2.42), with its error texts where the tree allows. The lezer
 * grammar follows Prometheus 3.x, so syntax that 2.x rejects (duration arithmetic, fill
 * modifiers, anchored/smoothed, limitk, quoted label names) is rejected here by name.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import type { AggregateOp, AtModifier, BinaryOp, Expr, Matcher, MatchType, VectorMatching, VectorSelector } from './ast.js';
import { PromQLParseError } from './errors.js';
import { METRIC_NAME } from './labels.js';
import { parseNumberLiteral, parsePromDuration, unquoteString } from './literals.js';
import { compileAnchoredRegex } from './regex.js';
import { checkExpr } from './check.js';
import { FUNCTIONS } from './function-table.js';
import { rewriteTrailingDots } from './number-text.js';

const EXPR_NODES = new Set([
  'AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'OffsetExpr',
  'AnchoredExpr', 'SmoothedExpr', 'ParenExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr',
]);

const BINARY_OPS: Record<string, BinaryOp> = {
  Pow: '^', Mul: '*', Div: '/', Mod: '%', Atan2: 'atan2', Add: '+', Sub: '-', Eql: '==', Neq: '!=', Gte: '>=', Gtr: '>',
  Lte: '<=', Lss: '<', And: 'and', Unless: 'unless', Or: 'or',
};

const AGGREGATE_OPS: Record<string, AggregateOp> = {
  Avg: 'avg', Bottomk: 'bottomk', Count: 'count', CountValues: 'count_values', Group: 'group', Max: 'max', Min: 'min',
  Quantile: 'quantile', Stddev: 'stddev', Stdvar: 'stdvar', Sum: 'sum', Topk: 'topk',
};

/** Words that may precede `(` without being a function call. */
const KNOWN_BEFORE_PAREN = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'start', 'end',
  'sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'quantile', 'topk', 'bottomk', 'count_values', 'group', 'limitk', 'limit_ratio', 'atan2',
]);

const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

/** Modifier bookkeeping that the AST does not keep: whether offset/@ were written. */
interface Mods {
  offset: boolean;
  at: boolean;
}

class Parser {
  private readonly mods = new WeakMap<object, Mods>();

  /**
   * @param input the text lezer parsed (number-text.ts: same length and positions as `query`)
   * @param query the query as written, for errors
   */
  constructor(
    private readonly input: string,
    private readonly query: string,
  ) {}

  /** `line:col: parse error: msg` as Prometheus' ParseErr prints it. */
  fail(pos: number, msg: string): never {
    const before = this.input.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - before.lastIndexOf('\n');
    throw new PromQLParseError(`${line}:${col}: parse error: ${msg}`, this.query);
  }

  text(n: SyntaxNode): string {
    return this.input.slice(n.from, n.to);
  }

  children(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
    return out;
  }

  exprChildren(n: SyntaxNode): SyntaxNode[] {
    return this.children(n).filter((c) => EXPR_NODES.has(c.name));
  }

  /** Reports the first error node lezer recovered from, before any conversion. */
  checkSyntax(top: SyntaxNode): void {
    let err: SyntaxNode | undefined;
    const visit = (n: SyntaxNode): void => {
      if (err) return;
      if (n.type.isError) {
        err = n;
        return;
      }
      for (let c = n.firstChild; c; c = c.nextSibling) visit(c);
    };
    visit(top);
    if (!err) return;
    // The grammar only knows its own function names, so an unknown one is a syntax error
    // there; Prometheus names it instead.
    const call = /(?<![\w:"'`])([a-zA-Z_][a-zA-Z0-9_]*)\s*\(/g;
    for (let m = call.exec(this.input); m; m = call.exec(this.input)) {
      const name = m[1] as string;
      if (KNOWN_BEFORE_PAREN.has(name.toLowerCase())) continue;
      const sig = FUNCTIONS.get(name);
      if (!sig) this.fail(m.index, `unknown function with name ${JSON.stringify(name)}`);
      if (!sig.supported) this.fail(m.index, `function ${JSON.stringify(name)} is not supported by the embedded engine`);
    }
    const rest = this.input.slice(err.from).trim();
    if (rest === '' || err.from >= this.input.trimEnd().length) this.fail(err.from, 'unexpected end of input');
    const tok = /^(\w+|"[^"]*"?|'[^']*'?|\S)/.exec(rest)?.[0] ?? rest;
    this.fail(err.from, `unexpected character or token ${JSON.stringify(tok)}`);
  }

  expr(n: SyntaxNode): Expr {
    switch (n.name) {
      case 'NumberDurationLiteral': {
        const t = this.text(n).replace(/\s+/g, '');
        const v = parseNumberLiteral(t);
        if (v === undefined) this.fail(n.from, `bad number or duration syntax: ${JSON.stringify(t)}`);
        return { type: 'number', value: v };
      }
      case 'StringLiteral':
        return { type: 'string', value: this.string(n) };
      case 'ParenExpr':
        return { type: 'paren', expr: this.expr(this.one(n)) };
      case 'UnaryExpr': {
        const op = this.text(this.children(n)[0] as SyntaxNode) === '-' ? '-' : '+';
        const inner = this.expr(this.one(n));
        // Prometheus folds a sign into a number literal (parser.go: unary on NumberLiteral).
        if (inner.type === 'number') return { type: 'number', value: op === '-' ? -inner.value : inner.value };
        return { type: 'unary', op, expr: inner };
      }
      case 'VectorSelector':
        return this.vectorSelector(n);
      case 'MatrixSelector':
        return this.matrixSelector(n);
      case 'SubqueryExpr':
        return this.subquery(n);
      case 'OffsetExpr':
        return this.offset(n);
      case 'StepInvariantExpr':
        return this.at(n);
      case 'FunctionCall':
        return this.call(n);
      case 'AggregateExpr':
        return this.aggregate(n);
      case 'BinaryExpr':
        return this.binary(n);
      case 'AnchoredExpr':
      case 'SmoothedExpr':
        return this.fail(n.from, `the ${n.name === 'AnchoredExpr' ? 'anchored' : 'smoothed'} modifier is not supported (Prometheus 2.x syntax only)`);
      default:
        return this.fail(n.from, `unexpected ${JSON.stringify(this.text(n))}`);
    }
  }

  one(n: SyntaxNode): SyntaxNode {
    const e = this.exprChildren(n)[0];
    if (!e) this.fail(n.to, 'unexpected end of input');
    return e;
  }

  string(n: SyntaxNode): string {
    try {
      return unquoteString(this.text(n));
    } catch (e) {
      return this.fail(n.from, (e as Error).message);
    }
  }

  duration(n: SyntaxNode | undefined, pos: number): number {
    if (!n) return this.fail(pos, 'unexpected end of input');
    const kids = this.children(n);
    const only = kids[0];
    if (kids.length !== 1 || !only || only.name !== 'NumberDurationLiteralInDurationContext') {
      this.fail(n.from, `duration expressions are not supported (Prometheus 2.x syntax only): ${JSON.stringify(this.text(n))}`);
    }
    const t = this.text(only);
    const ms = parsePromDuration(t);
    if (ms === undefined) this.fail(n.from, `bad duration syntax: ${JSON.stringify(t)}`);
    return ms;
  }

  vectorSelector(n: SyntaxNode): VectorSelector {
    let name: string | undefined;
    const matchers: Matcher[] = [];
    for (const c of this.children(n)) {
      if (c.name === 'Identifier') name = this.text(c);
      if (c.name === 'LabelMatchers') {
        for (const m of this.children(c)) {
          if (m.name === 'QuotedLabelName' || m.name === 'QuotedLabelMatcher') this.fail(m.from, 'quoted label names are not supported (Prometheus 2.x syntax only)');
          if (m.name !== 'UnquotedLabelMatcher') continue;
          const [ln, op, val] = this.children(m);
          if (!ln || !op || !val) this.fail(m.from, 'unexpected end of input');
          const type = MATCH_OPS[op.firstChild?.name ?? ''];
          if (!type) this.fail(op.from, `unexpected ${JSON.stringify(this.text(op))} in label matching, expected one of "=", "!=", "=~" or "!~"`);
          matchers.push(this.matcher(this.text(ln), type, this.string(val), val.from));
        }
      }
    }
    if (name !== undefined) {
      const dup = matchers.find((m) => m.name === METRIC_NAME);
      if (dup) this.fail(n.from, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(dup.value)}`);
      matchers.unshift({ name: METRIC_NAME, type: '=', value: name });
    }
    // parser.go: a selector must select something (at least one matcher not matching "").
    const nonEmpty = matchers.some((m) => !matchesValue(m, ''));
    if (!nonEmpty) this.fail(n.from, 'vector selector must contain at least one non-empty matcher');
    const vs: VectorSelector = { type: 'vectorSelector', name, matchers, offsetMs: 0, at: undefined };
    this.mods.set(vs, { offset: false, at: false });
    return vs;
  }

  matcher(name: string, type: MatchType, value: string, pos: number): Matcher {
    if (type === '=~' || type === '!~') {
      try {
        return { name, type, value, re: compileAnchoredRegex(value) };
      } catch (e) {
        return this.fail(pos, `error parsing regexp: ${(e as Error).message}`);
      }
    }
    return { name, type, value };
  }

  matrixSelector(n: SyntaxNode): Expr {
    const inner = this.expr(this.one(n));
    if (inner.type !== 'vectorSelector') this.fail(n.from, 'ranges only allowed for vector selectors');
    const mods = this.mods.get(inner);
    if (mods?.offset) this.fail(n.from, 'no offset modifiers allowed before range');
    if (mods?.at) this.fail(n.from, 'no @ modifiers allowed before range');
    const rangeMs = this.duration(this.children(n).find((c) => c.name === 'DurationExpr'), n.to);
    const ms = { type: 'matrixSelector' as const, selector: inner, rangeMs };
    this.mods.set(ms, { offset: false, at: false });
    return ms;
  }

  subquery(n: SyntaxNode): Expr {
    const inner = this.expr(this.one(n));
    const durs = this.children(n).filter((c) => c.name === 'DurationExpr');
    const rangeMs = this.duration(durs[0], n.to);
    const stepMs = durs[1] ? this.duration(durs[1], n.to) : 0;
    const sq = { type: 'subquery' as const, expr: inner, rangeMs, stepMs, offsetMs: 0, at: undefined };
    this.mods.set(sq, { offset: false, at: false });
    return sq;
  }

  /**
   * Applies an offset/@ modifier to what it follows. In Prometheus' grammar (2.42
   * generated_parser.y) `offset` and `@` bind tighter than every operator, so in `up - up
   * offset 1d` or `-up @ 100` they belong to the last operand; the lezer grammar hangs them on
   * the whole binary or unary expression, so they are moved down to its right-most operand
   * here (an operand in parentheses is a paren node and stays refused, as in Prometheus).
   */
  modify(n: SyntaxNode, what: string, apply: (target: Expr, mods: Mods) => Expr): Expr {
    const down = (target: Expr): Expr => {
      if (target.type === 'binary') return { ...target, rhs: down(target.rhs) };
      if (target.type === 'unary') return { ...target, expr: down(target.expr) };
      const mods = this.mods.get(target);
      if (!mods) this.fail(n.from, `${what} modifier must be preceded by an instant vector selector or range vector selector or a subquery`);
      return apply(target, mods);
    };
    return down(this.expr(this.one(n)));
  }

  withMods(target: Expr, mods: Mods, change: { offsetMs?: number; at?: AtModifier }): Expr {
    let out: Expr;
    if (target.type === 'vectorSelector' || target.type === 'subquery') out = { ...target, ...change };
    else if (target.type === 'matrixSelector') out = { ...target, selector: { ...target.selector, ...change } };
    else throw new Error('unreachable: modifiers only on selectors');
    this.mods.set(out, mods);
    return out;
  }

  offset(n: SyntaxNode): Expr {
    let sign = 1;
    let d = this.children(n).find((c) => c.name === 'OffsetDurationExpr');
    while (d && d.firstChild?.name === 'UnaryOp') {
      if (this.text(d.firstChild) === '-') sign = -sign;
      d = this.children(d).find((c) => c.name === 'OffsetDurationExpr');
    }
    const ms = sign * this.duration(d, n.to);
    return this.modify(n, 'offset', (target, mods) => {
      if (mods.offset) this.fail(n.from, 'offset may not be set multiple times');
      return this.withMods(target, { ...mods, offset: true }, { offsetMs: ms });
    });
  }

  at(n: SyntaxNode): Expr {
    const kids = this.children(n);
    const pre = kids.find((c) => c.name === 'AtModifierPreprocessors');
    let at: AtModifier;
    if (pre) at = pre.firstChild?.name === 'AtStart' ? { kind: 'start' } : { kind: 'end' };
    else {
      const lit = kids.find((c) => c.name === 'NumberDurationLiteral');
      const v = lit ? parseNumberLiteral(this.text(lit).replace(/\s+/g, '')) : undefined;
      if (v === undefined || !Number.isFinite(v)) this.fail(lit?.from ?? n.to, `timestamp out of bounds for @ modifier: ${lit ? this.text(lit) : ''}`);
      at = { kind: 'time', ms: Math.round(v * 1000) };
    }
    return this.modify(n, '@', (target, mods) => {
      if (mods.at) this.fail(n.from, '@ <timestamp> may not be set multiple times');
      return this.withMods(target, { ...mods, at: true }, { at });
    });
  }

  call(n: SyntaxNode): Expr {
    const ident = this.children(n).find((c) => c.name === 'FunctionIdentifier');
    const name = ident ? this.text(ident) : '';
    const sig = FUNCTIONS.get(name);
    if (!sig) this.fail(n.from, `unknown function with name ${JSON.stringify(name)}`);
    if (!sig.supported) this.fail(n.from, `function ${JSON.stringify(name)} is not supported by the embedded engine`);
    const body = this.children(n).find((c) => c.name === 'FunctionCallBody');
    const args = body ? this.exprChildren(body).map((a) => this.expr(a)) : [];
    return { type: 'call', func: name, args };
  }

  aggregate(n: SyntaxNode): Expr {
    const opNode = this.children(n).find((c) => c.name === 'AggregateOp');
    const opName = opNode?.firstChild?.name ?? '';
    const op = AGGREGATE_OPS[opName];
    if (!op) this.fail(n.from, `aggregation ${JSON.stringify(opNode ? this.text(opNode) : '')} is not supported (Prometheus 2.x syntax only)`);
    const mod = this.children(n).find((c) => c.name === 'AggregateModifier');
    const without = mod?.firstChild?.name === 'Without';
    const grouping = mod ? this.groupingLabels(this.children(mod).find((c) => c.name === 'GroupingLabels')) : [];
    const body = this.children(n).find((c) => c.name === 'FunctionCallBody');
    const args = body ? this.exprChildren(body).map((a) => this.expr(a)) : [];
    const wantsParam = op === 'topk' || op === 'bottomk' || op === 'quantile' || op === 'count_values';
    const want = wantsParam ? 2 : 1;
    if (args.length !== want) this.fail(n.from, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
    const expr = args[want - 1] as Expr;
    return { type: 'aggregate', op, param: wantsParam ? args[0] : undefined, expr, grouping, without };
  }

  groupingLabels(n: SyntaxNode | undefined): string[] {
    if (!n) return [];
    return this.children(n).map((c) => {
      if (c.name === 'QuotedLabelName') this.fail(c.from, 'quoted label names are not supported (Prometheus 2.x syntax only)');
      return this.text(c);
    });
  }

  binary(n: SyntaxNode): Expr {
    const kids = this.children(n);
    const [lhsNode, rhsNode] = this.exprChildren(n);
    if (!lhsNode || !rhsNode) return this.fail(n.to, 'unexpected end of input');
    const opNode = kids.find((c) => BINARY_OPS[c.name] !== undefined);
    const op = BINARY_OPS[opNode?.name ?? ''];
    if (!op || !opNode) return this.fail(n.from, 'unexpected binary operator');
    if (op === 'atan2') {
      // atan2 exists in 2.42; nothing to reject.
    }
    if (kids.some((c) => c.name === 'FillModifier')) this.fail(n.from, 'fill modifiers are not supported (Prometheus 2.x syntax only)');
    const returnBool = kids.some((c) => c.name === 'BoolModifier');
    const clause = kids.find((c) => c.name === 'MatchingModifierClause');
    let matching: VectorMatching | undefined;
    if (clause) {
      const ck = this.children(clause);
      const groups = ck.filter((c) => c.name === 'GroupingLabels');
      const on = ck.some((c) => c.name === 'On');
      const left = ck.some((c) => c.name === 'GroupLeft');
      const right = ck.some((c) => c.name === 'GroupRight');
      matching = {
        card: left ? 'many-to-one' : right ? 'one-to-many' : 'one-to-one',
        on,
        labels: this.groupingLabels(groups[0]),
        include: this.groupingLabels(groups[1]),
      };
    }
    const lhs = this.expr(lhsNode);
    const rhs = this.expr(rhsNode);
    if (op === '^') return this.power(lhsNode, lhs, (l) => ({ type: 'binary', op, lhs: l, rhs, returnBool, matching }));
    return { type: 'binary', op, lhs, rhs, returnBool, matching };
  }

  /**
   * `^` binds tighter than a unary sign in Prometheus (generated_parser.y: unary_expr is
   * `%prec MUL`, below POW), so `-x ^ 2` is -(x ^ 2) and `-1 ^ 2` is -1. The lezer tree can
   * put the sign under `^` (a signed literal, a sign folded into a literal, or a sign whose
   * operand carries offset/@), so it is lifted back over the power here.
   */
  power(lhsNode: SyntaxNode, lhs: Expr, pow: (lhs: Expr) => Expr): Expr {
    if (lhs.type === 'unary') return { type: 'unary', op: lhs.op, expr: this.power(lhsNode, lhs.expr, pow) };
    const signs = /^[\s+-]*/.exec(this.text(lhsNode))?.[0].replace(/\s+/g, '') ?? '';
    if (lhs.type !== 'number' || signs === '') return pow(lhs);
    const magnitude = parseNumberLiteral(this.text(lhsNode).replace(/^[\s+-]*/, '').replace(/\s+/g, '')) as number;
    let out = pow({ type: 'number', value: magnitude });
    for (const sign of [...signs].reverse()) out = { type: 'unary', op: sign === '-' ? '-' : '+', expr: out };
    return out;
  }
}

/** Whether a matcher accepts a label value (absent labels have value ""). */
export function matchesValue(m: Matcher, v: string): boolean {
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return (m.re as RegExp).test(v);
    case '!~':
      return !(m.re as RegExp).test(v);
    default: {
      const never: never = m.type;
      return never;
    }
  }
}

/**
 * Parses and type-checks a PromQL expression.
 * @throws PromQLParseError (errorType `bad_data`) naming the problem and its position.
 */
export function parsePromQL(query: string): Expr {
  if (query.trim() === '') throw new PromQLParseError('1:1: parse error: no expression found in input', query);
  const text = rewriteTrailingDots(query);
  const tree = parser.parse(text);
  const p: Parser = new Parser(text, query);
  const top = tree.topNode;
  p.checkSyntax(top);
  const exprs = p.exprChildren(top);
  const first = exprs[0];
  if (!first || exprs.length !== 1) p.fail(0, 'no expression found in input');
  const expr = p.expr(first);
  checkExpr(expr, (msg) => p.fail(0, msg));
  return expr;
}
