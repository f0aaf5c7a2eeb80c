/** The contract for the in-memory providers (scripted, fake), and the factory's choices. */
import { describe, expect, it } from 'vitest';
import type { MetricProviderSpec } from '../../../src/core/spec/types.js';
import { createFakeProvider, createMetricsProviders, createScriptedProvider, parseScript } from '../../../src/adapters/metrics/index.js';
import { runMetricsProviderContract } from './contract.js';

const prom: MetricProviderSpec = { type: 'prometheus', address: 'http://prometheus:9090', query: 'up', insecure: false, headers: [] };
const web: MetricProviderSpec = { type: 'web', url: 'http://x', method: 'GET', headers: [], timeoutSeconds: 10, jsonPath: '{$}', insecure: false };
const job: MetricProviderSpec = {
  type: 'job',
  backoffLimit: 0,
  template: { metadata: { labels: {}, annotations: {} }, spec: { containers: [], terminationGracePeriodSeconds: 30, raw: {} } },
};
const datadog: MetricProviderSpec = { type: 'unsupported', name: 'datadog', raw: { query: 'avg:x' } };

runMetricsProviderContract('scripted', () => {
  const parsed = parseScript({ good: [[0.01]], failing: [{ error: 'connection refused' }], aborted: [0.5] });
  if ('errors' in parsed) throw new Error(parsed.errors.join('\n'));
  return Promise.resolve({
    provider: createScriptedProvider(parsed.script),
    good: prom,
    failing: prom,
    metricName: (kind) => kind,
  });
});

runMetricsProviderContract('fake', () => {
  const fake = createFakeProvider();
  // A held measurement, as a test of another module would queue it: it ends when aborted.
  const held = (_spec: MetricProviderSpec, c: { signal: AbortSignal }) =>
    new Promise<{ kind: 'error'; message: string }>((resolve) => {
      const end = () => resolve({ kind: 'error', message: 'aborted' });
      if (c.signal.aborted) end();
      else c.signal.addEventListener('abort', end, { once: true });
    });
  return Promise.resolve({
    provider: fake,
    good: prom,
    failing: prom,
    hanging: prom,
    hangingStarted: () => (fake.calls.length > 0 && fake.pending() === 0 ? Promise.resolve() : Promise.reject(new Error('the held measurement did not start'))),
    before: (kind) => {
      if (kind === 'good' || kind === 'aborted') fake.enqueue({ kind: 'value', value: [1], display: '[1]' });
      else if (kind === 'hanging') fake.enqueue(held);
      else fake.enqueue({ kind: 'error', message: 'refused' });
    },
  });
});

describe('fake provider', () => {
  it('hands back queued results in order and records calls', async () => {
    const fake = createFakeProvider();
    let release: (() => void) | undefined;
    fake.enqueue({ kind: 'value', value: 1, display: '1' }, () => new Promise((r) => (release = () => r({ kind: 'job', phase: 'Successful' }))));
    const signal = new AbortController().signal;
    expect(await fake.measure(prom, { signal, runName: 'r', metricName: 'a' })).toEqual({ kind: 'value', value: 1, display: '1' });
    const held = fake.measure(job, { signal, runName: 'r', metricName: 'b' });
    expect(fake.pending()).toBe(0);
    release?.();
    expect(await held).toEqual({ kind: 'job', phase: 'Successful' });
    expect(await fake.measure(prom, { signal, runName: 'r', metricName: 'c' })).toEqual({ kind: 'error', message: 'fake provider: no result queued for metric "c"' });
    expect(fake.calls.map((c) => c.ctx.metricName)).toEqual(['a', 'b', 'c']);
  });
});

describe('createMetricsProviders', () => {
  const pick = createMetricsProviders();
  it('picks the provider for each kind, one shared instance per kind', () => {
    expect(pick(prom).type).toBe('prometheus');
    expect(pick(web).type).toBe('web');
    expect(pick(job).type).toBe('job');
    expect(pick(datadog).type).toBe('unsupported');
    expect(pick(prom)).toBe(pick({ ...prom, query: 'other' }));
  });
  it('answers unsupported providers with an Error naming them', async () => {
    const signal = new AbortController().signal;
    expect(await pick(datadog).measure(datadog, { signal, runName: 'r', metricName: 'm' })).toEqual({
      kind: 'error',
      message: 'provider "datadog" is not supported by Baton',
    });
  });
  it('resolves an Error when a provider is handed another kind of spec', async () => {
    const signal = new AbortController().signal;
    expect(await pick(prom).measure(web, { signal, runName: 'r', metricName: 'm' })).toMatchObject({ kind: 'error' });
    expect(await pick(job).measure(prom, { signal, runName: 'r', metricName: 'm' })).toMatchObject({ kind: 'error' });
  });
});
