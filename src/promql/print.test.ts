import { describe, expect, it } from 'vitest';
import { parsePromQL } from './parse.js';
import { formatExpr, formatGoFloatG, goQuote } from './print.js';

describe('formatExpr', () => {
  it.each([
    ['sum by (job) (rate(http_requests_total{code=~"5..",job="a"}[5m] offset 1m))', 'sum by (job) (rate(http_requests_total{code=~"5..",job="a"}[5m] offset 1m))'],
    ['foo{b="1", a="2"} @ 100 offset -5m', 'foo{a="2",b="1"} @ 100.000 offset -5m'],
    ['max_over_time(rate(x[1m])[1h30m:] @ end())', 'max_over_time(rate(x[1m])[1h30m:] @ end())'],
    ['a / on(x) group_left(y) b', 'a / on (x) group_left (y) b'],
    ['a > bool ignoring(z) b', 'a > bool ignoring (z) b'],
    ['a + ignoring() b', 'a + b'],
    ['-(a ^ 2)', '-(a ^ 2)'],
    ['count_values without () ("v", x)', 'count_values without () ("v", x)'],
    ['1000000 * 0.00001', '1e+06 * 1e-05'],
    ['{__name__=~"a|b"}', '{__name__=~"a|b"}'],
  ])('prints %s as Prometheus 2.42 does', (q, want) => {
    expect(formatExpr(parsePromQL(q))).toBe(want);
    // The printed text parses back to an expression that prints the same.
    expect(formatExpr(parsePromQL(want))).toBe(want);
  });

  it('formats numbers and strings as Go fmt does', () => {
    expect([123456, 1234567, 0.0001, 0.00001, -2.5, 1e21, Infinity, -Infinity, Number.NaN].map(formatGoFloatG)).toEqual([
      '123456', '1.234567e+06', '0.0001', '1e-05', '-2.5', '1e+21', '+Inf', '-Inf', 'NaN',
    ]);
    expect(goQuote('a"b\\c\n\x01')).toBe('"a\\"b\\\\c\\n\\x01"');
  });
});
