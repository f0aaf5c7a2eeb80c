/**
 * Differential test: the real Prometheus (Debian's 2.42) and the embedded server scrape the
 * same exporters with the same prometheus.yml, then answer the same queries at the same
 * timestamps. Tolerances:
 * - 1e-6 relative where scrape timing cannot change the answer: constant gauges, constant
 *   histograms, `up`, label sets, and ratios of rates of counters that rise in proportion to
 *   one another (all series of a target share each scrape's timestamps, so the extrapolation
 *   factor of `rate` is the same for numerator and denominator and cancels; this covers the
 *   seed's error-rate and p95 queries).
 * - 1 % for absolute rate-family values over windows the data fully covers: the counters are
 *   linear in wall time, so `rate` extrapolated to the window edges is the true rate up to the
 *   few ms between a scrape's timestamp and the moment the exporter computed its body.
 * - 5 % for `irate`, which divides by the time between the last two scrapes alone (1 s here):
 *   the same few ms of lag (tens of ms on a busy machine) differ between the two servers' last
 *   scrapes, and are not diluted by a window (measured on a loaded CI run: 1.6 %).
 * - labels only for raw counter values, which depend on the moment of each server's last scrape.
 * Errors must agree in presence and errorType.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMetricsConfig } from '../../src/metrics-server/config.js';
import { startMetricsServer, type RunningMetricsServer } from '../../src/metrics-server/server.js';
import { hasPrometheus, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { waitFor } from '../support/net.js';
import { compareAnswers, type Tolerance } from './support/compare.js';
import { startExporter, type Exporter } from './support/exporters.js';

const EXACT: Tolerance = { kind: 'relative', rel: 1e-6 };
const RATE: Tolerance = { kind: 'relative', rel: 0.01 };
const IRATE: Tolerance = { kind: 'relative', rel: 0.05 };
const LABELS: Tolerance = { kind: 'labels-only' };

/** The seed's three AnalysisTemplate queries, verbatim (zero-downtime-deployment-strategy.md). */
const SEED_QUERIES = [
  `(
  sum(kube_pod_status_ready{condition="true",namespace="tbyte",pod=~"tbyte-microservices-frontend-.*"}) or vector(0)
) / (
  sum(kube_pod_status_ready{namespace="tbyte",pod=~"tbyte-microservices-frontend-.*"}) or vector(1)
)
`,
  `sum(rate(http_requests_total{job="tbyte-microservices",status=~"5.."}[5m])) / 
sum(rate(http_requests_total{job="tbyte-microservices"}[5m])) or vector(0)
`,
  `histogram_quantile(0.95, 
  sum(rate(http_request_duration_seconds_bucket{job="tbyte-microservices"}[5m])) by (le)
)
`,
];

type When = 'before' | 'after';
interface Case {
  q: string;
  tol: Tolerance;
  at?: When;
}

const INSTANT_CASES: Case[] = [
  ...SEED_QUERIES.map((q) => ({ q, tol: EXACT })),
  { q: 'up', tol: EXACT },
  { q: 'up', tol: EXACT, at: 'before' },
  { q: 'up == 1', tol: EXACT },
  { q: 'count by (job) (up)', tol: EXACT },
  { q: 'group by (job) (up)', tol: EXACT },
  { q: 'scrape_samples_scraped{job="tbyte-microservices"}', tol: EXACT },
  { q: 'kube_pod_status_ready', tol: EXACT },
  { q: 'sum by (condition) (kube_pod_status_ready)', tol: EXACT },
  { q: 'count(kube_pod_status_ready)', tol: EXACT },
  { q: 'count_values("ready", kube_pod_status_ready{condition="true"})', tol: EXACT },
  { q: 'temperature_celsius', tol: EXACT },
  { q: 'temperature_celsius{room=~"r[12]"}', tol: EXACT },
  { q: 'temperature_celsius{room!="r1"}', tol: EXACT },
  { q: '{__name__=~"temp.*_celsius", room!~"r[34]"}', tol: EXACT },
  { q: 'avg(temperature_celsius)', tol: EXACT },
  { q: 'max by (room) (temperature_celsius)', tol: EXACT },
  { q: 'min without (room) (temperature_celsius)', tol: EXACT },
  { q: 'stddev(temperature_celsius)', tol: EXACT },
  { q: 'stdvar(temperature_celsius)', tol: EXACT },
  { q: 'quantile(0.9, temperature_celsius)', tol: EXACT },
  { q: 'topk(2, temperature_celsius)', tol: EXACT },
  { q: 'bottomk(1, temperature_celsius)', tol: EXACT },
  { q: 'sort_desc(temperature_celsius)', tol: EXACT },
  { q: 'temperature_celsius * 2 + 1', tol: EXACT },
  { q: 'temperature_celsius > bool 20', tol: EXACT },
  { q: 'temperature_celsius > 20', tol: EXACT },
  { q: '20 < temperature_celsius', tol: EXACT },
  { q: '-temperature_celsius', tol: EXACT },
  { q: 'abs(temperature_celsius)', tol: EXACT },
  { q: 'ceil(temperature_celsius)', tol: EXACT },
  { q: 'floor(temperature_celsius)', tol: EXACT },
  { q: 'round(temperature_celsius, 0.5)', tol: EXACT },
  { q: 'clamp(temperature_celsius, 18, 22)', tol: EXACT },
  { q: 'clamp_min(temperature_celsius, 21)', tol: EXACT },
  { q: 'clamp_max(temperature_celsius, 21)', tol: EXACT },
  { q: 'sqrt(temperature_celsius)', tol: EXACT },
  { q: 'temperature_celsius % 7', tol: EXACT },
  { q: 'temperature_celsius ^ 2', tol: EXACT },
  { q: 'label_replace(temperature_celsius, "wing", "w$1", "room", "r(.*)")', tol: EXACT },
  { q: 'label_join(room_info, "both", "-", "room", "floor")', tol: EXACT },
  { q: 'absent(nonexistent_metric{job="x", env=~"p.*"})', tol: EXACT },
  { q: 'absent(temperature_celsius)', tol: EXACT },
  { q: 'vector(1)', tol: EXACT },
  { q: 'scalar(sum(temperature_celsius))', tol: EXACT },
  { q: 'time()', tol: EXACT },
  { q: '1 + 2 * 3', tol: EXACT },
  { q: '2 ^ 3 ^ 2', tol: EXACT },
  { q: '"a string"', tol: EXACT },
  { q: 'timestamp(vector(1))', tol: EXACT },
  { q: 'temperature_celsius / on(room) group_left(floor) room_info', tol: EXACT },
  { q: 'room_info * on(room) group_right(floor) temperature_celsius', tol: EXACT },
  { q: 'temperature_celsius + ignoring(floor) room_info', tol: EXACT },
  { q: 'temperature_celsius and on(room) room_info{floor="1"}', tol: EXACT },
  { q: 'temperature_celsius or untyped_metric', tol: EXACT },
  { q: 'temperature_celsius unless on(room) room_info{floor="1"}', tol: EXACT },
  { q: 'temperature_celsius offset 5s', tol: EXACT },
  { q: 'max_over_time(temperature_celsius[10s])', tol: EXACT },
  { q: 'avg_over_time(temperature_celsius[10s])', tol: EXACT },
  { q: 'last_over_time(temperature_celsius[10s])', tol: EXACT },
  { q: 'quantile_over_time(0.5, temperature_celsius[10s])', tol: EXACT },
  { q: 'stddev_over_time(temperature_celsius[10s])', tol: EXACT },
  { q: 'changes(temperature_celsius[10s])', tol: EXACT },
  { q: 'delta(temperature_celsius[10s])', tol: EXACT },
  { q: 'idelta(temperature_celsius[10s])', tol: EXACT },
  { q: 'resets(http_requests_total[10s])', tol: EXACT },
  { q: 'max_over_time(temperature_celsius[10s:2s])', tol: EXACT },
  { q: 'min_over_time(sum(temperature_celsius)[20s:])', tol: EXACT },
  { q: 'histogram_quantile(0.5, static_hist_bucket)', tol: EXACT },
  { q: 'histogram_quantile(0.99, sum by (le) (static_hist_bucket))', tol: EXACT },
  { q: 'histogram_quantile(0.1, static_hist_bucket)', tol: EXACT },
  { q: 'rpc_duration_seconds{quantile="0.99"}', tol: EXACT },
  { q: 'rpc_duration_seconds_sum / rpc_duration_seconds_count', tol: EXACT },
  { q: 'escaped_labels', tol: EXACT },
  { q: 'untyped_metric', tol: EXACT },
  { q: 'nan_gauge + 1', tol: EXACT },
  { q: 'inf_gauge * -1', tol: EXACT },
  { q: 'neg_inf_gauge', tol: EXACT },
  { q: 'conflict_metric', tol: EXACT },
  { q: 'honored_metric', tol: EXACT },
  { q: 'batch_gauge', tol: EXACT, at: 'before' },
  { q: 'batch_gauge', tol: EXACT },
  { q: 'absent(batch_gauge)', tol: EXACT },
  { q: 'last_over_time(batch_gauge[1m])', tol: EXACT },
  { q: 'max_over_time(up{job="batch"}[1m])', tol: EXACT },
  { q: 'min_over_time(up{job="batch"}[1m])', tol: EXACT },
  { q: 'flappy_gauge', tol: EXACT, at: 'before' },
  { q: 'flappy_gauge', tol: EXACT },
  { q: 'present_over_time(flappy_gauge[1m])', tol: EXACT },
  { q: 'sum(rate(http_requests_total{status=~"5.."}[10s])) by (service) / sum(rate(http_requests_total[10s])) by (service)', tol: EXACT },
  { q: 'rate(http_requests_total[10s])', tol: RATE },
  { q: 'sum by (status) (rate(http_requests_total[10s]))', tol: RATE },
  { q: 'irate(http_requests_total[10s])', tol: IRATE },
  { q: 'increase(http_requests_total[10s])', tol: RATE },
  { q: 'deriv(http_requests_total[10s])', tol: RATE },
  { q: 'rate(http_request_duration_seconds_sum[10s]) / rate(http_request_duration_seconds_count[10s])', tol: RATE },
  { q: 'histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[10s]))', tol: RATE },
  { q: 'max_over_time(rate(http_requests_total{status="200"}[5s])[10s:2s])', tol: RATE },
  { q: 'http_requests_total', tol: LABELS },
  { q: 'http_request_duration_seconds_bucket{le="+Inf"}', tol: LABELS },
  // Invalid queries: errors must agree (bad_data for parse/type errors, execution otherwise).
  { q: 'temperature_celsius{', tol: EXACT },
  { q: 'rate(temperature_celsius)', tol: EXACT },
  { q: 'sum(', tol: EXACT },
  { q: '1 > 2', tol: EXACT },
  { q: 'temperature_celsius[5m] + 1', tol: EXACT },
  { q: 'no_such_function(temperature_celsius)', tol: EXACT },
  { q: '{}', tol: EXACT },
  { q: '{room=""}', tol: EXACT },
  { q: 'topk(temperature_celsius, room_info)', tol: EXACT },
  { q: 'temperature_celsius and 1', tol: EXACT },
  { q: 'label_replace(temperature_celsius, "1bad", "x", "room", "(.*)")', tol: EXACT },
  { q: 'abs({__name__=~"temperature_celsius|temperature_copy"})', tol: EXACT },
  { q: 'temperature_celsius + on(job) room_info', tol: EXACT },
];

const RANGE_CASES: Case[] = [
  { q: 'temperature_celsius', tol: EXACT },
  { q: 'sum by (condition) (kube_pod_status_ready)', tol: EXACT },
  { q: SEED_QUERIES[1] as string, tol: EXACT },
  { q: SEED_QUERIES[2] as string, tol: EXACT },
  { q: 'rate(http_requests_total{service="backend"}[10s])', tol: RATE },
  { q: 'temperature_celsius[1m]', tol: EXACT },
];

const runIf = hasPrometheus() ? describe : describe.skip;

runIf('differential: embedded server vs Prometheus 2.42', () => {
  let prom: RunningPrometheus;
  let baton: RunningMetricsServer;
  const exporters: Exporter[] = [];
  let tBefore = 0;
  let tAfter = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    const app = await startExporter('app', t0);
    const batch = await startExporter('batch', t0);
    const honor = await startExporter('honor', t0);
    exporters.push(app, batch, honor);
    const config = `global:
  scrape_interval: 1s
  evaluation_interval: 5s
scrape_configs:
  - job_name: tbyte-microservices
    static_configs:
      - targets: ['${app.address}']
        labels: {env: test}
  - job_name: batch
    metrics_path: /custom-metrics
    scrape_timeout: 500ms
    static_configs:
      - targets: ['${batch.address}']
  - job_name: honor
    honor_labels: true
    static_configs:
      - targets: ['${honor.address}']
`;
    prom = await startPrometheus(config);
    // The very file Prometheus was started with.
    const cfg = await loadMetricsConfig(join(prom.dataDir, '..', 'prometheus.yml'));
    expect(cfg.warnings).toEqual([]);
    baton = await startMetricsServer({ config: cfg, port: 0 });
    // Wait on the data itself, not a fixed time: both servers must hold 16 scrapes of every
    // target (so 10 s windows from 3 s before `tBefore` are fully covered on both), then the batch
    // target goes down and flappy_gauge goes away, and both must have seen 4 failed scrapes.
    const scalarOn = async (base: string, query: string): Promise<number> => {
      const r = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as { data?: { result?: { value?: [number, string] }[] } };
      return Number(r.data?.result?.[0]?.value?.[1] ?? NaN);
    };
    const onBoth = async (query: string, atLeast: number): Promise<boolean> => (await Promise.all([prom.url, baton.url].map((b) => scalarOn(b, query)))).every((v) => v >= atLeast);
    await waitFor(() => onBoth('min(count_over_time(up[1m]))', 16), 60_000, '16 scrapes of every target on both servers');
    tBefore = Date.now() - 1500;
    app.dropFlappy();
    await batch.close();
    await waitFor(() => onBoth('sum(count_over_time(up{job="batch"}[1m]) - sum_over_time(up{job="batch"}[1m]))', 4), 30_000, '4 failed scrapes of the batch target on both servers');
    tAfter = Date.now() - 1500;
  }, 120_000);

  afterAll(async () => {
    await baton?.stop();
    await prom?.stop();
    for (const e of exporters) await e.close().catch(() => undefined);
  });

  async function ask(base: string, path: string, params: Record<string, string>): Promise<Parameters<typeof compareAnswers>[0]> {
    const res = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`);
    return (await res.json()) as Parameters<typeof compareAnswers>[0];
  }

  const sec = (ms: number): string => (ms / 1000).toFixed(3);

  it(`answers ${INSTANT_CASES.length} instant queries as Prometheus does`, async () => {
    expect(INSTANT_CASES.length + RANGE_CASES.length).toBeGreaterThanOrEqual(60);
    const failures: string[] = [];
    const empty: string[] = [];
    let errors = 0;
    for (const c of INSTANT_CASES) {
      const params = { query: c.q, time: sec(c.at === 'before' ? tBefore : tAfter) };
      const [a, b] = await Promise.all([ask(prom.url, '/api/v1/query', params), ask(baton.url, '/api/v1/query', params)]);
      const d = compareAnswers(a, b, c.tol);
      if (d.length > 0) failures.push(`${c.q.replace(/\s+/g, ' ')} @${c.at ?? 'after'}:\n  ${d.slice(0, 6).join('\n  ')}`);
      if (a.status === 'error') errors++;
      else if (Array.isArray(a.data?.result) && a.data.result.length === 0) empty.push(c.q);
    }
    expect(failures.join('\n')).toBe('');
    // Guard against a vacuous pass: the suite must exercise real results and real errors.
    expect(errors).toBe(13);
    expect(empty.sort()).toEqual(['absent(temperature_celsius)', 'batch_gauge', 'flappy_gauge']);
  });

  it(`answers ${RANGE_CASES.length} range queries as Prometheus does`, async () => {
    const failures: string[] = [];
    for (const c of RANGE_CASES) {
      // Over the steady period before the batch target goes down: a scrape delayed by that event
      // would change `rate` extrapolation on one server only.
      const params = { query: c.q, start: sec(tBefore - 3000), end: sec(tBefore), step: '1' };
      const [a, b] = await Promise.all([ask(prom.url, '/api/v1/query_range', params), ask(baton.url, '/api/v1/query_range', params)]);
      const d = compareAnswers(a, b, c.tol);
      if (d.length > 0) failures.push(`${c.q.replace(/\s+/g, ' ')}:\n  ${d.slice(0, 6).join('\n  ')}`);
    }
    expect(failures.join('\n')).toBe('');
  });

  it('rejects bad range parameters as Prometheus does', async () => {
    for (const params of [
      { query: 'up', start: sec(tAfter), end: sec(tAfter - 10_000), step: '1' },
      { query: 'up', start: sec(tAfter - 10_000), end: sec(tAfter), step: '0' },
      { query: 'up', start: 'yesterday', end: sec(tAfter), step: '1' },
    ]) {
      const [a, b] = await Promise.all([ask(prom.url, '/api/v1/query_range', params), ask(baton.url, '/api/v1/query_range', params)]);
      expect(compareAnswers(a, b, EXACT)).toEqual([]);
      expect(b.status).toBe('error');
    }
  });

  it('lists series, label names and values as Prometheus does', async () => {
    const same = async (path: string, params: Record<string, string>): Promise<void> => {
      const [a, b] = await Promise.all([ask(prom.url, path, params), ask(baton.url, path, params)]);
      const norm = (x: unknown): string => JSON.stringify(Array.isArray(x) ? x.map((e) => (typeof e === 'string' ? e : JSON.stringify(Object.entries(e as object).sort()))).sort() : x);
      expect({ path, status: b.status, data: norm(b.data) }).toEqual({ path, status: a.status, data: norm(a.data) });
    };
    await same('/api/v1/series', { 'match[]': 'temperature_celsius' });
    await same('/api/v1/series', { 'match[]': 'up' });
    await same('/api/v1/labels', { 'match[]': 'room_info' });
    await same('/api/v1/label/job/values', {});
    await same('/api/v1/label/room/values', {});
  });

  it('reports target health as Prometheus does', async () => {
    type T = { scrapeUrl: string; health: string; labels: Record<string, string> };
    const [a, b] = await Promise.all([ask(prom.url, '/api/v1/targets', {}), ask(baton.url, '/api/v1/targets', {})]);
    const pick = (x: unknown): Array<[string, string, Record<string, string>]> =>
      ((x as { activeTargets: T[] }).activeTargets ?? []).map((t) => [t.scrapeUrl, t.health, t.labels] as [string, string, Record<string, string>]).sort();
    expect(pick(b.data)).toEqual(pick(a.data));
    expect(pick(b.data).map((t) => t[1]).sort()).toEqual(['down', 'up', 'up']);
  });
});
