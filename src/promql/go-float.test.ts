import { describe, expect, it } from 'vitest';
import { formatGoFloat, parseGoFloat } from './go-float.js';

describe('Go float forms', () => {
  it.each([
    [1, '1'],
    [0.1, '0.1'],
    [1e-7, '0.0000001'],
    [1e21, '1000000000000000000000'],
    [1.5e300, '15' + '0'.repeat(299)],
    [-2.5e-5, '-0.000025'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ])('formats %s as %s', (v, s) => expect(formatGoFloat(v)).toBe(s));

  it.each([
    ['+Inf', Infinity],
    ['-inf', -Infinity],
    ['NaN', NaN],
    ['1e3', 1000],
    ['.5', 0.5],
    ['0x1p-2', 0.25],
    ['2.', 2],
  ])('parses %s', (s, v) => expect(parseGoFloat(s)).toBe(v));

  it.each(['', 'abc', '1_000', '1e', '0x1.8'])('rejects %s', (s) => expect(parseGoFloat(s)).toBeUndefined());
});
