import { describe, expect, it } from 'vitest';
import { ExprRuntimeError } from './errors.js';
import { compileExpr } from './index.js';

const env = {
  n: 3, // float64, as JSON numbers and Prometheus samples are
  nan: NaN,
  inf: Infinity,
  s: 'hello',
  xs: [0.2, 0.6, 0.9],
  empty: [] as unknown[],
  none: null,
  obj: { a: { b: 1 }, list: [{ ok: true, v: 1 }, { ok: false, v: 2 }], nil: null },
  f: (a: unknown, b: unknown) => [a, b],
  boom: () => {
    throw new Error('exploded');
  },
};
const run = (src: string, e: Record<string, unknown> = env): unknown => compileExpr(src).evaluate(e);

describe('evaluate: values', () => {
  it.each<[string, unknown]>([
    // literals
    ['1', 1n], ['1.5', 1.5], ['1e3', 1000], ['.5', 0.5], ['0x1F', 31n], ['1_000', 1000n], ['"a\\tb"', 'a\tb'],
    ["'x'", 'x'], ['true', true], ['false', false], ['nil', null], ['[1, "a", nil]', [1n, 'a', null]],
    ['{a: 1, "b c": [2]}', { a: 1n, 'b c': [2n] }],
    // int vs float
    ['5 / 2', 2.5], ['4 / 2', 2], ['5 % 2', 1n], ['-7 % 3', -1n], ['2 + 3', 5n], ['2 + 3.0', 5], ['2 * 1.5', 3],
    ['2 ** 3', 8], ['2 ^ 10', 1024], ['-(2)', -2n], ['+n', 3], ['-n', -3], ['1 / 0', Infinity],
    ['9223372036854775807 + 1', -9223372036854775808n],
    // comparisons
    ['1 < 2', true], ['2 <= 2', true], ['n > 2', true], ['n >= 3.5', false], ['1 == 1.0', true], ['n == 3', true],
    ['"a" < "b"', true], ['"abc" >= "abd"', false], ['1 != 2', true],
    ['nan > 1', false], ['nan < 1', false], ['nan == nan', false], ['nan != nan', true], ['inf > 1e308', true],
    ['1 == "1"', false], ['"a" != 1', true], ['nil == nil', true], ['none == nil', true], ['xs == nil', false],
    ['[1, 2] == [1, 2]', true], ['[1, 2] == [2, 1]', false], ['{a: 1} == {a: 1.0}', true], ['true == 1', false],
    ['1 < n < 4', true], ['1 < n < 2', false],
    // logic
    ['true and false', false], ['true && true', true], ['false or true', true], ['not true', false], ['!false', true],
    ['false && xs > 1', false], ['true || xs > 1', true],
    // strings
    ['s contains "ell"', true], ['s startsWith "he"', true], ['s endsWith "lo"', true], ['s not contains "z"', true],
    ['s matches "^h.l+o$"', true], ['s matches "(?i)HELLO"', true], ['s not matches "x"', true],
    ['s matches ("^" + "h")', true], ['s + " " + s', 'hello hello'],
    // membership
    ['0.6 in xs', true], ['0.7 in xs', false], ['0.7 not in xs', true], ['"a" in obj', true], ['"z" in obj', false],
    ['1 in nil', false], ['2 in [1, 2.0]', true],
    // member and index
    ['obj.a.b', 1], ['obj["a"]["b"]', 1], ['obj.missing', null], ['obj?.a?.b', 1], ['none?.a', null],
    ['none?.a.b.c', null], ['none?.[0]', null], ['obj.nil?.x', null], ['xs[0]', 0.2], ['xs[-1]', 0.9], ['xs[n - 2]', 0.6],
    ['s[1]', 'e'], ['s[-1]', 'o'], ['obj.list[1].v', 2],
    // slices
    ['xs[1:3]', [0.6, 0.9]], ['xs[:1]', [0.2]], ['xs[1:]', [0.6, 0.9]], ['xs[-2:]', [0.6, 0.9]], ['xs[5:9]', []],
    ['xs[2:1]', []], ['s[1:3]', 'el'], ['xs[:]', [0.2, 0.6, 0.9]],
    // ternary and coalesce
    ['n > 2 ? "big" : "small"', 'big'], ['n > 5 ? "big" : "small"', 'small'], ['false ?: 7', 7n],
    ['none ?? 5', 5n], ['n ?? 5', 3], ['obj.missing ?? "d"', 'd'], ['false ?? true', false],
    // ranges
    ['1..3', [1n, 2n, 3n]], ['3..1', []], ['len(1..1000)', 1000n], ['len(map(1..100, {1..100}))', 100n],
    // calls
    ['f(1, "x")', [1n, 'x']], ['f(n)', [3, undefined]],
    // predicates
    ['all(xs, {# < 1})', true], ['all(xs, # > 0.5)', false], ['all(empty, # > 1)', true], ['any(xs, {# > 0.8})', true],
    ['none(xs, {# > 1})', true], ['one(xs, {# > 0.8})', true], ['one(xs, {# > 0.5})', false],
    ['filter(xs, {# > 0.5})', [0.6, 0.9]], ['map(xs, {# * 10})', [2, 6, 9]], ['count(xs, {# > 0.5})', 2n],
    ['filter(obj.list, .ok)', [{ ok: true, v: 1 }]], ['map(obj.list, .v)', [1, 2]], ['map(xs, #index)', [0n, 1n, 2n]],
    ['any(obj.list, {.ok and .v == 1})', true], ['map([[1, 2], [3]], {len(#)})', [2n, 1n]],
    ['all([[1, 2], [3]], {all(#, {# > 0})})', true], ['reduce(1..4, #acc + #)', 10n], ['reduce(xs, #acc + #, 1)', 1 + 0.2 + 0.6 + 0.9],
    ['xs | filter(# > 0.5) | len()', 2n], ['sum(xs)', 1.7000000000000002], ['sum(1..4)', 10n],
    ['find(xs, # > 0.5)', 0.6], ['findIndex(xs, # > 0.5)', 1n], ['findLast(xs, # > 0.5)', 0.9], ['find(xs, # > 5)', null],
    ['count([true, false, true])', 2n],
  ])('%s', (src, want) => {
    const got = run(src);
    if (typeof want === 'number' && Number.isNaN(want)) expect(got).toBeNaN();
    else expect(got).toEqual(want);
  });
});

describe('evaluate: runtime errors', () => {
  it.each<[string, string]>([
    ['xs > 1', 'invalid operation: > (mismatched types []interface {} and int)'],
    ['s < 1', 'invalid operation: < (mismatched types string and int)'],
    ['none >= 0.5', 'invalid operation: >= (mismatched types nil and float64)'],
    ['obj.missing > 1', 'invalid operation: > (mismatched types nil and int)'],
    ['n % 2', 'invalid operation: % (mismatched types float64 and int)'],
    ['5 % 0', 'integer divide by zero'],
    ['s - 1', 'invalid operation: - (mismatched types string and int)'],
    ['"a" + 1', 'invalid operation: + (mismatched types string and int)'],
    ['n and true', 'invalid operation: and (mismatched types float64 and bool)'],
    ['true && n', 'invalid operation: && (mismatched types bool and float64)'],
    ['false || "x"', 'invalid operation: || (mismatched types bool and string)'],
    ['!n', 'invalid operation: ! (mismatched type float64)'],
    ['-s', 'invalid operation: - (mismatched type string)'],
    ['n ? 1 : 2', 'non-bool expression (type float64) used as condition'],
    ['none ?: 7', 'non-bool expression (type nil) used as condition'],
    ['xs[3]', 'index out of range: 3 (array length is 3)'],
    ['xs[-4]', 'index out of range: -1 (array length is 3)'],
    ['empty[0]', 'index out of range: 0 (array length is 0)'],
    ['none.a', 'cannot fetch a from <nil>'],
    ['obj.nil.x', 'cannot fetch x from <nil>'],
    ['none[0]', 'cannot fetch 0 from <nil>'],
    ['xs.a', 'cannot fetch a from []interface {}'],
    ['n.a', 'cannot fetch a from float64'],
    ['unknown > 1', 'unknown name unknown'],
    ['nope(1)', 'unknown name nope'],
    ['n(1)', 'n is not callable (type float64)'],
    ['boom()', 'exploded'],
    ['1 in n', 'operator "in" not defined on float64'],
    ['s contains 1', 'invalid operation: contains (mismatched types string and int)'],
    ['n matches "x"', 'invalid operation: matches (mismatched types float64 and string)'],
    ['s matches ("(" + "x")', 'error parsing regexp: /(x/: Unterminated group'],
    ['1..n', 'invalid operation: .. (mismatched types int and float64)'],
    ['1..10000000', 'memory budget exceeded'],
    ['len(map(1..1000, {1..1000}))', 'memory budget exceeded'],
    ['count(1..600000, true) + count(1..600000, true)', 'memory budget exceeded'],
    ['repeat("ab", 600000)', 'memory budget exceeded'],
    ['all(n, # > 1)', 'cannot iterate over float64 in all'],
    ['all(none, # > 1)', 'cannot iterate over <nil> in all'],
    ['all(xs, # + 1)', 'predicate of all must return bool (got float64)'],
    ['filter(xs, "x")', 'predicate of filter must return bool (got string)'],
    ['none[1:2]', 'cannot slice <nil>'],
  ])('%s', (src, message) => {
    let err: unknown;
    try {
      run(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExprRuntimeError);
    expect((err as ExprRuntimeError).code).toBe('expr-runtime');
    expect((err as ExprRuntimeError).message).toBe(message);
    expect((err as ExprRuntimeError).details.source).toBe(src);
  });

  it('points at the failing operation', () => {
    const at = (src: string): unknown => {
      try {
        run(src);
      } catch (e) {
        return (e as ExprRuntimeError).details.position;
      }
      return undefined;
    };
    expect(at('len(xs) > 0 && xs > 1')).toBe(18);
    expect(at('xs[0] > 0 and none.a')).toBe(19);
    expect(at('n > 0 && unknown')).toBe(9);
  });
});

describe('evaluate: compile once, evaluate many', () => {
  it('keeps no state between evaluations', () => {
    const c = compileExpr('result[0] <= 0.05');
    expect(c.source).toBe('result[0] <= 0.05');
    expect(c.evaluate({ result: [0.01] })).toBe(true);
    expect(c.evaluate({ result: [0.09] })).toBe(false);
    expect(() => c.evaluate({ result: [] })).toThrow(ExprRuntimeError);
    expect(c.evaluate({ result: [0.05] })).toBe(true);
  });

  it('caches a dynamic regex per pattern and still matches correctly', () => {
    const c = compileExpr('s matches p');
    expect(c.evaluate({ s: 'abc', p: '^a' })).toBe(true);
    expect(c.evaluate({ s: 'abc', p: '^b' })).toBe(false);
    expect(c.evaluate({ s: 'bcd', p: '^b' })).toBe(true);
  });

  it('never reads prototype properties of env maps', () => {
    expect(run('obj.constructor')).toBeNull();
    expect(run('"toString" in obj')).toBe(false);
    expect(() => run('toString')).toThrow('unknown name toString');
  });
});
