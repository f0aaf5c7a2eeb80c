import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../clock/virtual.js';
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

describe('createScriptedProvider: jobs on a virtual clock', () => {
  const withDeadline = (seconds?: number): MetricProviderSpec => ({ ...job, ...(seconds !== undefined ? { activeDeadlineSeconds: seconds } : {}) });

  it('a job with after ends when the clock gets there, and is counted as running until then', async () => {
    const clock = createVirtualClock(1000);
    const p = createScriptedProvider(script({ migrate: [{ job: 'succeeded', after: '30s' }] }), { clock });
    let result: unknown;
    const measuring = p.measure(withDeadline(), ctx('migrate')).then((r) => (result = r));
    expect(p.running()).toBe(1);
    expect(p.nextEndAt()).toBe(31_000);
    clock.advanceTo(30_999);
    await new Promise((r) => setImmediate(r));
    expect(result).toBeUndefined();
    clock.advanceTo(31_000);
    await measuring;
    expect(result).toEqual({ kind: 'job', phase: 'Successful' });
    expect(p.running()).toBe(0);
  });

  it('activeDeadlineSeconds fails a job that runs longer, or never starts, at the deadline', async () => {
    const clock = createVirtualClock(0);
    const p = createScriptedProvider(script({ slow: [{ job: 'succeeded', after: '5m' }], stuck: [{ job: 'pending' }] }), { clock });
    const slow = p.measure(withDeadline(60), ctx('slow'));
    const stuck = p.measure(withDeadline(120), ctx('stuck'));
    expect(p.nextEndAt()).toBe(60_000);
    clock.advanceTo(60_000);
    expect(await slow).toEqual({ kind: 'job', phase: 'Failed', message: 'Job was active longer than specified deadline (activeDeadlineSeconds: 60)' });
    clock.advanceTo(120_000);
    expect(await stuck).toMatchObject({ kind: 'job', phase: 'Failed' });
  });

  it('a running job without a deadline ends only when its run is terminated (Inconclusive)', async () => {
    const clock = createVirtualClock(0);
    const p = createScriptedProvider(script({ smoke: [{ job: 'running' }] }), { clock });
    const abort = new AbortController();
    const running = p.measure(withDeadline(), { signal: abort.signal, runName: 'r', metricName: 'smoke' });
    expect(p.nextEndAt()).toBeUndefined();
    clock.advanceTo(24 * 3_600_000);
    expect(p.running()).toBe(1);
    abort.abort();
    expect(await running).toMatchObject({ kind: 'job', phase: 'Inconclusive' });
  });
});
