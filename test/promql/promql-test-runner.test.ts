/**
 * The runner of Prometheus' PromQL test scripts is itself tested: it must read the script
 * language as test.go does, run the `@` variants test.go runs, and report wrong results.
 */
import { describe, expect, it } from 'vitest';
import { parsePromQL } from '../../src/promql/parse.js';
import { formatExpr } from '../../src/promql/print.js';
import { almostEqual, evalQueries, newTestStorage, runEval, runLoad, withAtModifier } from './support/promql-test-run.js';
import { parseTestScript, type EvalCommand } from './support/promql-test-script.js';
import { parseSeriesDesc } from './support/series-desc.js';

const values = (desc: string): Array<number | string> => parseSeriesDesc(desc).values.map((v) => (v.kind === 'value' ? v.value : v.kind));

describe('series descriptions', () => {
  it('expand as the 2.42 grammar does, by repeated addition', () => {
    expect(values('m 0+0.1x3')).toEqual([0, 0.1, 0.2, 0.30000000000000004]);
    expect(values('m{a="b"} 1 _ _x2 stale 3x2 -1-1x2 010 Inf -NaN')).toEqual([1, 'omitted', 'omitted', 'omitted', 'stale', 3, 3, 3, -1, -2, -3, 8, Infinity, Number.NaN]);
    expect(parseSeriesDesc('{__name__="m", b="c",} 1').labels).toEqual([{ name: '__name__', value: 'm' }, { name: 'b', value: 'c' }]);
  });

  it('reads 0x10 as 0 repeated, not hex (lex.go disallows hex in series descriptions)', () => {
    expect(values('m 0x2')).toEqual([0, 0, 0]);
  });

  it.each([['m 1y'], ['m {a="b"} 1'], ['m 1+x3'], ['m{a="b} 1']])('refuses %s, naming it', (d) => {
    expect(() => parseSeriesDesc(d)).toThrow(/bad series description/);
  });
});

describe('script commands', () => {
  it('ends blocks at blank and comment lines, and a scalar ends an eval block', () => {
    // After the scalar, the next line is read as a command again.
    const cmds = parseTestScript(['load 5m', '  a 1', '# note', 'load 1m', '  b 2', '', 'eval instant at 5m a', '  1', '  clear'].join('\n'));
    expect(cmds.map((c) => c.kind)).toEqual(['load', 'load', 'eval', 'clear']);
    const ev = cmds[2] as EvalCommand;
    expect(ev.scalar).toBe(1);
    expect(ev.atMs).toBe(300_000);
  });

  it('refuses what test.go refuses, naming the line', () => {
    expect(() => parseTestScript('load 5m\n  a 1\n  b{ 2')).toThrow(/line 3: bad series description/);
    expect(() => parseTestScript('eval instant at 1m a\n  1\n  2')).toThrow(/line 3: invalid command/);
    expect(() => parseTestScript('eval instant at 1m a\n  a 1 2')).toThrow(/line 2: expecting multiple values/);
    expect(() => parseTestScript('frobnicate')).toThrow(/line 1: invalid command/);
  });
});

describe('test.go evaluation', () => {
  it('adds @ <t> to selectors outside subqueries and skips @-unsafe functions', () => {
    const at = (q: string, t: number): string | undefined => {
      const e = withAtModifier(parsePromQL(q), t);
      return e && formatExpr(e);
    };
    expect(at('rate(a[5m]) + b @ start() - max_over_time(c[1m:] @ 10)', 50_000)).toBe('rate(a[5m] @ 50.000) + b @ 50.000 - max_over_time(c[1m:] @ 10.000)');
    expect(at('max_over_time((a + time())[5m:])', 1000)).toBe('max_over_time((a + time())[5m:] @ 1.000)');
    expect(at('timestamp(a)', 1000)).toBeUndefined();
    expect(evalQueries('a', 3_000_000).map((q) => `${q.expr}@${q.t}`)).toEqual(['a@3000000', 'a @ 3000.000@-30000000', 'a @ 3000.000@0', 'a @ 3000.000@600000', 'a @ 3000.000@3000000', 'a @ 3000.000@30000000']);
    expect(evalQueries('a', 0).map((q) => q.t)).toEqual([0, -1000, 0, 1000]);
  });

  it('reports a wrong value, a missing or extra series, a wrong order and an error that did not happen', () => {
    const cmds = parseTestScript(
      [
        'load 1m',
        '  m{i="1"} 1+1x5',
        '  m{i="2"} 10+10x5',
        '',
        'eval instant at 2m m',
        '  m{i="1"} 3',
        '  m{i="2"} 31',
        '',
        'eval instant at 2m m',
        '  m{i="1"} 3',
        '',
        'eval_ordered instant at 2m sort_desc(m)',
        '  m{i="1"} 3',
        '  m{i="2"} 30',
        '',
        'eval_fail instant at 2m m',
        '',
        'eval instant at 2m m{i="1"}',
        '  m{i="1"} 3.000001',
      ].join('\n'),
    );
    const st = newTestStorage();
    expect(runLoad(st, cmds[0] as never)).toEqual([]);
    const [wrong, extra, order, fail, close] = cmds.slice(1).map((c) => runEval(st, c as EvalCommand));
    expect(wrong?.[0]).toContain('expected 31 for {"__name__":"m","i":"2"} but got 30');
    expect(extra?.[0]).toContain('unexpected metric');
    expect(order?.[0]).toContain('at position');
    expect(fail?.[0]).toContain('expected an error, got none');
    // almostEqual: within 1e-6 relative (|a-b| / (|a|+|b|)).
    expect(close).toEqual([]);
    expect([almostEqual(1, 1 + 3e-6), almostEqual(0, 1e-300), almostEqual(Number.NaN, Number.NaN)]).toEqual([false, false, true]);
  });

  it('refuses out-of-order loads as the TSDB does', () => {
    const [a, b] = parseTestScript('load 1m\n  m 1 2 3\n\nload 1m\n  m 5');
    const st = newTestStorage();
    expect(runLoad(st, a as never)).toEqual([]);
    expect(runLoad(st, b as never)).toEqual(['append {"__name__":"m"} at 0: out_of_order']);
  });
});
