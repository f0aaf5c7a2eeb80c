import { describe, expect, it } from 'vitest';
import { compileExpr, ExprRuntimeError } from './index.js';

const env = { xs: [3, 1.5, 2], words: ['b', 'a'], s: '  Hi There  ', m: { b: 1, a: 2 } };
const run = (src: string): unknown => compileExpr(src).evaluate(env);

describe('builtins', () => {
  it.each<[string, unknown]>([
    ['len(xs)', 3n], ['len("héllo")', 6n], ['len(m)', 2n], ['len([])', 0n],
    ['abs(-2)', 2n], ['abs(-2.5)', 2.5], ['ceil(1.2)', 2], ['floor(-1.2)', -2], ['round(2.5)', 3], ['round(-2.5)', -3],
    ['max(1, 2.5, 2)', 2.5], ['max(xs)', 3], ['min(xs)', 1.5], ['min(3, 1)', 1n], ['mean(xs)', 6.5 / 3], ['median(xs)', 2],
    ['int(2.9)', 2n], ['int(-2.9)', -2n], ['int("42")', 42n], ['float(2)', 2], ['float("1e3")', 1000],
    ['string(1)', '1'], ['string(0.25)', '0.25'], ['string(xs)', '[3 1.5 2]'], ['string(nil)', '<nil>'],
    ['trim(s)', 'Hi There'], ['trim("xxaxx", "x")', 'a'], ['trimPrefix("abc", "a")', 'bc'], ['trimSuffix("abc", "c")', 'ab'],
    ['upper("a")', 'A'], ['lower("AB")', 'ab'], ['split("a,b,c", ",")', ['a', 'b', 'c']], ['split("a,b,c", ",", 2)', ['a', 'b,c']],
    ['join(words, "-")', 'b-a'], ['join(["x"])', 'x'], ['replace("aXbX", "X", "-")', 'a-b-'], ['repeat("ab", 2)', 'abab'],
    ['indexOf("abc", "c")', 2n], ['hasPrefix("abc", "ab")', true], ['hasSuffix("abc", "bc")', true],
    ['first(xs)', 3], ['last(xs)', 2], ['first([])', null], ['keys(m)', ['b', 'a']], ['values(m)', [1, 2]],
    ['type(1)', 'int'], ['type(1.0)', 'float'], ['type(xs)', 'array'], ['type(nil)', 'nil'], ['type(m)', 'map'],
    ['reverse(words)', ['a', 'b']], ['sort(words)', ['a', 'b']], ['sort(xs, "desc")', [3, 2, 1.5]], ['uniq([1, 1, 2])', [1n, 2n]],
    ['concat([1], [2, 3])', [1n, 2n, 3n]], ['flatten([1, [2, [3]]])', [1n, 2n, 3n]], ['get(xs, -1)', 2], ['get(m, "z")', null],
    ['sortBy(xs, #)', [1.5, 2, 3]], ['groupBy(1..4, # % 2 == 0)', { false: [1n, 3n], true: [2n, 4n] }],
    ['findLastIndex(xs, # > 1)', 2n], ['sum(xs, # * 2)', 13],
  ])('%s', (src, want) => {
    expect(run(src)).toEqual(want);
  });

  it.each<[string, string]>([
    ['len(1.5)', 'invalid argument for len (type float64)'],
    ['len(nil)', 'invalid argument for len (type <nil>)'],
    ['len()', 'not enough arguments to call len'],
    ['len(xs, xs)', 'too many arguments to call len'],
    ['abs("x")', 'invalid argument for abs (type string)'],
    ['int("x")', 'strconv.Atoi: parsing "x": invalid syntax'],
    ['float("x")', 'strconv.ParseFloat: parsing "x": invalid syntax'],
    ['int(true)', 'invalid operation: int(bool)'],
    ['upper(1)', 'invalid argument for upper (type int)'],
    ['max()', 'not enough arguments to call max'],
    ['reduce([], #acc + #)', 'reduce of empty array with no initial value'],
    ['sort(xs, "up")', 'unknown order up, use asc or desc'],
    ['sort([1, "a"])', 'invalid operation: < (mismatched types string and int)'],
  ])('%s fails', (src, message) => {
    expect(() => run(src)).toThrow(ExprRuntimeError);
    expect(() => run(src)).toThrow(message);
  });
});
