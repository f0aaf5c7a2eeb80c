import { describe, expect, it } from 'vitest';
import type { MetricProviderSpec } from '../../../core/spec/types.js';
import { parseScript, type MetricScript } from './parse-script.js';
import { createScriptedProvider } from './scripted-provider.js';

const prom: MetricProviderSpec = { type: 'prometheus', address: 'http://prom:9090', query: 'up', insecure: false, headers: [] };
const job: MetricProviderSpec = {
  type: 'job',
  backoffLimit: 0,
  template: { metadata: { labels: {}, annotations: {} }, spec: { containers: [], terminationGracePeriodSeconds: 30, raw: {} } },
};

function script(raw: unknown): MetricScript {
  const r = parseScript(raw);
  if ('errors' in r) throw new Error(r.errors.join('\n'));
  return r.script;
}

const ctx = (metricName: string, runName = 'run-1') => ({ signal: new AbortController().signal, runName, metricName });

describe('createScriptedProvider', () => {
  it('hands out entries in order across runs, then repeats the last', async () => {
    const p = createScriptedProvider(script({ 'error-rate': [[0.01], [0.09]] }));
    expect(await p.measure(prom, ctx('error-rate', 'run-1'))).toEqual({ kind: 'value', value: [0.01], display: '[0.01]' });
    expect(await p.measure(prom, ctx('error-rate', 'run-2'))).toEqual({ kind: 'value', value: [0.09], display: '[0.09]' });
    expect(await p.measure(prom, ctx('error-rate', 'run-3'))).toEqual({ kind: 'value', value: [0.09], display: '[0.09]' });
    expect(p.callCount('error-rate')).toBe(3);
  });
  it('keeps a counter per metric', async () => {
    const p = createScriptedProvider(script({ a: [1, 2], b: [10, 20] }));
    expect(await p.measure(prom, ctx('a'))).toMatchObject({ value: 1 });
    expect(await p.measure(prom, ctx('b'))).toMatchObject({ value: 10 });
    expect(await p.measure(prom, ctx('a'))).toMatchObject({ value: 2 });
  });
  it('formats values as the real providers store them', async () => {
    const p = createScriptedProvider(script({ s: [0.5, 1e-5, NaN], v: [[0.1, 0.2]], w: [{ ok: true, a: '<' }], t: ['up'] }));
    expect(await p.measure(prom, ctx('s'))).toMatchObject({ display: '0.5' });
    expect(await p.measure(prom, ctx('s'))).toMatchObject({ display: '0.00001' });
    expect(await p.measure(prom, ctx('s'))).toMatchObject({ display: 'NaN' });
    expect(await p.measure(prom, ctx('v'))).toMatchObject({ display: '[0.1,0.2]' });
    expect(await p.measure(prom, ctx('w'))).toMatchObject({ value: { ok: true, a: '<' }, display: '{"a":"\\u003c","ok":true}' });
    expect(await p.measure(prom, ctx('t'))).toMatchObject({ value: 'up', display: '"up"' });
  });
  it('returns provider errors and job outcomes', async () => {
    const p = createScriptedProvider(script({ smoke: [{ error: 'refused' }], migrate: [{ job: 'failed' }, { job: 'succeeded' }] }));
    expect(await p.measure(prom, ctx('smoke'))).toEqual({ kind: 'error', message: 'refused' });
    expect(await p.measure(job, ctx('migrate'))).toEqual({ kind: 'job', phase: 'Failed' });
    expect(await p.measure(job, ctx('migrate'))).toEqual({ kind: 'job', phase: 'Successful' });
  });
  it('reports a metric missing from the script, and job/value mismatches', async () => {
    const p = createScriptedProvider(script({ migrate: [{ job: 'succeeded' }], rate: [0.1] }));
    expect(await p.measure(prom, ctx('x'))).toEqual({ kind: 'error', message: 'no scripted result for metric "x"' });
    expect(await p.measure(prom, ctx('toString'))).toEqual({ kind: 'error', message: 'no scripted result for metric "toString"' });
    expect(await p.measure(prom, ctx('migrate'))).toMatchObject({ kind: 'error' });
    expect(await p.measure(job, ctx('rate'))).toMatchObject({ kind: 'error' });
  });
  it('does not let a caller change the script through a returned value', async () => {
    const p = createScriptedProvider(script({ v: [[1, 2]] }));
    const first = await p.measure(prom, ctx('v'));
    if (first.kind === 'value') (first.value as number[]).push(3);
    expect(await p.measure(prom, ctx('v'))).toMatchObject({ value: [1, 2] });
  });
});
