/**
 * Wires `baton controller` together: the connection (kubeconfig or in-cluster), the API client,
 * the engine clock (scaled under `--time-scale`), the metric providers, the controller, its
 * metrics server, and leader election. Runs until SIGTERM/SIGINT (or until it loses the lead),
 * then stops the workers and gives the Lease up.
 */
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import { KubeClient } from '../adapters/kubernetes/client.js';
import { loadKubeConnection } from '../adapters/kubernetes/kubeconfig.js';
import { createScaledClock } from '../adapters/clock/scaled.js';
import { createSystemClock } from '../adapters/clock/system.js';
import { createMetricsProviders } from '../adapters/metrics/index.js';
import type { MetricProviderSpec } from '../core/spec/types.js';
import { describeEvent } from '../engine/events.js';
import type { MetricsProvider } from '../ports/metrics-provider.js';
import { BatonController } from './controller.js';
import { LeaderElector } from './leader-election.js';
import { ReconcileStats, startMetricsServer } from './metrics-server.js';

export interface RunControllerOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  instanceId?: string;
  leaderElect?: boolean;
  /** Lease namespace (default: the connection's namespace). */
  leaderElectionNamespace?: string;
  /** Lease duration in ms (client-go's 15 s by default); renew deadline and retry period follow it. */
  leaseDurationMs?: number;
  metrics?: string;
  timeScale: number;
  /** Query this Prometheus for every `prometheus` metric, whatever address the template names. */
  prometheusUrl?: string;
  workers?: number;
  out: Writable;
  /** Resolves to stop the controller (tests); SIGTERM and SIGINT always do. */
  until?: Promise<void>;
}

/**
 * Engine time under `--time-scale S`: `anchor + (wall - anchor) / S`, with one fixed anchor so a
 * restarted controller reads the same engine time the previous one did (saved pause and
 * measurement times stay valid). At S = 1 it is the wall clock.
 */
const TIME_SCALE_ANCHOR = Date.UTC(2026, 0, 1);

const VERSION = '0.1.0';

/** Runs the controller; resolves with the exit code. */
export async function runController(o: RunControllerOptions): Promise<number> {
  const log = (line: string): void => {
    o.out.write(`${new Date().toISOString()} ${line}\n`);
  };
  const connection = loadKubeConnection({ ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.context ? { context: o.context } : {}) });
  const client = new KubeClient(connection, { userAgent: `baton-controller/${VERSION}` });
  const wall = createSystemClock();
  const clock = o.timeScale === 1 ? { ...wall, toWall: (e: number) => e } : createScaledClock({ wall: TIME_SCALE_ANCHOR, engine: TIME_SCALE_ANCHOR, scale: o.timeScale }, wall);
  const plain = createMetricsProviders();
  // With --prometheus, every address a template names is queried there instead (one factory per address).
  const redirected = new Map<string, ReturnType<typeof createMetricsProviders>>();
  const providerFor = (spec: MetricProviderSpec): MetricsProvider => {
    if (!o.prometheusUrl || spec.type !== 'prometheus') return plain(spec);
    let f = redirected.get(spec.address);
    if (!f) redirected.set(spec.address, (f = createMetricsProviders({ addressMap: { [spec.address]: o.prometheusUrl } })));
    return f(spec);
  };
  const stats = new ReconcileStats();
  const controller = new BatonController({
    client,
    clock,
    providerFor,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.instanceId ? { instanceId: o.instanceId } : {}),
    ...(o.workers ? { workers: o.workers } : {}),
    onEvent: ({ namespace, ...e }) => log(`${namespace}/${e.rollout} ${e.type}: ${describeEvent(e)}`),
    onError: (what, e) => log(`error: ${what}: ${e instanceof Error ? e.message : String(e)}`),
    onSync: (key, ms, failed) => stats.observe(key, ms, failed),
  });
  let synced = false;
  let elector: LeaderElector | undefined;
  const metrics = o.metrics
    ? await startMetricsServer(o.metrics, { controller, client, stats, version: VERSION, ready: () => synced, leader: () => (elector ? elector.isLeader : true) })
    : undefined;
  log(`baton controller ${VERSION}: API ${connection.server} (${connection.source})${o.namespace ? `, namespace ${o.namespace}` : ', all namespaces'}${o.instanceId ? `, instance-id ${o.instanceId}` : ''}${o.timeScale !== 1 ? `, time scale ${o.timeScale}` : ''}${metrics ? `, metrics http://${metrics.address}/metrics` : ''}`);

  let resolveStop!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStop = r));
  const onSignal = (): void => resolveStop(0);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  void o.until?.then(() => resolveStop(0));

  await controller.sync();
  synced = true;
  log(`caches synced: ${controller.caches.rollouts.list().length} rollout(s)`);
  if (o.leaderElect) {
    const identity = `${hostname()}_${process.pid}`;
    const lease = o.leaseDurationMs ?? 15_000;
    elector = new LeaderElector({
      client,
      namespace: o.leaderElectionNamespace ?? connection.namespace,
      name: 'baton-controller-lock',
      identity,
      leaseDurationMs: lease,
      renewDeadlineMs: Math.round((lease * 2) / 3),
      retryPeriodMs: Math.max(200, Math.round(lease / 7.5)),
      onStartedLeading: () => {
        log(`leading as ${identity}`);
        controller.start();
      },
      onStoppedLeading: () => {
        log('lost the lead: stopping');
        resolveStop(1);
      },
      onError: (e) => log(`error: leader election: ${e instanceof Error ? e.message : String(e)}`),
    });
    log(`waiting for the lead (Lease ${o.leaderElectionNamespace ?? connection.namespace}/baton-controller-lock) as ${identity}`);
    elector.start();
  } else {
    controller.start();
  }
  const code = await stopped;
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('SIGINT', onSignal);
  await controller.stop();
  await elector?.stop();
  await new Promise<void>((r) => (metrics ? metrics.server.close(() => r()) : r()));
  await client.close();
  log('stopped');
  return code;
}
