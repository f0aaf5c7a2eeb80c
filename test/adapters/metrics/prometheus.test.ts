/**
 * The prometheus provider against a real Prometheus server (Debian's package) scraping an
 * exporter this test serves, plus local fake servers for what a healthy Prometheus cannot show
 * (a hang, a header check).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrometheusProvider } from '../../../src/core/spec/types.js';
import { createMetricsProviders } from '../../../src/adapters/metrics/index.js';
import { createPrometheusProvider } from '../../../src/adapters/metrics/prometheus/index.js';
import type { MeasureContext } from '../../../src/ports/metrics-provider.js';
import { startExporter, type Exporter } from '../../support/exporter.js';
import { freePort, waitFor } from '../../support/net.js';
import { startPrometheus, type RunningPrometheus } from '../../support/prometheus.js';
import { runMetricsProviderContract } from './contract.js';
import { matching } from './matchers.js';
import { json, startHangingServer, startHttpServer, startSelfSignedHttpsServer, type HangingServer, type TestHttpServer } from './servers.js';

const spec = (address: string, query: string, extra: Partial<PrometheusProvider> = {}): PrometheusProvider => ({
  type: 'prometheus',
  address,
  query,
  insecure: false,
  headers: [],
  ...extra,
});
const ctx = (signal = new AbortController().signal): MeasureContext => ({ signal, runName: 'run-1', metricName: 'm' });

async function instant(prom: RunningPrometheus, query: string): Promise<unknown[]> {
  const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data?: { result?: unknown[] } };
  return body.data?.result ?? [];
}

let exporter: Exporter;
let prom: RunningPrometheus;

beforeAll(async () => {
  exporter = await startExporter();
  exporter.setGauge('baton_test_gauge', { pod: 'a' }, 0.25);
  exporter.setGauge('baton_test_gauge', { pod: 'b' }, 0.5);
  exporter.setGauge('baton_test_tiny', {}, 0.00001);
  exporter.incCounter('baton_test_requests_total', { code: '200' }, 99);
  exporter.incCounter('baton_test_requests_total', { code: '500' }, 1);
  exporter.defineHistogram('baton_test_latency_seconds', [0.1, 0.5, 1]);
  for (const v of [0.05, 0.2, 0.3, 0.7]) exporter.observe('baton_test_latency_seconds', {}, v);
  prom = await startPrometheus(
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: exporter',
      '    static_configs:',
      `      - targets: ['${exporter.target}']`,
    ].join('\n'),
  );
  // Waiting on an outside process: poll Prometheus until it holds the exporter's series.
  await waitFor(async () => (await instant(prom, 'baton_test_gauge')).length === 2, 30_000, 'prometheus to scrape the exporter');
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await exporter?.close();
});

describe('prometheus provider against a real Prometheus', () => {
  const provider = createPrometheusProvider();

  it('maps a scalar result to a number', async () => {
    expect(await provider.measure(spec(prom.url, 'scalar(sum(baton_test_gauge))'), ctx())).toEqual({ kind: 'value', value: 0.75, display: '0.75' });
    expect(await provider.measure(spec(prom.url, 'scalar(vector(1)) * 2 + 0.5'), ctx())).toEqual({ kind: 'value', value: 2.5, display: '2.5' });
  });

  it('maps a vector with several series to numbers, labels dropped', async () => {
    expect(await provider.measure(spec(prom.url, 'sort(baton_test_gauge)'), ctx())).toEqual({ kind: 'value', value: [0.25, 0.5], display: '[0.25,0.5]' });
  });

  it('computes a ratio from counters as a one-element vector', async () => {
    const q = 'sum(baton_test_requests_total{code="200"}) / sum(baton_test_requests_total)';
    expect(await provider.measure(spec(prom.url, q), ctx())).toEqual({ kind: 'value', value: [0.99], display: '[0.99]' });
  });

  it('reads a histogram', async () => {
    const r = await provider.measure(spec(prom.url, 'sum(baton_test_latency_seconds_count)'), ctx());
    expect(r).toEqual({ kind: 'value', value: [4], display: '[4]' });
    const q = await provider.measure(spec(prom.url, 'histogram_quantile(0.5, sum by (le) (baton_test_latency_seconds_bucket))'), ctx());
    expect(q.kind).toBe('value');
    if (q.kind === 'value') expect((q.value as number[])[0]).toBeCloseTo(0.3, 5);
  });

  it('stores tiny values as Prometheus prints them', async () => {
    expect(await provider.measure(spec(prom.url, 'baton_test_tiny'), ctx())).toMatchObject({ value: [0.00001], display: '[0.00001]' });
  });

  it('returns an empty vector as a value, leaving the verdict to the conditions', async () => {
    expect(await provider.measure(spec(prom.url, 'baton_test_gauge{pod="none"}'), ctx())).toEqual({ kind: 'value', value: [], display: '[]' });
  });

  it('runs a range query and flattens every sample', async () => {
    await waitFor(
      async () => {
        const r = (await instant(prom, 'count_over_time(baton_test_gauge{pod="a"}[1m])')) as { value: [number, string] }[];
        return Number(r[0]?.value[1] ?? 0) >= 3;
      },
      30_000,
      'three scrapes of the exporter',
    );
    const r = await provider.measure(
      spec(prom.url, 'baton_test_gauge{pod="a"}', { rangeQuery: { start: 'now() - duration("1m")', end: 'now()', step: '1s' } }),
      ctx(),
    );
    expect(r.kind).toBe('value');
    if (r.kind !== 'value') return;
    const values = r.value as number[];
    expect(values.length).toBeGreaterThanOrEqual(3);
    expect(new Set(values)).toEqual(new Set([0.25]));
    expect(r.display).toBe(`[${values.map(() => '0.25').join(',')}]`);
  });

  it('flattens a range query over several series', async () => {
    const r = await provider.measure(
      spec(prom.url, 'sort(baton_test_gauge)', { rangeQuery: { start: 'now() - duration("3s")', end: 'now()', step: '1s' } }),
      ctx(),
    );
    expect(r.kind).toBe('value');
    if (r.kind === 'value') {
      const values = r.value as number[];
      expect(values).toContain(0.25);
      expect(values).toContain(0.5);
      expect(values.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('reports an unsupported rangeQuery expression without sending a query', async () => {
    const r = await provider.measure(spec(prom.url, 'up', { rangeQuery: { start: 'now() - 600', end: 'now()', step: '1s' } }), ctx());
    expect(r).toMatchObject({ kind: 'error', message: matching(/^rangeQuery\.start: "now\(\) - 600" is not supported/) });
  });

  it('turns a bad query into an Error with Prometheus\' message', async () => {
    const r = await provider.measure(spec(prom.url, 'sum(baton_test_gauge'), ctx());
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(/^bad_data: .*parse error/);
  });

  it('turns a string result into an Error', async () => {
    expect(await provider.measure(spec(prom.url, '"hello"'), ctx())).toEqual({ kind: 'error', message: 'Prometheus metric type not supported' });
  });

  it('sends a long query as a POST form', async () => {
    const q = `sort(baton_test_gauge)${' + 0'.repeat(1200)}`;
    expect(q.length).toBeGreaterThan(4096);
    expect(await provider.measure(spec(prom.url, q), ctx())).toEqual({ kind: 'value', value: [0.25, 0.5], display: '[0.25,0.5]' });
  });

  it('rewrites template addresses through the factory\'s addressMap', async () => {
    const providers = createMetricsProviders({ addressMap: { 'http://prometheus.monitoring:9090/': prom.url } });
    const s = spec('http://prometheus.monitoring:9090', 'sort(baton_test_gauge)');
    expect(await providers(s).measure(s, ctx())).toMatchObject({ value: [0.25, 0.5] });
  });
});

describe('prometheus provider failures', () => {
  const provider = createPrometheusProvider();
  let hanging: HangingServer;
  let authed: TestHttpServer;

  beforeAll(async () => {
    hanging = await startHangingServer();
    authed = await startHttpServer((req, res) => {
      if (req.headers.authorization !== 'Bearer s3cret' || req.headers['x-scope-orgid'] !== 'tenant-a') {
        json(res, 401, { status: 'error', errorType: 'unauthorized', error: 'missing or bad token' });
        return;
      }
      json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1700000000, '42'] } });
    });
  });
  afterAll(async () => {
    await hanging?.close();
    await authed?.close();
  });

  it('reports an unreachable address as an Error', async () => {
    const port = await freePort();
    const r = await provider.measure(spec(`http://127.0.0.1:${port}`, 'up'), ctx());
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(new RegExp(`^Get "http://127\\.0\\.0\\.1:${port}/api/v1/query\\?.*ECONNREFUSED`));
  });

  it('gives up after `timeout` seconds on a server that never answers', async () => {
    const started = performance.now();
    const r = await provider.measure(spec(hanging.url, 'up', { timeout: 1 }), ctx());
    const elapsed = performance.now() - started;
    expect(r).toMatchObject({ kind: 'error', message: matching(/context deadline exceeded$/) });
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5_000);
    expect(hanging.connections()).toBeGreaterThan(0);
  });

  it('takes fractional and very large timeouts without failing the call', async () => {
    const started = performance.now();
    const r = await provider.measure(spec(hanging.url, 'up', { timeout: 0.5 }), ctx());
    expect(r).toMatchObject({ kind: 'error', message: matching(/context deadline exceeded$/) });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(await provider.measure(spec(prom.url, 'vector(1)', { timeout: 1e10 }), ctx())).toMatchObject({ kind: 'value', value: [1] });
  });

  it('forwards headers such as Authorization', async () => {
    const good = spec(authed.url, 'up', { headers: [{ key: 'Authorization', value: 'Bearer s3cret' }, { key: 'X-Scope-OrgID', value: 'tenant-a' }] });
    expect(await provider.measure(good, ctx())).toEqual({ kind: 'value', value: 42, display: '42' });
    const bad = spec(authed.url, 'up', { headers: [{ key: 'Authorization', value: 'Bearer wrong' }] });
    expect(await provider.measure(bad, ctx())).toEqual({ kind: 'error', message: 'unauthorized: missing or bad token' });
    const last = authed.requests.at(-1);
    expect(last?.method).toBe('GET');
    expect(last?.url).toMatch(/^\/api\/v1\/query\?query=up&time=\d+\.\d{3}$/);
  });

  it('posts a long query as a form, with the headers', async () => {
    const q = `up${' + 0'.repeat(1200)}`;
    const s = spec(authed.url, q, { headers: [{ key: 'Authorization', value: 'Bearer s3cret' }, { key: 'X-Scope-OrgID', value: 'tenant-a' }] });
    expect(await provider.measure(s, ctx())).toMatchObject({ kind: 'value', value: 42 });
    const last = authed.requests.at(-1);
    expect(last?.method).toBe('POST');
    expect(last?.url).toBe('/api/v1/query');
    expect(last?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(last?.body).get('query')).toBe(q);
  });

  it('verifies TLS unless insecure is set', async () => {
    const tls = await startSelfSignedHttpsServer((_req, res) => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1, '7'] } }));
    try {
      expect(await provider.measure(spec(tls.url, 'up'), ctx())).toMatchObject({ kind: 'error', message: matching(/self[- ]signed certificate/) });
      expect(await provider.measure(spec(tls.url, 'up', { insecure: true }), ctx())).toEqual({ kind: 'value', value: 7, display: '7' });
    } finally {
      await tls.close();
    }
  });

  it('reports addresses Argo would reject with Argo\'s words', async () => {
    expect(await provider.measure(spec('', 'up'), ctx())).toEqual({ kind: 'error', message: 'prometheus address is not configured' });
    expect(await provider.measure(spec('prometheus:9090', 'up'), ctx())).toEqual({ kind: 'error', message: 'prometheus address is not is url format' });
    expect(await provider.measure(spec(prom.url, 'up', { timeout: -1 }), ctx())).toEqual({ kind: 'error', message: 'prometheus timeout should not be negative' });
  });
});

runMetricsProviderContract('prometheus', async () => {
  const hanging = await startHangingServer();
  const port = await freePort();
  return {
    provider: createPrometheusProvider(),
    good: spec(prom.url, 'vector(1)'),
    failing: spec(`http://127.0.0.1:${port}`, 'up'),
    hanging: spec(hanging.url, 'up', { timeout: 30 }),
    hangingStarted: () => waitFor(() => hanging.connections() > 0, 5_000, 'the request to reach the hanging server').then(() => undefined),
    cleanup: () => hanging.close(),
  };
});
