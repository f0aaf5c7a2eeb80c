import { describe, expect, it } from 'vitest';
import type { Node } from './ast.js';
import { ExprSyntaxError } from './errors.js';
import { parse } from './parser.js';

/** A compact S-expression of a tree, to assert grouping without positions. */
function show(n: Node): string {
  switch (n.kind) {
    case 'nil':
      return 'nil';
    case 'bool':
    case 'float':
      return String(n.value);
    case 'int':
      return `${n.value}i`;
    case 'string':
      return JSON.stringify(n.value);
    case 'ident':
      return n.name;
    case 'pointer':
      return `#${n.name}`;
    case 'unary':
      return `(${n.op} ${show(n.operand)})`;
    case 'binary':
      return `(${n.op} ${show(n.left)} ${show(n.right)})`;
    case 'member':
      return `(${n.optional ? '?.' : '.'} ${show(n.object)} ${show(n.property)})`;
    case 'slice':
      return `(slice ${show(n.object)} ${n.from ? show(n.from) : '_'} ${n.to ? show(n.to) : '_'})`;
    case 'call':
      return `(call ${show(n.callee)}${n.args.map((a) => ` ${show(a)}`).join('')})`;
    case 'builtin':
      return `(${n.name}${n.args.map((a) => ` ${show(a)}`).join('')})`;
    case 'predicate':
      return `{${show(n.body)}}`;
    case 'conditional':
      return `(? ${show(n.cond)} ${show(n.then)} ${show(n.otherwise)})`;
    case 'array':
      return `[${n.items.map(show).join(' ')}]`;
    case 'map':
      return `{${n.entries.map((e) => `${show(e.key)}: ${show(e.value)}`).join(', ')}}`;
    case 'chain':
      return `(chain ${show(n.node)})`;
  }
}

describe('parse: grouping', () => {
  it.each<[string, string]>([
    ['result[0] >= 0.8', '(>= (. result 0i) 0.8)'],
    ['len(result) > 0 && result[0] > 0.9', '(&& (> (len result) 0i) (> (. result 0i) 0.9))'],
    ['a or b and c', '(or a (and b c))'],
    ['a || b && !c', '(|| a (&& b (! c)))'],
    ['1 + 2 * 3', '(+ 1i (* 2i 3i))'],
    ['(1 + 2) * 3', '(* (+ 1i 2i) 3i)'],
    ['2 ** 3 ** 2', '(** 2i (** 3i 2i))'],
    ['2 ^ 3', '(^ 2i 3i)'],
    ['-a ** 2', '(- (** a 2i))'],
    ['not a == b', '(== (not a) b)'],
    ['a - b - c', '(- (- a b) c)'],
    ['1 < x < 3', '(&& (< 1i x) (< x 3i))'],
    ['x not in [1, 2]', '(not (in x [1i 2i]))'],
    ['s not matches "a+"', '(not (matches s "a+"))'],
    ['a ? b : c ? d : e', '(? a b (? c d e))'],
    ['a ?: b', '(? a a b)'],
    ['a ?? b ?? c', '(?? (?? a b) c)'],
    ['1..3', '(.. 1i 3i)'],
    ['a.b.c', '(. (. a "b") "c")'],
    ['a?.b.c', '(chain (. (?. a "b") "c"))'],
    ['a?.[0]', '(chain (?. a 0i))'],
    ['a[1:3]', '(slice a 1i 3i)'],
    ['a[:2]', '(slice a _ 2i)'],
    ['a[1:]', '(slice a 1i _)'],
    ['a[-1]', '(. a (- 1i))'],
    ['asInt(result) > 3', '(> (call asInt result) 3i)'],
    ['all(result, {# < 0.5})', '(all result {(< # 0.5)})'],
    ['all(result, # < 0.5)', '(all result {(< # 0.5)})'],
    ['filter(xs, .ok)', '(filter xs {(. # "ok")})'],
    ['map(xs, #index)', '(map xs {#index})'],
    ['count(xs)', '(count xs)'],
    ['reduce(xs, #acc + #, 0)', '(reduce xs {(+ #acc #)} 0i)'],
    ['xs | filter(# > 1) | len()', '(len (filter xs {(> # 1i)}))'],
    ['{a: 1, "b": 2, 3: x, (k): 4}', '{"a": 1i, "b": 2i, "3": x, k: 4i}'],
    ['[1, 2,]', '[1i 2i]'],
    ['a.f(1)', '(call (. a "f") 1i)'],
    ['1e3 + 0x10 + 0b11 + 0o7 + 1_000 + 1.5', '(+ (+ (+ (+ (+ 1000 16i) 3i) 7i) 1000i) 1.5)'],
    ['a.not', '(. a "not")'],
    ['nil == true', '(== nil true)'],
  ])('%s', (src, want) => {
    expect(show(parse(src))).toBe(want);
  });

  it('compiles a literal matches pattern once', () => {
    const n = parse('s matches "^a+$"');
    expect(n.kind === 'binary' && n.regex?.test('aaa')).toBe(true);
  });
});

describe('parse: errors with positions', () => {
  it.each<[string, string, number]>([
    ['result[0] >)', 'unexpected token Bracket(")") (1:12)', 11],
    ['1 +', 'unexpected token EOF (1:3)', 2],
    ['', 'unexpected token EOF (1:1)', 0],
    ['(1 + 2', 'unexpected token EOF (1:6)', 5],
    ['a b', 'unexpected token Identifier("b") (1:3)', 2],
    ['len(result) > 0 &&', 'unexpected token EOF (1:18)', 17],
    ['a ? b', 'unexpected token EOF (1:5)', 4],
    ['# > 1', 'cannot use pointer accessor outside predicate (1:1)', 0],
    ['.a', 'cannot use pointer accessor outside predicate (1:1)', 0],
    ['all(xs)', 'expected at least 2 arguments (1:7)', 6],
    ['a.1', 'unexpected token Number(".1") (1:2)', 1],
    ['a ?? b + c', 'Operator (+) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses. (1:8)', 7],
    ['s matches "(a"', 'error parsing regexp: /(a/: Unterminated group (1:11)', 10],
    ['a not b', 'unexpected token Identifier("b") (1:7)', 6],
    ['{a 1}', 'unexpected token Number("1") (1:4)', 3],
    ['99999999999999999999', 'integer literal is too large (1:1)', 0],
    ['let x = 1; x', 'unexpected token Operator("let") (1:1)', 0],
    ['map(xs, #foo)', 'unknown pointer #foo (1:10)', 9],
    ['x == 1\n  && y ==', 'unexpected token EOF (2:9)', 15],
  ])('%j', (src, message, position) => {
    let err: unknown;
    try {
      parse(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExprSyntaxError);
    expect((err as ExprSyntaxError).message).toBe(message);
    expect((err as ExprSyntaxError).details).toMatchObject({ source: src, position });
  });
});

describe('parse: limits', () => {
  it('reports absurd nesting as a syntax error, not a crash', () => {
    const src = `${'('.repeat(50_000)}1${')'.repeat(50_000)}`;
    expect(() => parse(src)).toThrow(ExprSyntaxError);
    expect(() => parse(src)).toThrow('expression is too deeply nested (1:1)');
  });

  it('parses ordinary nesting', () => {
    expect(show(parse(`${'('.repeat(200)}1${')'.repeat(200)}`))).toBe('1i');
  });
});

