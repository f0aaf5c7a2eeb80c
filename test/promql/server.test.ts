/**
 * The embedded server over real sockets: exporters on 127.0.0.1:0, scrapes driven by a fake
 * clock (each test calls `tick()` at a chosen time), and the HTTP API checked for
 * Prometheus' JSON shapes, status codes and error types.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMetricsConfig } from '../../src/metrics-server/config.js';
import type { ScrapeClock } from '../../src/metrics-server/scraper.js';
import { startMetricsServer, type RunningMetricsServer } from '../../src/metrics-server/server.js';

class FakeClock implements ScrapeClock {
  timers: Array<{ fn: () => void; at: number }> = [];
  constructor(
    public t: number,
    public autoAdvanceMs = 0,
  ) {}
  now(): number {
    const t = this.t;
    this.t += this.autoAdvanceMs;
    return t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { fn, at: this.t + ms };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x !== h);
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function exporter(handler: (path: string) => { status: number; body: string; delayMs?: number }): Promise<string> {
  const server: Server = createServer((req, res) => {
    const r = handler(req.url ?? '/');
    const send = (): void => void res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.body);
    if (r.delayMs) setTimeout(send, r.delayMs).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function start(yaml: string, clock: FakeClock, prefix?: string): Promise<RunningMetricsServer> {
  const s = await startMetricsServer({ config: parseMetricsConfig(yaml), port: 0, clock, prefix });
  cleanups.push(() => s.stop());
  return s;
}

type Point = [number, string];
interface SeriesJson {
  metric: Record<string, string>;
  value: Point;
  values: Point[];
}
/** The union of the API's answers, as far as these tests read them. */
interface ApiJson {
  status: string;
  errorType?: string;
  error?: string;
  data: { resultType: string; result: SeriesJson[]; activeTargets: Array<Record<string, unknown>> } & string[] & Array<Record<string, string>>;
}

async function get(url: string): Promise<{ status: number; json: ApiJson }> {
  const res = await fetch(url);
  return { status: res.status, json: (await res.json()) as ApiJson };
}

describe('embedded metrics server', () => {
  it('answers query, query_range, series, labels and values in Prometheus shapes', async () => {
    let n = 0;
    const addr = await exporter(() => ({ status: 200, body: `# TYPE reqs counter\nreqs{code="200"} ${100 * ++n}\nreqs{code="500"} ${10 * n}\n` }));
    const clock = new FakeClock(1_700_000_000_000);
    const s = await start(`scrape_configs: [{ job_name: app, scrape_interval: 10s, static_configs: [{ targets: ['${addr}'] }] }]`, clock, '/prometheus');
    const loop = s.loops[0]!;
    for (let i = 0; i < 7; i++) {
      await loop.tick();
      clock.t += 10_000;
    }
    const at = (1_700_000_060_000 / 1000).toString();
    const q = await get(`${s.url}/api/v1/query?query=${encodeURIComponent('sum by (code) (rate(reqs[1m]))')}&time=${at}`);
    expect(q.status).toBe(200);
    expect(q.json.status).toBe('success');
    expect(q.json.data.resultType).toBe('vector');
    const byCode: Record<string, Point> = Object.fromEntries(q.json.data.result.map((r): [string, Point] => [r.metric.code ?? '', r.value]));
    // 100 per 10 s scrape is 10/s; values are strings, timestamps seconds.
    expect(byCode).toEqual({ '200': [1_700_000_060, '10'], '500': [1_700_000_060, '1'] });

    const scalar = await get(`${s.url}/api/v1/query?query=1%2B1&time=${at}`);
    expect(scalar.json.data).toEqual({ resultType: 'scalar', result: [1_700_000_060, '2'] });

    const matrix = await get(`${s.url}/api/v1/query?query=${encodeURIComponent('reqs{code="500"}[25s]')}&time=${at}`);
    expect(matrix.json.data.resultType).toBe('matrix');
    expect(matrix.json.data.result[0]?.values).toEqual([
      [1_700_000_040, '50'],
      [1_700_000_050, '60'],
      [1_700_000_060, '70'],
    ]);

    const range = await get(`${s.url}/api/v1/query_range?query=reqs&start=${1_700_000_000}&end=${1_700_000_020}&step=10s`);
    expect(range.json.data.resultType).toBe('matrix');
    expect(range.json.data.result.find((r) => r.metric.code === '200')?.values).toEqual([
      [1_700_000_000, '100'],
      [1_700_000_010, '200'],
      [1_700_000_020, '300'],
    ]);

    const post = await fetch(`${s.url}/api/v1/query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=count(reqs)&time=${at}` });
    expect(((await post.json()) as ApiJson).data.result[0]?.value[1]).toBe('2');

    const series = await get(`${s.url}/api/v1/series?match[]=reqs`);
    expect(series.json.data).toHaveLength(2);
    expect(series.json.data[0]).toEqual({ __name__: 'reqs', code: '200', instance: addr, job: 'app' });
    // start/end keep series with a sample in [start, end]; samples sit at :00, :10 ... :60.
    const inWindow = (start: number, end: number) => get(`${s.url}/api/v1/series?match[]=reqs&start=${start}&end=${end}`);
    expect((await inWindow(1_700_000_005, 1_700_000_010)).json.data).toHaveLength(2);
    expect((await inWindow(1_700_000_001, 1_700_000_009)).json.data).toEqual([]);
    expect((await inWindow(1_700_000_061, 1_700_000_100)).json.data).toEqual([]);
    expect((await inWindow(1_699_999_000, 1_699_999_999)).json.data).toEqual([]);
    expect((await get(`${s.url}/api/v1/labels`)).json.data).toEqual(['__name__', 'code', 'instance', 'job']);
    expect((await get(`${s.url}/api/v1/label/code/values`)).json.data).toEqual(['200', '500']);
    expect((await get(`${s.url}/api/v1/label/__name__/values`)).json.data).toContain('scrape_duration_seconds');

    const targets = (await get(`${s.url}/api/v1/targets`)).json.data.activeTargets;
    expect(targets[0]).toMatchObject({ health: 'up', scrapePool: 'app', scrapeUrl: `http://${addr}/metrics`, labels: { job: 'app', instance: addr }, lastError: '' });

    expect((await fetch(`${s.url}/-/ready`)).status).toBe(200);
    expect((await fetch(`${s.url.replace('/prometheus', '')}/api/v1/query?query=1`)).status).toBe(404);
    expect(await (await fetch(`${s.url}/metrics`)).text()).toMatch(/^baton_tsdb_head_series \d+$/m);
  });

  it('maps errors to Prometheus status codes and error types', async () => {
    const addr = await exporter(() => ({ status: 200, body: 'a{x="1"} 1\nb{x="1"} 2\n' }));
    const clock = new FakeClock(1_700_000_000_000);
    const s = await start(`scrape_configs: [{ job_name: app, static_configs: [{ targets: ['${addr}'] }] }]`, clock);
    await s.loops[0]!.tick();
    const q = (query: string, extra = '') => get(`${s.url}/api/v1/query?query=${encodeURIComponent(query)}&time=1700000000${extra}`);
    const parse = await q('rate(a)');
    expect(parse.status).toBe(400);
    expect(parse.json).toEqual({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:1: parse error: expected type range vector in call to function "rate", got instant vector' });
    const exec = await q('abs({__name__=~"a|b"})');
    expect([exec.status, exec.json.errorType, exec.json.error]).toEqual([422, 'execution', 'vector cannot contain metrics with the same labelset']);
    const badTime = await get(`${s.url}/api/v1/query?query=a&time=tomorrow`);
    expect([badTime.status, badTime.json.errorType]).toEqual([400, 'bad_data']);
    const badStep = await get(`${s.url}/api/v1/query_range?query=a&start=1&end=2&step=0`);
    expect(badStep.json.error).toBe('zero or negative query resolution step widths are not accepted. Try a positive integer');
    const tooMany = await get(`${s.url}/api/v1/query_range?query=a&start=0&end=100000&step=1`);
    expect(tooMany.json.error).toContain('exceeded maximum resolution of 11,000 points');
    const rangeType = await get(`${s.url}/api/v1/query_range?query=a[1m]&start=1&end=2&step=1`);
    expect(rangeType.json.error).toBe('invalid expression type "range vector" for range query, must be Scalar or instant Vector');
    const noMatch = await get(`${s.url}/api/v1/series`);
    expect([noMatch.status, noMatch.json.error]).toEqual([400, 'no match[] parameter provided']);
    expect((await get(`${s.url}/api/v1/label/1bad/values`)).status).toBe(400);
    const badEscape = await get(`${s.url}/api/v1/label/%ZZ/values`);
    expect([badEscape.status, badEscape.json.error]).toEqual([400, 'invalid label name: "%ZZ" (malformed percent-encoding)']);
    const badMatch = await get(`${s.url}/api/v1/series?match[]=${encodeURIComponent('{')}`);
    expect([badMatch.status, badMatch.json.error]).toEqual([400, 'invalid parameter "match[]": 1:2: parse error: unexpected end of input']);
    const hugeTime = await get(`${s.url}/api/v1/query?query=a&time=1e400`);
    expect([hugeTime.status, hugeTime.json.error]).toEqual([400, 'invalid parameter "time": cannot parse "1e400" to a valid timestamp']);
  });

  it('times a query out with errorType timeout (503)', async () => {
    const addr = await exporter(() => ({ status: 200, body: 'a 1\n' }));
    // Every clock read advances 1 s, so a 0.5 s timeout expires at the first check.
    const clock = new FakeClock(1_700_000_000_000);
    const s = await start(`scrape_configs: [{ job_name: app, static_configs: [{ targets: ['${addr}'] }] }]`, clock);
    await s.loops[0]!.tick();
    clock.autoAdvanceMs = 1000;
    const r = await get(`${s.url}/api/v1/query?query=${encodeURIComponent('max_over_time(a[1h:1s])')}&time=1700000000&timeout=500ms`);
    expect([r.status, r.json.errorType]).toEqual([503, 'timeout']);
  });

  it('reports a failed or slow target as down with up 0 and Prometheus-like errors', async () => {
    const slow = await exporter(() => ({ status: 200, body: 'x 1\n', delayMs: 2000 }));
    const broken = await exporter(() => ({ status: 500, body: 'oops' }));
    const clock = new FakeClock(1_700_000_000_000);
    const s = await start(
      `scrape_configs:
  - job_name: slow
    scrape_interval: 1s
    scrape_timeout: 200ms
    static_configs: [{ targets: ['${slow}'] }]
  - job_name: broken
    metrics_path: /custom
    static_configs: [{ targets: ['${broken}'] }]
  - job_name: gone
    static_configs: [{ targets: ['127.0.0.1:1'] }]
`,
      clock,
    );
    await Promise.all(s.loops.map((l) => l.tick()));
    const st = s.loops.map((l) => [l.status.health, l.status.lastError]);
    expect(st[0]).toEqual(['down', `Get "http://${slow}/metrics": context deadline exceeded`]);
    expect(st[1]).toEqual(['down', 'server returned HTTP status 500 Internal Server Error']);
    expect(st[2]?.[0]).toBe('down');
    const up = await get(`${s.url}/api/v1/query?query=up&time=1700000000`);
    expect(up.json.data.result.map((r) => [r.metric.job, r.value[1]]).sort()).toEqual([
      ['broken', '0'],
      ['gone', '0'],
      ['slow', '0'],
    ]);
  });
});
