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
import { toLezerText } from './lezer-text.js';
import { buildOperatorExpr, isOperatorNode, type OperatorHooks } from './parse-operators.js';

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
   * @param input the text lezer parsed (lezer-text.ts: same length and positions as `query`)
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
    if (isOperatorNode(n, this.text(n))) return buildOperatorExpr(n, this.hooks);
    switch (n.name) {
      case 'NumberDurationLiteral':
        return this.number(n, this.text(n).replace(/\s+/g, ''));
      case 'StringLiteral':
        return { type: 'string', value: this.string(n) };
      case 'ParenExpr':
        return { type: 'paren', expr: this.expr(this.one(n)) };
      case 'VectorSelector':
        return this.vectorSelector(n);
      case 'FunctionCall':
        return this.call(n);
      case 'AggregateExpr':
        return this.aggregate(n);
      case 'AnchoredExpr':
      case 'SmoothedExpr':
        return this.fail(n.from, `the ${n.name === 'AnchoredExpr' ? 'anchored' : 'smoothed'} modifier is not supported (Prometheus 2.x syntax only)`);
      default:
        return this.fail(n.from, `unexpected ${JSON.stringify(this.text(n))}`);
    }
  }

  /** What parse-operators.ts needs to rebuild operator expressions with Prometheus' precedence. */
  private readonly hooks: OperatorHooks = {
    exprChildren: (n) => this.exprChildren(n),
    text: (n) => this.text(n),
    operand: (n) => this.expr(n),
    binaryParts: (n) => this.binaryParts(n),
    postfix: (n, target) => this.postfix(n, target),
    number: (n, text) => this.number(n, text),
    fail: (pos, msg) => this.fail(pos, msg),
  };

  number(n: SyntaxNode, text: string): Expr {
    const v = parseNumberLiteral(text);
    if (v === undefined) this.fail(n.from, `bad number or duration syntax: ${JSON.stringify(text)}`);
    return { type: 'number', value: v };
  }

  /** Applies a postfix modifier node (offset, @, [range], [range:step]) to its operand. */
  postfix(n: SyntaxNode, target: Expr): Expr {
    switch (n.name) {
      case 'OffsetExpr':
        return this.offset(n, target);
      case 'StepInvariantExpr':
        return this.at(n, target);
      case 'MatrixSelector':
        return this.matrixSelector(n, target);
      default:
        return this.subquery(n, target);
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

  matrixSelector(n: SyntaxNode, inner: Expr): Expr {
    if (inner.type !== 'vectorSelector') this.fail(n.from, 'ranges only allowed for vector selectors');
    const mods = this.mods.get(inner);
    if (mods?.offset) this.fail(n.from, 'no offset modifiers allowed before range');
    if (mods?.at) this.fail(n.from, 'no @ modifiers allowed before range');
    const rangeMs = this.duration(this.children(n).find((c) => c.name === 'DurationExpr'), n.to);
    const ms = { type: 'matrixSelector' as const, selector: inner, rangeMs };
    this.mods.set(ms, { offset: false, at: false });
    return ms;
  }

  subquery(n: SyntaxNode, inner: Expr): Expr {
    const durs = this.children(n).filter((c) => c.name === 'DurationExpr');
    const rangeMs = this.duration(durs[0], n.to);
    const stepMs = durs[1] ? this.duration(durs[1], n.to) : 0;
    const sq = { type: 'subquery' as const, expr: inner, rangeMs, stepMs, offsetMs: 0, at: undefined };
    this.mods.set(sq, { offset: false, at: false });
    return sq;
  }

  /** The bookkeeping of the selector or subquery an offset/@ applies to. */
  modsOf(n: SyntaxNode, target: Expr, what: string): Mods {
    const mods = this.mods.get(target);
    if (!mods) this.fail(n.from, `${what} modifier must be preceded by an instant vector selector or range vector selector or a subquery`);
    return mods;
  }

  withMods(target: Expr, mods: Mods, change: { offsetMs?: number; at?: AtModifier }): Expr {
    let out: Expr;
    if (target.type === 'vectorSelector' || target.type === 'subquery') out = { ...target, ...change };
    else if (target.type === 'matrixSelector') out = { ...target, selector: { ...target.selector, ...change } };
    else throw new Error('unreachable: modifiers only on selectors');
    this.mods.set(out, mods);
    return out;
  }

  offset(n: SyntaxNode, target: Expr): Expr {
    let sign = 1;
    let d = this.children(n).find((c) => c.name === 'OffsetDurationExpr');
    while (d && d.firstChild?.name === 'UnaryOp') {
      if (this.text(d.firstChild) === '-') sign = -sign;
      d = this.children(d).find((c) => c.name === 'OffsetDurationExpr');
    }
    const ms = sign * this.duration(d, n.to);
    const mods = this.modsOf(n, target, 'offset');
    if (mods.offset) this.fail(n.from, 'offset may not be set multiple times');
    return this.withMods(target, { ...mods, offset: true }, { offsetMs: ms });
  }

  at(n: SyntaxNode, target: Expr): Expr {
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
    const mods = this.modsOf(n, target, '@');
    if (mods.at) this.fail(n.from, '@ <timestamp> may not be set multiple times');
    return this.withMods(target, { ...mods, at: true }, { at });
  }

  call(n: SyntaxNode): Expr {
    const ident = this.children(n).find((c) => c.name === 'FunctionIdentifier');
    // From the query as written: lezer-text.ts may have renamed it for the grammar.
    const name = ident ? this.query.slice(ident.from, ident.to) : '';
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

  binaryParts(n: SyntaxNode): { op: BinaryOp; returnBool: boolean; matching: VectorMatching | undefined } {
    const kids = this.children(n);
    const opNode = kids.find((c) => BINARY_OPS[c.name] !== undefined);
    const op = BINARY_OPS[opNode?.name ?? ''];
    if (!op) return this.fail(n.from, 'unexpected binary operator');
    if (kids.some((c) => c.name === 'FillModifier')) this.fail(n.from, 'fill modifiers are not supported (Prometheus 2.x syntax only)');
    const returnBool = kids.some((c) => c.name === 'BoolModifier');
    const clause = kids.find((c) => c.name === 'MatchingModifierClause');
    let matching: VectorMatching | undefined;
    if (clause) {
      const ck = this.children(clause);
      const groups = ck.filter((c) => c.name === 'GroupingLabels');
      const left = ck.some((c) => c.name === 'GroupLeft');
      const right = ck.some((c) => c.name === 'GroupRight');
      matching = {
        card: left ? 'many-to-one' : right ? 'one-to-many' : 'one-to-one',
        on: ck.some((c) => c.name === 'On'),
        labels: this.groupingLabels(groups[0]),
        include: this.groupingLabels(groups[1]),
      };
    }
    return { op, returnBool, matching };
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
  const text = toLezerText(query);
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
