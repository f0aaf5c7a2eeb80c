/**
 * Traffic mirroring (Istio `mirror`, Envoy `request_mirror_policies`): a fire-and-forget copy
 * of the request goes to the mirror cluster with `-shadow` appended to the Host, as Envoy does,
 * and its answer is read and discarded. It never delays or fails the client's request: it is
 * sent after the client's body was read, its errors are swallowed, and the number in flight
 * is bounded (beyond it copies are dropped and counted).
 */
import { performance } from 'node:perf_hooks';
import { request, type OutgoingHttpHeaders } from 'node:http';
import type { CompiledCluster } from '../config/compile.js';
import { pickEndpoint } from '../routing/balance.js';
import type { Endpoint, EndpointRegistry } from './endpoints.js';

/** Mirror copies in flight, checked against `limits.maxMirrorInFlight`. */
export interface MirrorState {
  inFlight: number;
}

interface MirrorContext {
  readonly endpoints: EndpointRegistry;
  readonly mirror: MirrorState;
}

/** Sends one mirror copy to an endpoint of `cluster`; never throws, never waits. */
export function sendMirror(
  ctx: MirrorContext,
  cluster: CompiledCluster<Endpoint>,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders,
  body: Buffer | undefined,
  timeoutMs: number,
): void {
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
  const finish = (): void => {
    if (done) return;
    done = true;
    ctx.mirror.inFlight--;
    ctx.endpoints.end(ep);
  };
  const p = request({ host: ep.host, port: ep.port, method, path, headers: h, agent: ep.agent, timeout: timeoutMs > 0 ? timeoutMs : 15_000 });
  p.on('response', (res) => res.resume());
  p.on('timeout', () => p.destroy());
  p.on('error', () => undefined);
  p.once('close', finish);
  p.end(body);
}
