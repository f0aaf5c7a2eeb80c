import { describe, expect, it } from 'vitest';
import { PromQLParseError } from './errors.js';
import { parsePromQL } from './parse.js';

describe('parsePromQL', () => {
  it('builds selectors with matchers, offset and @', () => {
    const e = parsePromQL('rate(http_requests_total{job="a", code=~"5.."}[5m] offset 1m @ 100)');
    expect(e.type).toBe('call');
    if (e.type !== 'call') return;
    const m = e.args[0]!;
    expect(m.type).toBe('matrixSelector');
    if (m.type !== 'matrixSelector') return;
    expect(m.rangeMs).toBe(300_000);
    expect(m.selector.offsetMs).toBe(60_000);
    expect(m.selector.at).toEqual({ kind: 'time', ms: 100_000 });
    expect(m.selector.matchers.map((x) => `${x.name}${x.type}${x.value}`)).toEqual(['__name__=http_requests_total', 'job=a', 'code=~5..']);
  });

  it('parses aggregations with the modifier on either side and binary matching', () => {
    const a = parsePromQL('sum(x) by (le)');
    const b = parsePromQL('sum by (le) (x)');
    expect(a).toEqual(b);
    const c = parsePromQL('a / on(x) group_left(y) b');
    expect(c.type === 'binary' && c.matching).toEqual({ card: 'many-to-one', on: true, labels: ['x'], include: ['y'] });
  });

  it('reads subqueries, durations, numbers and strings as Prometheus does', () => {
    const s = parsePromQL('max_over_time(x[1h30m:1m])');
    expect(s.type === 'call' && s.args[0]).toMatchObject({ type: 'subquery', rangeMs: 5_400_000, stepMs: 60_000 });
    expect(parsePromQL('0x1F')).toEqual({ type: 'number', value: 31 });
    expect(parsePromQL('-Inf')).toEqual({ type: 'number', value: -Infinity });
    expect(parsePromQL('"a\\tb"')).toEqual({ type: 'string', value: 'a\tb' });
    expect(parsePromQL('`a\\tb`')).toEqual({ type: 'string', value: 'a\\tb' });
  });

  it('hangs offset and @ on the last operand, as Prometheus binds them tighter than any operator', () => {
    const b = parsePromQL('up - up offset 1d');
    expect(b).toMatchObject({ type: 'binary', op: '-', lhs: { type: 'vectorSelector', offsetMs: 0 }, rhs: { type: 'vectorSelector', offsetMs: 86_400_000 } });
    expect(parsePromQL('-up @ 100')).toMatchObject({ type: 'unary', op: '-', expr: { type: 'vectorSelector', at: { kind: 'time', ms: 100_000 } } });
    expect(parsePromQL('a * -b @ 5 offset 1m')).toMatchObject({ type: 'binary', rhs: { type: 'unary', expr: { type: 'vectorSelector', offsetMs: 60_000, at: { kind: 'time', ms: 5000 } } } });
    expect(parsePromQL('a - rate(b[5m] offset 1m)')).toMatchObject({ type: 'binary', rhs: { type: 'call' } });
    // The sign still binds looser than ^ when its operand carries @: -(x @ 60 ^ 2).
    expect(parsePromQL('-x @ 60 ^ 2')).toMatchObject({ type: 'unary', op: '-', expr: { type: 'binary', op: '^', lhs: { type: 'vectorSelector' } } });
    expect(parsePromQL('- -1 ^ 2')).toMatchObject({ type: 'unary', expr: { type: 'unary', expr: { type: 'binary', op: '^', lhs: { type: 'number', value: 1 } } } });
  });

  it('keeps Prometheus precedence around postfix modifiers and signs', () => {
    // a + ((b @ 300) * 0), not ((a + b) @ 300) * 0.
    expect(parsePromQL('a + b @ 300 * 0')).toMatchObject({ op: '+', lhs: { name: 'a' }, rhs: { op: '*', lhs: { name: 'b', at: { ms: 300_000 } }, rhs: { value: 0 } } });
    expect(parsePromQL('a * b offset 5m + c')).toMatchObject({ op: '+', lhs: { op: '*', rhs: { name: 'b', offsetMs: 300_000 } }, rhs: { name: 'c' } });
    expect(parsePromQL('-a * b')).toMatchObject({ op: '*', lhs: { type: 'unary' } });
    expect(parsePromQL('a + -b * c')).toMatchObject({ op: '+', rhs: { op: '*', lhs: { type: 'unary' } } });
    expect(parsePromQL('a ^ -b ^ c')).toMatchObject({ op: '^', rhs: { type: 'unary', expr: { op: '^' } } });
    expect(parsePromQL('2 - -1')).toMatchObject({ op: '-', lhs: { value: 2 }, rhs: { value: -1 } });
    expect(parsePromQL('a or b and c == d + e * f ^ g')).toMatchObject({ op: 'or', rhs: { op: 'and', rhs: { op: '==', rhs: { op: '+', rhs: { op: '*', rhs: { op: '^' } } } } } });
    expect(parsePromQL('rate(x[5m] offset 1m) - rate(x[5m] @ 10)')).toMatchObject({ op: '-', lhs: { type: 'call' }, rhs: { type: 'call' } });
  });

  it.each([
    ['', 'no expression found in input'],
    ['foo{', 'unexpected end of input'],
    ['rate(foo)', 'expected type range vector in call to function "rate", got instant vector'],
    ['sum(foo[5m])', 'expected type instant vector in aggregation expression, got range vector'],
    ['1 > 2', 'comparisons between scalars must use BOOL modifier'],
    ['foo + bool bar', 'bool modifier can only be used on comparison operators'],
    ['1 and foo', 'set operator "and" not allowed in binary scalar expression'],
    ['{}', 'vector selector must contain at least one non-empty matcher'],
    ['{a=~".*"}', 'vector selector must contain at least one non-empty matcher'],
    ['foo{__name__="bar"}', 'metric name must not be set twice'],
    ['(foo)[5m]', 'ranges only allowed for vector selectors'],
    ['foo offset 1m offset 2m', 'offset may not be set multiple times'],
    ['sum(foo) offset 1m', 'offset modifier must be preceded by an instant vector selector'],
    ['a - (b + c) offset 1m', 'offset modifier must be preceded by an instant vector selector'],
    ['-(b) @ 100', '@ modifier must be preceded by an instant vector selector'],
    ['foo offset 1m [5m]', 'no offset modifiers allowed before range'],
    ['nope(foo)', 'unknown function with name "nope"'],
    ['histogram_count(foo)', 'function "histogram_count" is not supported by the embedded engine'],
    ['limitk(1, foo)', 'not supported'],
    ['foo[5m+1m]', 'duration expressions are not supported'],
    ['round(foo, 1, 2)', 'expected at most 2 argument(s) in call to "round", got 3'],
    ['label_join(foo)', 'expected at least 3 argument(s) in call to "label_join", got 1'],
    ['topk(foo, bar)', 'expected type scalar in aggregation parameter, got instant vector'],
    ['a + on(x) group_left(x) b', 'label "x" must not occur in ON and GROUP clause at once'],
    ['a and on(x) group_left b', 'no grouping allowed for "and" operation'],
    ['-"a"', 'unary expression only allowed on expressions of type scalar or instant vector'],
    ['foo{a=~"("}', 'error parsing regexp'],
  ])('rejects %s', (q, msg) => {
    let err: unknown;
    try {
      parsePromQL(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromQLParseError);
    expect((err as PromQLParseError).errorType).toBe('bad_data');
    expect((err as Error).message).toContain(msg);
  });
});

describe('number literals', () => {
  it.each([
    ['2.', 2],
    ['1./6.', 1 / 6],
    ['1.e3', 1000],
    ['-2. ^ 2', -4],
    ['.5', 0.5],
  ])('reads %s as Prometheus does', (q, v) => {
    const e = parsePromQL(q);
    const val = (x: typeof e): number => {
      if (x.type === 'number') return x.value;
      if (x.type === 'unary') return -val(x.expr);
      if (x.type === 'binary' && x.op === '/') return val(x.lhs) / val(x.rhs);
      if (x.type === 'binary' && x.op === '^') return val(x.lhs) ** val(x.rhs);
      throw new Error(`unexpected ${x.type}`);
    };
    expect(val(e)).toBeCloseTo(v, 12);
  });

  it('keeps dots inside strings, names and matchers as written', () => {
    expect(parsePromQL('label_replace(up, "a.", "b.", "c", "1.")')).toMatchObject({ args: [{}, { value: 'a.' }, { value: 'b.' }, { value: 'c' }, { value: '1.' }] });
    expect(parsePromQL('up{x="2."} @ 3.')).toMatchObject({ matchers: [{}, { value: '2.' }], at: { kind: 'time', ms: 3000 } });
  });
});
