/**
 * The controller's own `/metrics` (Prometheus text format 0.0.4) and `/healthz`, at `--metrics`.
 * Metric names are Argo Rollouts' where Argo has one (`controller/metrics/*.go`): `controller_info`,
 * `rollout_info`, `rollout_info_replicas_desired`, `rollout_info_replicas_available`,
 * `rollout_reconcile` (histogram, seconds), `rollout_reconcile_error`, `analysis_run_info`,
 * `k8s_request_total`; plus Baton's `baton_controller_leader` and `baton_workqueue_depth`.
 * `/healthz` answers 200 once the caches have listed, 503 before.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeClient } from '../adapters/kubernetes/client.js';
import type { KubeObject } from '../adapters/kubernetes/resources.js';
import type { BatonController } from './controller.js';

const BUCKETS = [0.01, 0.15, 0.3, 0.6, 1];

/** Reconcile durations and errors by rollout key, for `rollout_reconcile`. */
export class ReconcileStats {
  readonly byKey = new Map<string, { buckets: number[]; sum: number; count: number; errors: number }>();

  observe(key: string, ms: number, failed: boolean): void {
    let s = this.byKey.get(key);
    if (!s) this.byKey.set(key, (s = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0, errors: 0 }));
    const seconds = ms / 1000;
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) (s.buckets[i] as number) += 1;
    });
    s.sum += seconds;
    s.count += 1;
    if (failed) s.errors += 1;
  }
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export interface MetricsSource {
  controller: BatonController;
  client: KubeClient;
  stats: ReconcileStats;
  version: string;
  ready: () => boolean;
  leader: () => boolean;
}

/** The exposition text (see the file comment). */
export function renderMetrics(src: MetricsSource): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, rows: [Record<string, string>, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of rows) out.push(`${name}${labels(l)} ${v}`);
  };
  family('controller_info', 'gauge', 'Information about the controller.', [[{ version: src.version }, 1]]);
  family('baton_controller_leader', 'gauge', '1 while this controller leads (or runs without leader election).', [[{}, src.leader() ? 1 : 0]]);
  family('baton_workqueue_depth', 'gauge', 'Rollout keys waiting in the work queue.', [[{}, src.controller.queueLength]]);
  const rollouts = src.controller.caches.rollouts.list();
  const id = (o: KubeObject): Record<string, string> => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name });
  const status = (o: KubeObject): { phase?: string; availableReplicas?: number } => (o.status ?? {});
  const strategyOf = (o: KubeObject): { strategy: string; traffic_router: string } => {
    const st = ((o.spec as { strategy?: { canary?: { trafficRouting?: Record<string, unknown> }; blueGreen?: unknown } } | undefined)?.strategy ?? {});
    if (st.blueGreen) return { strategy: 'blueGreen', traffic_router: '' };
    return { strategy: 'canary', traffic_router: Object.keys(st.canary?.trafficRouting ?? {}).filter((k) => k !== 'managedRoutes' && k !== 'maxTrafficWeight').join(',') };
  };
  family('rollout_info', 'gauge', 'Information about rollout.', rollouts.map((o) => [{ ...id(o), phase: status(o).phase ?? '', ...strategyOf(o) }, 1]));
  family('rollout_info_replicas_desired', 'gauge', 'The number of desired replicas for a rollout.', rollouts.map((o) => [id(o), (o.spec as { replicas?: number } | undefined)?.replicas ?? 1]));
  family('rollout_info_replicas_available', 'gauge', 'The number of available replicas per rollout.', rollouts.map((o) => [id(o), status(o).availableReplicas ?? 0]));
  out.push('# HELP rollout_reconcile Rollout reconciliation performance.', '# TYPE rollout_reconcile histogram');
  for (const [key, s] of src.stats.byKey) {
    const [namespace = '', name = ''] = key.split('/');
    BUCKETS.forEach((b, i) => out.push(`rollout_reconcile_bucket${labels({ namespace, name, le: String(b) })} ${s.buckets[i] ?? 0}`));
    out.push(`rollout_reconcile_bucket${labels({ namespace, name, le: '+Inf' })} ${s.count}`);
    out.push(`rollout_reconcile_sum${labels({ namespace, name })} ${s.sum}`, `rollout_reconcile_count${labels({ namespace, name })} ${s.count}`);
  }
  family('rollout_reconcile_error', 'counter', 'Error occurring during the rollout.', [...src.stats.byKey].map(([key, s]) => {
    const [namespace = '', name = ''] = key.split('/');
    return [{ namespace, name }, s.errors];
  }));
  family('analysis_run_info', 'gauge', 'Information about analysis run.', src.controller.caches.analysisRuns.list().map((o) => [{ ...id(o), phase: (o.status as { phase?: string } | undefined)?.phase ?? '' }, 1]));
  family('k8s_request_total', 'counter', 'Number of kubernetes requests executed during reconciliation, by verb and resource.', [...src.client.requestCounts].map(([k, v]) => {
    const [verb = '', resource = ''] = k.split(' ');
    return [{ verb, resource }, v];
  }));
  return `${out.join('\n')}\n`;
}

/** Serves /metrics and /healthz on `listen` (`host:port`); resolves with the bound address. */
export async function startMetricsServer(listen: string, src: MetricsSource): Promise<{ server: Server; address: string }> {
  const colon = listen.lastIndexOf(':');
  const host = colon > 0 ? listen.slice(0, colon) : '127.0.0.1';
  const port = Number(listen.slice(colon + 1));
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(renderMetrics(src));
    } else if (path === '/healthz') {
      const ok = src.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ok ? 'ok\n' : 'caches not synced\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return { server, address: `${a.address}:${a.port}` };
}
