import type { BinaryOp, Node, PointerName } from './ast.js';
import { PREDICATE_BUILTINS } from './builtins.js';
import { PLAIN_BUILTINS } from './functions.js';
import { ExprSyntaxError } from './errors.js';
import { BINARY, COMPARISONS, NEGATABLE, parseNumber, UNARY, WORD } from './grammar.js';
import { describeToken, tokenize, type Token } from './tokenizer.js';
import { compileGoRegex } from './values.js';

/**
 * expr-lang's hand-written precedence-climbing parser (expr-lang/expr `parser/parser.go`,
 * v1.16+): the same precedences (`parser/operator/operator.go`), comparison chains
 * (`1 < x < 3` is `1 < x && x < 3`), `not in` style negation, the pipe `x | f(y)` as `f(x, y)`,
 * `?.` chains, slices, predicates `{...}` with `#`, `#index` and `.field`. Not supported: `let`,
 * `if {} else {}`, `::`, `$env`; they are syntax errors.
 */

/** Parses `source` into a tree. Throws ExprSyntaxError with expr's wording and position. */
export function parse(source: string): Node {
  const tokens = tokenize(source);
  try {
    return new Parser(source, tokens).parseAll();
  } catch (e) {
    if (e instanceof RangeError) throw new ExprSyntaxError('expression is too deeply nested', source, 0);
    throw e;
  }
}

class Parser {
  private pos = 0;
  private current: Token;
  /** How many predicates enclose the current position (`#` is legal only inside one). */
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {
    this.current = tokens[0] as Token;
  }

  parseAll(): Node {
    const node = this.parseExpression(0);
    if (this.current.kind !== 'EOF') this.fail(`unexpected token ${describeToken(this.current)}`);
    return node;
  }

  private fail(reason: string, token: Token = this.current): never {
    throw new ExprSyntaxError(reason, this.source, token.pos);
  }

  private is(kind: Token['kind'], value?: string): boolean {
    return this.current.kind === kind && (value === undefined || this.current.value === value);
  }

  private next(): void {
    this.pos += 1;
    const t = this.tokens[this.pos];
    if (!t) this.fail('unexpected end of expression');
    this.current = t;
  }

  private expect(kind: Token['kind'], value?: string): void {
    if (!this.is(kind, value)) this.fail(`unexpected token ${describeToken(this.current)}`);
    this.next();
  }

  private parseExpression(precedence: number): Node {
    let left = this.parsePrimary();
    let prev = '';
    let opToken = this.current;
    while (opToken.kind === 'Operator') {
      const negate = opToken.value === 'not';
      let notToken: Token | undefined;
      if (negate) {
        const saved = this.pos;
        this.next();
        if (!NEGATABLE.has(this.current.value)) this.fail(`unexpected token ${describeToken(this.current)}`);
        const op = BINARY[this.current.value];
        if (!op || op.precedence < precedence) {
          this.pos = saved;
          this.current = opToken;
          break;
        }
        notToken = opToken;
        opToken = this.current;
      }
      const op = BINARY[opToken.value];
      if (!op || op.precedence < precedence) break;
      this.next();
      if (opToken.value === '|') {
        const ident = this.current;
        this.expect('Identifier');
        left = this.parseCall(ident, [left]);
      } else {
        if (prev === '??' && opToken.value !== '??') {
          this.fail(`Operator (${opToken.value}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`, opToken);
        }
        if (COMPARISONS.has(opToken.value) && !negate) {
          left = this.parseComparison(left, opToken, op.precedence);
        } else {
          const right = this.parseExpression(op.right ? op.precedence : op.precedence + 1);
          left = this.binary(opToken, left, right);
          if (notToken) left = { kind: 'unary', op: 'not', operand: left, pos: notToken.pos };
        }
      }
      prev = opToken.value;
      opToken = this.current;
    }
    return precedence === 0 ? this.parseConditional(left) : left;
  }

  private binary(opToken: Token, left: Node, right: Node): Node {
    const node: Node = { kind: 'binary', op: opToken.value as BinaryOp, left, right, pos: opToken.pos };
    if (node.op === 'matches' && right.kind === 'string') {
      try {
        node.regex = compileGoRegex(right.value);
      } catch (e) {
        this.fail(e instanceof Error ? e.message : String(e), { kind: 'String', value: right.value, pos: right.pos });
      }
    }
    return node;
  }

  /** `a < b < c` is `a < b && b < c`, as expr's `parseComparison`. */
  private parseComparison(left: Node, token: Token, precedence: number): Node {
    let root: Node | undefined;
    let lhs = left;
    let op = token;
    for (;;) {
      const rhs = this.parseExpression(precedence + 1);
      const cmp = this.binary(op, lhs, rhs);
      root = root ? { kind: 'binary', op: '&&', left: root, right: cmp, pos: op.pos } : cmp;
      lhs = rhs;
      op = this.current;
      if (!(op.kind === 'Operator' && COMPARISONS.has(op.value))) break;
      this.next();
    }
    return root;
  }

  private parseConditional(node: Node): Node {
    let cond = node;
    while (this.is('Operator', '?')) {
      const pos = this.current.pos;
      this.next();
      let then: Node;
      let otherwise: Node;
      if (!this.is('Operator', ':')) {
        then = this.parseExpression(0);
        this.expect('Operator', ':');
        otherwise = this.parseExpression(0);
      } else {
        // `a ?: b` is `a ? a : b`.
        this.next();
        then = cond;
        otherwise = this.parseExpression(0);
      }
      cond = { kind: 'conditional', cond, then, otherwise, pos };
    }
    return cond;
  }

  private parsePrimary(): Node {
    const token = this.current;
    if (token.kind === 'Operator' && UNARY[token.value] !== undefined) {
      this.next();
      const operand = this.parseExpression(UNARY[token.value] as number);
      return this.parsePostfix({ kind: 'unary', op: token.value as 'not', operand, pos: token.pos });
    }
    if (this.is('Bracket', '(')) {
      this.next();
      const inner = this.parseExpression(0);
      this.expect('Bracket', ')');
      return this.parsePostfix(inner);
    }
    if (token.kind === 'Operator' && (token.value === '#' || token.value === '.')) {
      if (this.depth === 0) this.fail('cannot use pointer accessor outside predicate');
      let name = '';
      if (token.value === '#') {
        this.next();
        if (this.is('Identifier')) {
          name = this.current.value;
          if (name !== 'index' && name !== 'acc') this.fail(`unknown pointer #${name}`);
          this.next();
        }
      }
      return this.parsePostfix({ kind: 'pointer', name: name as PointerName, pos: token.pos });
    }
    return this.parseSecondary();
  }

  private parseSecondary(): Node {
    const token = this.current;
    let node: Node;
    if (token.kind === 'Identifier') {
      this.next();
      if (token.value === 'true' || token.value === 'false') return { kind: 'bool', value: token.value === 'true', pos: token.pos };
      if (token.value === 'nil') return { kind: 'nil', pos: token.pos };
      node = this.is('Bracket', '(') ? this.parseCall(token, []) : { kind: 'ident', name: token.value, pos: token.pos };
    } else if (token.kind === 'Number') {
      this.next();
      return parseNumber(token, (reason) => this.fail(reason, token));
    } else if (token.kind === 'String') {
      this.next();
      node = { kind: 'string', value: token.value, pos: token.pos };
    } else if (this.is('Bracket', '[')) {
      node = this.parseArray(token);
    } else if (this.is('Bracket', '{')) {
      node = this.parseMap(token);
    } else {
      return this.fail(`unexpected token ${describeToken(token)}`);
    }
    return this.parsePostfix(node);
  }

  private parseCall(token: Token, args: Node[]): Node {
    const name = token.value;
    const predicate = PREDICATE_BUILTINS[name];
    if (predicate) {
      this.expect('Bracket', '(');
      const spec = predicate.args.slice(args.length);
      for (const [i, arg] of spec.entries()) {
        if (this.is('Bracket', ')')) {
          if (arg.endsWith('?')) break;
          this.fail(`expected at least ${spec.length} arguments`);
        }
        if (i > 0) this.expect('Operator', ',');
        args.push(arg.startsWith('predicate') ? this.parsePredicate() : this.parseExpression(0));
      }
      if (this.is('Operator', ',')) this.next();
      this.expect('Bracket', ')');
      return { kind: 'builtin', name, args, pos: token.pos };
    }
    const all = this.parseArguments(args);
    if (Object.hasOwn(PLAIN_BUILTINS, name)) return { kind: 'builtin', name, args: all, pos: token.pos };
    return { kind: 'call', callee: { kind: 'ident', name, pos: token.pos }, args: all, pos: token.pos };
  }

  private parseArguments(args: Node[]): Node[] {
    const offset = args.length;
    this.expect('Bracket', '(');
    while (!this.is('Bracket', ')')) {
      if (args.length > offset) this.expect('Operator', ',');
      if (this.is('Bracket', ')')) break;
      args.push(this.parseExpression(0));
    }
    this.expect('Bracket', ')');
    return args;
  }

  private parsePredicate(): Node {
    const start = this.current;
    const braces = this.is('Bracket', '{');
    if (braces) this.next();
    this.depth += 1;
    const body = this.parseExpression(0);
    this.depth -= 1;
    if (braces) this.expect('Bracket', '}');
    return { kind: 'predicate', body, pos: start.pos };
  }

  private parseArray(token: Token): Node {
    const items: Node[] = [];
    this.expect('Bracket', '[');
    while (!this.is('Bracket', ']')) {
      if (items.length > 0) {
        this.expect('Operator', ',');
        if (this.is('Bracket', ']')) break;
      }
      items.push(this.parseExpression(0));
    }
    this.expect('Bracket', ']');
    return { kind: 'array', items, pos: token.pos };
  }

  private parseMap(token: Token): Node {
    const entries: { key: Node; value: Node }[] = [];
    this.expect('Bracket', '{');
    while (!this.is('Bracket', '}')) {
      if (entries.length > 0) {
        this.expect('Operator', ',');
        if (this.is('Bracket', '}')) break;
      }
      let key: Node;
      const k = this.current;
      if (k.kind === 'Number' || k.kind === 'String' || k.kind === 'Identifier') {
        key = { kind: 'string', value: k.value, pos: k.pos };
        this.next();
      } else if (this.is('Bracket', '(')) {
        key = this.parseExpression(0);
      } else {
        return this.fail(`a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token ${describeToken(k)})`);
      }
      this.expect('Operator', ':');
      entries.push({ key, value: this.parseExpression(0) });
    }
    this.expect('Bracket', '}');
    return { kind: 'map', entries, pos: token.pos };
  }

  /** `.name`, `?.name`, `[i]`, `?.[i]`, `[a:b]` and method calls, left to right. */
  private parsePostfix(start: Node): Node {
    let node = start;
    for (;;) {
      const token = this.current;
      const optional = token.value === '?.';
      if (token.kind === 'Operator' && (token.value === '.' || optional)) {
        this.next();
        const prop = this.current;
        const inner = node.kind === 'chain' ? node.node : node;
        const chained = node.kind === 'chain' || optional;
        if (optional && this.is('Bracket', '[')) {
          this.next();
          const index = this.parseExpression(0);
          this.expect('Bracket', ']');
          node = { kind: 'chain', node: { kind: 'member', object: inner, property: index, optional, pos: prop.pos }, pos: token.pos };
          continue;
        }
        this.next();
        if (prop.kind !== 'Identifier' && !(prop.kind === 'Operator' && WORD.test(prop.value))) this.fail('expected name', prop);
        const member: Node = { kind: 'member', object: inner, property: { kind: 'string', value: prop.value, pos: prop.pos }, optional, pos: prop.pos };
        node = this.is('Bracket', '(') ? { kind: 'call', callee: member, args: this.parseArguments([]), pos: prop.pos } : member;
        if (chained) node = { kind: 'chain', node, pos: token.pos };
      } else if (token.kind === 'Bracket' && token.value === '[') {
        this.next();
        const wasChain = node.kind === 'chain';
        const inner = node.kind === 'chain' ? node.node : node;
        let from: Node | undefined;
        if (!this.is('Operator', ':')) from = this.parseExpression(0);
        if (this.is('Operator', ':')) {
          this.next();
          const to = this.is('Bracket', ']') ? undefined : this.parseExpression(0);
          node = { kind: 'slice', object: inner, from, to, pos: token.pos };
        } else {
          node = { kind: 'member', object: inner, property: from as Node, optional: false, pos: token.pos };
        }
        if (wasChain) node = { kind: 'chain', node, pos: token.pos };
        this.expect('Bracket', ']');
      } else {
        return node;
      }
    }
  }
}
