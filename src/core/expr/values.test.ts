import { describe, expect, it } from 'vitest';
import { compileGoRegex, equal, formatGo, formatGoFloat, goTypeName, toPlain } from './values.js';

describe('formatGoFloat (Go %v)', () => {
  it.each<[number, string]>([
    [0.5, '0.5'], [2, '2'], [100000, '100000'], [999999, '999999'], [1e6, '1e+06'], [123456789, '1.23456789e+08'],
    [1e-4, '0.0001'], [1e-5, '1e-05'], [1.5e-7, '1.5e-07'], [-2.5, '-2.5'], [1e21, '1e+21'], [1e100, '1e+100'],
    [NaN, 'NaN'], [Infinity, '+Inf'], [-Infinity, '-Inf'], [0, '0'],
  ])('%d -> %s', (x, want) => {
    expect(formatGoFloat(x)).toBe(want);
  });

  it('formats composite values as fmt does', () => {
    expect(formatGo([1n, 0.5, 'a', null, true])).toBe('[1 0.5 a <nil> true]');
    expect(formatGo({ b: 2n, a: [1e6] })).toBe('map[a:[1e+06] b:2]');
  });
});

describe('equal', () => {
  it.each<[unknown, unknown, boolean]>([
    [1n, 1, true], [1n, 1.5, false], [NaN, NaN, false], ['a', 'a', true], ['1', 1n, false], [null, undefined, true],
    [null, 0, false], [[1n, [2]], [1, [2n]], true], [{ a: 1 }, { a: 1, b: 2 }, false], [true, true, true],
  ])('case %#', (a, b, want) => {
    expect(equal(a, b)).toBe(want);
  });
});

describe('goTypeName', () => {
  it.each<[unknown, string]>([
    [1n, 'int'], [1, 'float64'], ['', 'string'], [false, 'bool'], [null, 'nil'], [[], '[]interface {}'],
    [{}, 'map[string]interface {}'], [() => 1, 'func'],
  ])('case %#: %s', (v, want) => {
    expect(goTypeName(v)).toBe(want);
  });
});

describe('compileGoRegex', () => {
  it.each<[string, string, boolean]>([
    ['^a+$', 'aaa', true], ['b', 'abc', true], ['(?i)ABC', 'xabcx', true], ['(?s)a.b', 'a\nb', true],
    ['a.b', 'a\nb', false], ['(?P<x>\\d+)', 'n42', true], ['\\Aab\\z', 'ab', true], ['\\Aab\\z', 'ab\n', false],
    ['\\pL+', 'é', true],
  ])('%s on %j is %s', (re, s, want) => {
    expect(compileGoRegex(re).test(s)).toBe(want);
  });

  it('reports a bad pattern as Go does', () => {
    expect(() => compileGoRegex('a(')).toThrow(/^error parsing regexp: /);
  });
});

describe('toPlain', () => {
  it('turns ints into numbers, deeply', () => {
    expect(toPlain([1n, { a: 2n, b: [3n] }, 'x'])).toEqual([1, { a: 2, b: [3] }, 'x']);
    expect(toPlain(5n)).toBe(5);
  });
});
