/**
 * `baton controller`: the engine as a Kubernetes controller. Informers keep the cluster's objects
 * (src/controller/caches.ts); every change maps to the Rollout it concerns (its own key, the
 * owner of a ReplicaSet or AnalysisRun, every Rollout of the namespace for a Service,
 * VirtualService, DestinationRule, template or Secret) and queues it; workers take keys off the
 * work queue (one key never on two workers) and sync that Rollout (src/controller/rollout-worker.ts);
 * a failed sync is retried with the queue's back-off; a Rollout is synced again when the engine
 * says something is due (a pause ending, a measurement) and after a measurement finishes.
 */
import type { KubeClient } from '../adapters/kubernetes/client.js';
import type { InformerEventType } from '../adapters/kubernetes/informer.js';
import { objectKey, type KubeObject } from '../adapters/kubernetes/resources.js';
import type { MetricProviderSpec } from '../core/spec/types.js';
import type { EngineEvent } from '../engine/events.js';
import type { Clock } from '../ports/clock.js';
import type { MetricsProvider } from '../ports/metrics-provider.js';
import { createClusterCaches, type ClusterCaches } from './caches.js';
import { RolloutWorker } from './rollout-worker.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerOptions {
  client: KubeClient;
  /** The engine clock (scaled under --time-scale). */
  clock: Clock & { toWall?(engineMs: number): number };
  providerFor(spec: MetricProviderSpec): MetricsProvider;
  namespace?: string;
  instanceId?: string;
  /** Concurrent syncs (default 10, Argo's `--rollout-threads`). */
  workers?: number;
  /** Every Rollout is synced at least this often (ms, default 60 s; Argo resyncs every 15 min). */
  resyncMs?: number;
  onEvent?(event: EngineEvent & { namespace: string }): void;
  /** Reports a sync that failed (it is retried) and informer failures. */
  onError?(what: string, e: unknown): void;
  /** Reports each sync: its key, how long it took (ms), and whether it failed. */
  onSync?(key: string, ms: number, failed: boolean): void;
}

/** See the file comment. */
export class BatonController {
  readonly caches: ClusterCaches;
  private readonly queue = new WorkQueue();
  private readonly workers = new Map<string, RolloutWorker>();
  private loops: Promise<void>[] = [];
  private resync: ReturnType<typeof setInterval> | undefined;
  private running = false;

  constructor(private readonly o: ControllerOptions) {
    this.caches = createClusterCaches(o.client, {
      ...(o.namespace ? { namespace: o.namespace } : {}),
      ...(o.instanceId ? { instanceId: o.instanceId } : {}),
      onError: (rt, e) => o.onError?.(`watch ${rt.plural}`, e),
    });
    this.route(this.caches.rollouts, (obj) => [objectKey(obj)]);
    this.route(this.caches.replicaSets, ownerKeys);
    this.route(this.caches.analysisRuns, ownerKeys);
    for (const inf of [this.caches.services, this.caches.virtualServices, this.caches.destinationRules, this.caches.analysisTemplates, this.caches.secrets]) {
      this.route(inf, (obj) => this.rolloutKeysIn(obj.metadata.namespace));
    }
    this.route(this.caches.clusterAnalysisTemplates, () => this.rolloutKeysIn(undefined));
  }

  /** Starts the informers and waits until each has listed once. */
  async sync(): Promise<void> {
    for (const inf of this.caches.all()) inf.start();
    await Promise.all(this.caches.all().map((i) => i.synced));
  }

  /** Starts reconciling (after {@link sync}); a leader calls this once it leads. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const obj of this.caches.rollouts.list()) this.queue.add(objectKey(obj));
    const n = this.o.workers ?? 10;
    for (let i = 0; i < n; i++) this.loops.push(this.workLoop());
    this.resync = setInterval(() => {
      for (const obj of this.caches.rollouts.list()) this.queue.add(objectKey(obj));
    }, this.o.resyncMs ?? 60_000);
    this.resync.unref?.();
  }

  /** Stops the workers (syncs in flight finish), the measurements in flight and the informers. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    if (this.resync) clearInterval(this.resync);
    await Promise.all(this.loops);
    for (const w of this.workers.values()) w.stop();
    await Promise.all(this.caches.all().map((i) => i.stop()));
  }

  /** The worker of a Rollout, once it has been synced. */
  worker(namespace: string, name: string): RolloutWorker | undefined {
    return this.workers.get(`${namespace}/${name}`);
  }

  get queueLength(): number {
    return this.queue.length;
  }

  private route(inf: ClusterCaches['rollouts'], keysOf: (obj: KubeObject) => string[]): void {
    inf.onChange((_type: InformerEventType, obj) => {
      for (const key of keysOf(obj)) this.queue.add(key);
    });
  }

  private rolloutKeysIn(namespace: string | undefined): string[] {
    return this.caches.rollouts.list(namespace).map(objectKey);
  }

  private async workLoop(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = performance.now();
      let failed = false;
      try {
        await this.process(key);
        this.queue.forget(key);
      } catch (e) {
        failed = true;
        this.o.onError?.(`sync rollout ${key}`, e);
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
        this.o.onSync?.(key, performance.now() - started, failed);
      }
    }
  }

  private async process(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    let worker = this.workers.get(key);
    if (!worker) {
      worker = new RolloutWorker(namespace, name, {
        client: this.o.client,
        caches: this.caches,
        clock: this.o.clock,
        providerFor: (spec) => this.o.providerFor(spec),
        onEvent: (e) => this.o.onEvent?.(e),
        wake: () => this.queue.add(key),
      });
      this.workers.set(key, worker);
    }
    const result = await worker.sync();
    if (result.idle && !this.caches.rollouts.get(namespace, name)) {
      this.workers.delete(key);
      return;
    }
    if (result.wakeAt !== undefined) {
      const wall = this.o.clock.toWall ? this.o.clock.toWall(result.wakeAt) : result.wakeAt;
      // A little after the instant, so the engine sees it as past (its clock and ours are one).
      this.queue.addAfter(key, Math.max(0, Math.ceil(wall - Date.now())) + 5);
    }
  }
}

/** The Rollout that controls an object (`ns/name`), if one does. */
function ownerKeys(obj: KubeObject): string[] {
  const ref = (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true && r.kind === 'Rollout');
  return ref && obj.metadata.namespace ? [`${obj.metadata.namespace}/${ref.name}`] : [];
}
