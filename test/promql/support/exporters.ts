/**
 * Test exporters for the differential test: HTTP servers on 127.0.0.1:0 that expose the text
 * format with values computed from the wall clock at request time, so any two scrapers see
 * the same functions of time. Counters rise linearly from `t0` at known rates (so `rate` is
 * known exactly and ratios of rates do not depend on when a server scraped), gauges and one
 * histogram are constant, and some series can be made to disappear.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running exporter. */
export interface Exporter {
  address: string;
  /** Stops exposing the `flappy_gauge` series (the target stays up). */
  dropFlappy(): void;
  close(): Promise<void>;
}

/** Requests per second by service, revision and status: the counters' known rates. */
export const REQUEST_RATES: Array<{ service: string; revision: string; status: string; rate: number }> = [
  { service: 'frontend', revision: 'stable', status: '200', rate: 20 },
  { service: 'frontend', revision: 'stable', status: '500', rate: 0.5 },
  { service: 'frontend', revision: 'canary', status: '200', rate: 5 },
  { service: 'frontend', revision: 'canary', status: '503', rate: 1.5 },
  { service: 'backend', revision: 'stable', status: '200', rate: 12 },
  { service: 'backend', revision: 'stable', status: '404', rate: 2 },
];

/** Cumulative fraction of requests under each bucket bound. */
export const DURATION_BUCKETS: Array<[string, number]> = [
  ['0.05', 0.2],
  ['0.1', 0.45],
  ['0.25', 0.7],
  ['0.5', 0.9],
  ['1', 0.97],
  ['2.5', 0.99],
  ['+Inf', 1],
];

function appBody(t0: number, flappy: boolean): string {
  const el = (Date.now() - t0) / 1000;
  const lines: string[] = [];
  lines.push('# HELP http_requests_total Requests served.', '# TYPE http_requests_total counter');
  for (const r of REQUEST_RATES) {
    lines.push(`http_requests_total{service="${r.service}",revision="${r.revision}",status="${r.status}",method="GET"} ${r.rate * el}`);
  }
  lines.push('# HELP http_request_duration_seconds Request latency.', '# TYPE http_request_duration_seconds histogram');
  for (const svc of ['frontend', 'backend']) {
    const total = svc === 'frontend' ? 27 : 14;
    const skew = svc === 'frontend' ? 1 : 0.8;
    for (const [le, frac] of DURATION_BUCKETS) {
      const f = le === '+Inf' ? 1 : Math.min(1, frac * skew + (1 - skew) * 0.5);
      lines.push(`http_request_duration_seconds_bucket{service="${svc}",le="${le}"} ${total * f * el}`);
    }
    lines.push(`http_request_duration_seconds_sum{service="${svc}"} ${total * 0.21 * el}`);
    lines.push(`http_request_duration_seconds_count{service="${svc}"} ${total * el}`);
  }
  lines.push('# TYPE kube_pod_status_ready gauge');
  for (const [pod, ready] of [['tbyte-microservices-frontend-a1', true], ['tbyte-microservices-frontend-b2', true], ['tbyte-microservices-frontend-c3', false], ['tbyte-microservices-backend-d4', true]] as const) {
    lines.push(`kube_pod_status_ready{namespace="tbyte",pod="${pod}",condition="true"} ${ready ? 1 : 0}`);
    lines.push(`kube_pod_status_ready{namespace="tbyte",pod="${pod}",condition="false"} ${ready ? 0 : 1}`);
  }
  lines.push('# HELP temperature_celsius Room temperature.', '# TYPE temperature_celsius gauge');
  const temps: Array<[string, number]> = [['r1', 19.5], ['r2', 21.25], ['r3', 23], ['r4', -4.75]];
  for (const [room, v] of temps) {
    lines.push(`temperature_celsius{room="${room}"} ${v}`);
    lines.push(`temperature_copy{room="${room}"} ${v}`);
  }
  lines.push('# TYPE room_info gauge');
  for (const [room, floor] of [['r1', '1'], ['r2', '1'], ['r3', '2'], ['r4', '3']]) lines.push(`room_info{room="${room}",floor="${floor}"} 1`);
  lines.push('# TYPE static_hist histogram');
  for (const [le, c] of [['0.1', 3], ['0.2', 3], ['0.5', 10], ['1', 12], ['+Inf', 15]] as const) lines.push(`static_hist_bucket{le="${le}"} ${c}`);
  lines.push('static_hist_sum 7.5', 'static_hist_count 15');
  lines.push('# TYPE rpc_duration_seconds summary');
  lines.push('rpc_duration_seconds{quantile="0.5"} 0.012', 'rpc_duration_seconds{quantile="0.99"} 0.25', 'rpc_duration_seconds_sum 48.5', 'rpc_duration_seconds_count 1200');
  lines.push('untyped_metric{kind="a"} 42', 'untyped_metric{kind="b"} 1e-7');
  lines.push('# HELP escaped_labels Label values with escapes: \\\\ and \\n.');
  lines.push('escaped_labels{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb"} 3');
  lines.push('nan_gauge NaN', 'inf_gauge +Inf', 'neg_inf_gauge -Inf');
  lines.push('conflict_metric{job="exposed-job",instance="exposed-instance"} 7');
  if (flappy) lines.push('flappy_gauge{state="on"} 1');
  return lines.join('\n') + '\n';
}

function batchBody(): string {
  return ['# TYPE batch_gauge gauge', 'batch_gauge{step="load"} 17', 'batch_gauge{step="transform"} 4.5', '# TYPE batch_last_success gauge', 'batch_last_success 1700000000'].join('\n') + '\n';
}

function honorBody(): string {
  return ['honored_metric{job="from-target",zone="eu"} 5', 'honored_metric{zone="us"} 6'].join('\n') + '\n';
}

/** Starts an exporter: `kind` chooses the body; `/metrics` and `/custom-metrics` both answer. */
export async function startExporter(kind: 'app' | 'batch' | 'honor', t0: number): Promise<Exporter> {
  let flappy = true;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics' && req.url !== '/custom-metrics') {
      res.writeHead(404).end();
      return;
    }
    const body = kind === 'app' ? appBody(t0, flappy) : kind === 'batch' ? batchBody() : honorBody();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    dropFlappy: () => {
      flappy = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
