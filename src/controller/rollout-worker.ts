/**
 * One Rollout on the cluster, driven by the same engine as `baton up`: its objects are read by
 * the spec loader (an invalid one gets Argo's InvalidSpec condition and is not reconciled), the
 * RolloutController reconciles through the Kubernetes adapters (ReplicaSets, Services and Istio,
 * Rollout status and AnalysisRuns), and what it saved is written before `sync` returns. Actions
 * people take with Argo's kubectl plugin (or `baton promote` with `--kubeconfig`) arrive as
 * changes to the Rollout (src/controller/actions-from-object.ts) and are decided by the core like
 * any action.
 */
import { podTemplateHash } from '../core/rollout/index.js';
import type { ManifestSet, MetricProviderSpec, Rollout } from '../core/spec/types.js';
import type { Clock } from '../ports/clock.js';
import type { MetricsProvider } from '../ports/metrics-provider.js';
import type { KubeClient } from '../adapters/kubernetes/client.js';
import { ObjectReader, invalidSpecMessage, rolloutReferences, secretRefs } from '../adapters/kubernetes/manifests.js';
import { createReplicaSetWorkloads } from '../adapters/kubernetes/replica-sets.js';
import { RESOURCES, type KubeObject } from '../adapters/kubernetes/resources.js';
import { invalidSpecStatus, mergePatch, type ArgoRolloutStatus } from '../adapters/kubernetes/rollout-status.js';
import { createKubeStateStore, type KubeStateStore } from '../adapters/kubernetes/state-store.js';
import { createKubeTrafficRouter } from '../adapters/kubernetes/traffic-router.js';
import type { EngineEvent } from '../engine/events.js';
import { RolloutController } from '../engine/rollout-controller.js';
import { actionsFromObject } from './actions-from-object.js';
import type { ClusterCaches } from './caches.js';

export interface RolloutWorkerDeps {
  client: KubeClient;
  caches: ClusterCaches;
  clock: Clock & { toWall?(engineMs: number): number };
  providerFor(spec: MetricProviderSpec): MetricsProvider;
  onEvent(event: EngineEvent & { namespace: string }): void;
  /** A measurement finished or a preparation settled: sync this rollout again soon. */
  wake(): void;
}

export interface SyncResult {
  /** Engine time at which something is due next. */
  wakeAt?: number;
  /** The Rollout is gone or invalid: nothing is due. */
  idle?: boolean;
}

/** See the file comment. */
export class RolloutWorker {
  private controller: RolloutController | undefined;
  private store: KubeStateStore | undefined;
  private readonly reader = new ObjectReader();
  private rollout: Rollout | undefined;
  private set: ManifestSet | undefined;
  /** The current template as the Rollout's object wrote it, by its hash. */
  private current: { hash: string; raw: Record<string, unknown> } | undefined;
  private invalid: string | undefined;

  constructor(
    readonly namespace: string,
    readonly name: string,
    private readonly deps: RolloutWorkerDeps,
  ) {}

  get engine(): RolloutController | undefined {
    return this.controller;
  }

  /** Reads the Rollout, reconciles it until this instant settles, and writes the result. */
  async sync(): Promise<SyncResult> {
    const c = this.deps.caches;
    const obj = c.rollouts.get(this.namespace, this.name);
    if (!obj || obj.metadata.deletionTimestamp) {
      this.stop();
      return { idle: true };
    }
    const { set, errors } = this.reader.read(this.objectsOf(obj));
    const rollout = set.rollouts[0];
    if (errors.length || !rollout) {
      await this.writeInvalid(obj, invalidSpecMessage(errors) || 'the Rollout could not be read');
      return { idle: true };
    }
    this.invalid = undefined;
    this.rollout = rollout;
    this.set = set;
    const raw = (obj.spec as { template?: Record<string, unknown> } | undefined)?.template;
    this.current = rollout.spec.template && raw ? { hash: podTemplateHash(rollout.spec.template), raw } : undefined;
    const engine = this.controller ?? this.createEngine(rollout, set);
    engine.updateSpec(rollout, set);
    const stepCount = rollout.spec.strategy.type === 'canary' ? rollout.spec.strategy.steps.length : 0;
    for (const action of actionsFromObject(obj, engine.rolloutState, this.store?.writtenStatus, stepCount)) await engine.act(action);
    this.store?.seen(obj.status as ArgoRolloutStatus | undefined);
    await engine.tick();
    await this.store?.flush();
    const wakeAt = engine.wakeAt();
    return wakeAt !== undefined ? { wakeAt } : {};
  }

  /** Stops the measurements in flight (the Rollout is gone, or this controller stops leading). */
  stop(): void {
    this.controller?.stop();
    this.controller = undefined;
    this.store = undefined;
  }

  private createEngine(rollout: Rollout, set: ManifestSet): RolloutController {
    const { client, caches } = this.deps;
    const ns = this.namespace;
    const owner = (name: string): KubeObject | undefined => caches.rollouts.get(ns, name);
    const workloads = createReplicaSetWorkloads({
      client,
      namespace: ns,
      replicaSets: caches.replicaSets,
      owner,
      rawTemplate: (_owner, hash) => (this.current?.hash === hash ? this.current.raw : undefined),
    });
    const store = createKubeStateStore({
      client,
      namespace: ns,
      name: this.name,
      rollouts: caches.rollouts,
      analysisRuns: caches.analysisRuns,
      spec: () => this.rollout ?? rollout,
      observed: () => workloads.observe(this.name),
      templateMetrics: (template) => {
        const t = caches.analysisTemplates.get(ns, template) ?? caches.clusterAnalysisTemplates.get(undefined, template);
        const metrics = (t?.spec as { metrics?: unknown[] } | undefined)?.metrics;
        return Array.isArray(metrics) ? metrics : undefined;
      },
      now: () => this.deps.clock.now(),
      ...(this.deps.clock.toWall ? { toWall: (ms: number) => this.deps.clock.toWall?.(ms) ?? ms } : {}),
    });
    const controller = new RolloutController(rollout, set, {
      clock: this.deps.clock,
      workloads,
      traffic: createKubeTrafficRouter({ client, namespace: ns, virtualServices: caches.virtualServices, destinationRules: caches.destinationRules, services: caches.services }),
      providerFor: (spec) => this.deps.providerFor(spec),
      store,
      onEvent: (e) => this.deps.onEvent({ ...e, namespace: ns }),
    });
    controller.onWake = () => this.deps.wake();
    this.controller = controller;
    this.store = store;
    return controller;
  }

  /** The Rollout and every object it names that exists (a missing one is the loader's error to report). */
  private objectsOf(obj: KubeObject): KubeObject[] {
    const c = this.deps.caches;
    const ns = this.namespace;
    const refs = rolloutReferences(obj);
    const out: KubeObject[] = [obj];
    const push = (o: KubeObject | undefined): void => {
      if (o && !out.includes(o)) out.push(o);
    };
    const templates: KubeObject[] = [];
    for (const t of refs.templates) {
      const found = t.clusterScope ? c.clusterAnalysisTemplates.get(undefined, t.name) : c.analysisTemplates.get(ns, t.name);
      if (found && !templates.includes(found)) templates.push(found);
    }
    templates.forEach(push);
    for (const s of refs.services) push(c.services.get(ns, s));
    for (const vs of refs.virtualServices) push(c.virtualServices.get(vs.namespace ?? ns, vs.name));
    for (const dr of refs.destinationRules) push(c.destinationRules.get(ns, dr));
    for (const t of templates) for (const s of secretRefs(t)) push(c.secrets.get(ns, s));
    return out;
  }

  private async writeInvalid(obj: KubeObject, message: string): Promise<void> {
    this.stop();
    if (this.invalid === message) return;
    const previous = obj.status as ArgoRolloutStatus | undefined;
    const next = invalidSpecStatus(message, obj.metadata.generation, previous, this.deps.clock.now());
    const patch = mergePatch(previous ?? {}, { ...(previous ?? {}), ...next });
    if (patch !== undefined) {
      this.deps.caches.rollouts.remember(await this.deps.client.patch(RESOURCES.rollouts, this.namespace, this.name, { status: patch }, 'merge', 'status'));
    }
    this.invalid = message;
    this.deps.onEvent({ at: this.deps.clock.now(), rollout: this.name, namespace: this.namespace, type: 'InvalidSpec', message });
  }
}
