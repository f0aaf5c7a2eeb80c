/**
 * The judge and sequential providers against a real Prometheus (Debian's package) scraping a
 * real exporter on 127.0.0.1: counters and gauges per role that the test moves, measurements
 * taken as the engine takes them, state carried in metadata from one measurement to the next
 * and across a fresh provider (a restarted controller).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsProviders } from '../../src/adapters/metrics/index.js';
import { createPrometheusProvider } from '../../src/adapters/metrics/prometheus/index.js';
import { createSequentialProvider } from '../../src/adapters/metrics/sequential/index.js';
import type { ProviderResult } from '../../src/core/analysis/provider-result.js';
import { judgeMetricDefaults } from '../../src/core/stats/judge-config.js';
import type { JudgeProvider, SequentialProvider } from '../../src/core/stats/provider-spec.js';
import type { MeasureContext } from '../../src/ports/metrics-provider.js';
import { startExporter, type Exporter } from '../support/exporter.js';
import { waitFor } from '../support/net.js';
import { hasPrometheus, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

let exporter: Exporter;
let prom: RunningPrometheus;
let wobble: ReturnType<typeof setInterval> | undefined;

async function instant(query: string): Promise<number | undefined> {
  const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  const v = body.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

/** Requests served so far per role. */
const totals = new Map<string, number>();

/** Moves the counters, then waits (polling Prometheus, not sleeping) until a scrape holds them. */
async function serve(role: string, ok: number, failed: number): Promise<void> {
  exporter.incCounter('app_requests_total', { role, status: '200' }, ok);
  exporter.incCounter('app_requests_total', { role, status: '500' }, failed);
  const want = (totals.get(role) ?? 0) + ok + failed;
  totals.set(role, want);
  await waitFor(async () => (await instant(`sum(app_requests_total{role="${role}"})`)) === want, 15_000, `prometheus to scrape ${role}`);
}

/** A judge of canary against baseline on the real Prometheus, thresholds pass 95, marginal 75. */
function judgeSpec(lookbackSeconds: number, stepSeconds: number, metrics: JudgeProvider['metrics']): JudgeProvider {
  return { type: 'judge', address: prom.url, insecure: false, headers: [], roles: { canary: 'canary', baseline: 'baseline' }, lookbackSeconds, stepSeconds, groupWeights: {}, scoreThresholds: { pass: 95, marginal: 75 }, metrics };
}

function ctx(previousMetadata?: Record<string, string>): MeasureContext {
  return { signal: new AbortController().signal, runName: 'r', metricName: 'safety', ...(previousMetadata ? { previousMetadata } : {}) };
}

function metadataOf(r: ProviderResult): Record<string, string> {
  if (r.kind !== 'value' || !r.metadata) throw new Error(`expected a value with metadata, got ${JSON.stringify(r)}`);
  return r.metadata;
}

describe.skipIf(!hasPrometheus())('release-safety providers against a real Prometheus', () => {
  beforeAll(async () => {
    exporter = await startExporter();
    for (const role of ['canary', 'baseline', 'a', 'b']) {
      exporter.incCounter('app_requests_total', { role, status: '200' }, 0);
      exporter.incCounter('app_requests_total', { role, status: '500' }, 0);
    }
    exporter.setGauge('app_latency_seconds', { role: 'canary' }, 0.1);
    exporter.setGauge('app_latency_seconds', { role: 'baseline' }, 0.05);
    prom = await startPrometheus(['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:', '  - job_name: app', '    static_configs:', `      - targets: ['${exporter.target}']`].join('\n'));
    await waitFor(async () => (await instant('count(app_requests_total)')) === 8, 30_000, 'prometheus to scrape the exporter');
    // Latency gauges that move between scrapes: the canary about twice the baseline.
    let k = 0;
    wobble = setInterval(() => {
      k++;
      exporter.setGauge('app_latency_seconds', { role: 'canary' }, 0.1 + 0.01 * Math.sin(k));
      exporter.setGauge('app_latency_seconds', { role: 'baseline' }, 0.05 + 0.01 * Math.cos(k));
    }, 150);
  }, 60_000);

  afterAll(async () => {
    clearInterval(wobble);
    await prom?.stop();
    await exporter?.close();
  });

  const sequentialSpec = (canary: string, baseline: string): SequentialProvider => ({
    type: 'sequential',
    address: 'http://prometheus.example:9090',
    insecure: false,
    headers: [],
    roles: { canary, baseline },
    alpha: 0.01,
    tests: [{ name: 'errors', events: 'sum(app_requests_total{role="${role}",status="500"})', total: 'sum(app_requests_total{role="${role}"})' }],
  });

  it('sequential: a 5 % error canary is aborted within a few measurements, the numbers say why, and a restart keeps the evidence', async () => {
    // Through the factory, with the template's address mapped to the real Prometheus.
    const providers = createMetricsProviders({ addressMap: { 'http://prometheus.example:9090': prom.url } });
    const spec = sequentialSpec('canary', 'baseline');
    const first = await providers(spec).measure(spec, ctx());
    expect(first).toMatchObject({ kind: 'value', phase: 'Successful', value: { decision: 'continue', tests: { errors: { decision: 'started' } } } });
    let metadata = metadataOf(first);
    let result: ProviderResult = first;
    let measurements = 1;
    for (; measurements < 8; measurements++) {
      await serve('canary', 95, 5);
      await serve('baseline', 100, 0);
      // Every other measurement by a fresh provider: what a restarted controller does.
      const provider = measurements % 2 ? providers(spec) : createSequentialProvider(createPrometheusProvider({ addressMap: { 'http://prometheus.example:9090': prom.url } }));
      result = await provider.measure(spec, ctx(metadata));
      metadata = metadataOf(result);
      if (result.kind === 'value' && result.phase === 'Failed') break;
    }
    expect(result).toMatchObject({ kind: 'value', phase: 'Failed', value: { decision: 'abort', aborted: ['errors'] } });
    expect(measurements).toBeLessThanOrEqual(4);
    expect(metadata['sequential.errors']).toMatch(/^abort: e-value [\d.e+]+ >= 100 \(alpha 0\.01\); canary \d+\/\d+ \(5 %\), baseline 0\/\d+ \(0 %\) over \d measurements$/);
  }, 90_000);

  it('sequential: an A/A release at the same error rate continues', async () => {
    const spec = sequentialSpec('a', 'b');
    const provider = createSequentialProvider(createPrometheusProvider());
    const url = { ...spec, address: prom.url };
    let metadata = metadataOf(await provider.measure(url, ctx()));
    let last: ProviderResult | undefined;
    for (let i = 0; i < 3; i++) {
      await serve('a', 98, 2);
      await serve('b', 98, 2);
      last = await provider.measure(url, ctx(metadata));
      metadata = metadataOf(last);
    }
    expect(last).toMatchObject({ kind: 'value', phase: 'Successful', value: { decision: 'continue', tests: { errors: { canary: { events: 6, total: 300 }, baseline: { events: 6, total: 300 } } } } });
  }, 60_000);

  it('judge: a count metric with sparse errors fails the canary; a failed query is an Error naming metric and role', async () => {
    const spec = judgeSpec(60, 5, [
      {
        config: judgeMetricDefaults('errors', { test: 'count', direction: 'increase', critical: true }),
        events: 'sum(app_requests_total{role="${role}",status="500"})',
        total: 'sum(app_requests_total{role="${role}"})',
      },
    ]);
    const provider = createMetricsProviders()(spec);
    const r = await provider.measure(spec, ctx());
    expect(r).toMatchObject({ kind: 'value', phase: 'Failed', value: { score: 0, verdict: 'Fail', metrics: [{ name: 'errors', label: 'High', critical: true }] } });
    expect(metadataOf(r)['judge.errors']).toMatch(/^High \(critical\): count p=[\d.e-]+ at 0\.98, effect Infinity/);
    const broken = { ...spec, metrics: [{ ...spec.metrics[0]!, events: 'sum(app_requests_total{role="${role}"' }] };
    const e = await provider.measure(broken, ctx());
    expect(e.kind).toBe('error');
    expect(e.kind === 'error' && e.message).toMatch(/^metric "errors": events: canary: /);
  }, 30_000);

  it('judge: Mann-Whitney on range-query series finds a slower canary High, with its interval and effect', async () => {
    // Enough samples in the window: poll Prometheus until 12 scrapes of each series are in.
    await waitFor(async () => ((await instant('min(count_over_time(app_latency_seconds[15s]))')) ?? 0) >= 12, 30_000, 'twelve latency samples');
    const spec = judgeSpec(12, 1, [{ config: judgeMetricDefaults('latency', { direction: 'increase', effectSize: { allowedIncrease: 1.5 } }), query: 'avg(app_latency_seconds{role="${role}"})' }]);
    const r = await createMetricsProviders()(spec).measure(spec, ctx());
    expect(r).toMatchObject({ kind: 'value', phase: 'Failed', value: { score: 0, verdict: 'Fail', metrics: [{ name: 'latency', label: 'High', test: 'mannWhitney' }] } });
    if (r.kind !== 'value') return;
    const m = (r.value as { metrics: { canaryCount: number; effectSize: number; confInt: [number, number] }[] }).metrics[0];
    expect(m?.canaryCount).toBeGreaterThanOrEqual(12);
    expect(m?.effectSize).toBeGreaterThan(1.5);
    expect(m?.confInt[0]).toBeGreaterThan(0.02);
    // The same data judged on decreases only: the slower canary passes.
    const decrease = { ...spec, metrics: [{ ...spec.metrics[0]!, config: judgeMetricDefaults('latency', { direction: 'decrease' }) }] };
    expect(await createMetricsProviders()(decrease).measure(decrease, ctx())).toMatchObject({ phase: 'Successful', value: { score: 100, verdict: 'Pass' } });
  }, 60_000);
});
