/**
 * Traffic mirroring (Istio `mirror`, Envoy `request_mirror_policies`): a fire-and-forget copy
 * of the request goes to the mirror cluster with `-shadow` appended to the Host, as Envoy does,
 * and its answer is read and discarded. It never delays or fails the client's request: it is
 * sent after the client's body was read, its errors are swallowed, and the number in flight
 * is bounded (beyond it copies are dropped and counted). Its answer is counted in the mirror
 * cluster's metrics and stats, as Envoy counts shadow requests on the shadow cluster and Istio's
 * sidecar on the mirror destination: analysis of a mirrored canary sees the canary's answers
 * (502 when it cannot be reached, 504 past the route timeout).
 */
import { performance } from 'node:perf_hooks';
import { request, type OutgoingHttpHeaders } from 'node:http';
import type { CompiledCluster } from '../config/compile.js';
import { pickEndpoint } from '../routing/balance.js';
import type { Endpoint, EndpointRegistry } from './endpoints.js';
import { methodIndex, type MetricsRegistry, type SeriesGroup } from '../metrics/registry.js';

/** Mirror copies in flight, checked against `limits.maxMirrorInFlight`. */
export interface MirrorState {
  inFlight: number;
}

interface MirrorContext {
  readonly endpoints: EndpointRegistry;
  readonly mirror: MirrorState;
  readonly metrics: MetricsRegistry;
}

/** Sends one mirror copy to an endpoint of `cluster`; never throws, never waits. */
export function sendMirror(
  ctx: MirrorContext,
  target: { cluster: CompiledCluster<Endpoint>; series: SeriesGroup },
  method: string,
  path: string,
  headers: OutgoingHttpHeaders,
  body: Buffer | undefined,
  timeoutMs: number,
): void {
  const cluster = target.cluster;
  const ep = pickEndpoint(cluster.balancer, cluster.endpoints, performance.now());
  if (!ep) return;
  const host = typeof headers.host === 'string' ? headers.host : '';
  const h: OutgoingHttpHeaders = { ...headers, host: `${host}-shadow` };
  if (body !== undefined) {
    delete h['transfer-encoding'];
    h['content-length'] = body.length;
  }
  ctx.mirror.inFlight++;
  ctx.endpoints.begin(ep);
  let done = false;
  let status = 502;
  const started = performance.now();
  const finish = (): void => {
    if (done) return;
    done = true;
    ctx.mirror.inFlight--;
    ctx.endpoints.end(ep);
    const ms = performance.now() - started;
    ctx.metrics.observe(target.series, status, methodIndex(method), ms / 1000);
    cluster.stats.record(Date.now(), status, ms);
  };
  const p = request({ host: ep.host, port: ep.port, method, path, headers: h, agent: ep.agent, timeout: timeoutMs > 0 ? timeoutMs : 15_000 });
  p.on('response', (res) => {
    status = res.statusCode ?? 502;
    res.once('end', finish);
    res.once('error', () => {
      status = 502;
      finish();
    });
    res.resume();
  });
  p.on('timeout', () => {
    status = 504;
    p.destroy();
  });
  p.on('error', () => undefined);
  p.once('close', finish);
  p.end(body);
}
