/**
 * The engine loop for one apps/v1 Deployment: observe -> reconcileDeployment (the pure core's
 * Kubernetes rolling update) -> scale revisions through the Workloads port -> persist. A
 * Deployment has no steps and no analysis; its state is saved in the store's meta table.
 */
import { initialDeploymentState, reconcileDeployment, type DeploymentState, type DeploymentStatus } from '../core/deployment/rolling-update.js';
import type { RevisionInfo } from '../core/rollout/index.js';
import type { Deployment } from '../core/spec/types.js';
import type { Clock } from '../ports/clock.js';
import type { RuntimeStateStore } from '../ports/state-store.js';
import type { Workloads } from '../ports/workloads.js';
import type { EngineEvent } from './events.js';
import { readStoredJson } from './stored-json.js';
import { revisionWorkload } from './revision-workload.js';
import { StorageGuard } from './storage-guard.js';

export interface DeploymentControllerDeps {
  clock: Clock;
  workloads: Workloads;
  store: RuntimeStateStore;
  onEvent(event: EngineEvent): void;
  /** As ControllerDeps.storage: while it holds, nothing new is decided. */
  storage?: StorageGuard;
}

/** The meta key a Deployment's state is saved under. */
export const deploymentStateKey = (name: string): string => `deployment.${name}.state`;

/** A reconcile settles in a few passes: each scales at most one step of the rolling update. */
const MAX_PASSES = 16;

/** One Deployment: its state (loaded from the store), its last status, and `tick` to reconcile it. */
export class DeploymentController {
  private state: DeploymentState;
  private lastStatus: DeploymentStatus | undefined;
  private lastWakeAt: number | undefined;
  /** Events not stored yet (kept while the store cannot take them). */
  private unsaved: EngineEvent[] = [];
  private readonly storage: StorageGuard;

  constructor(
    private deployment: Deployment,
    private deps: DeploymentControllerDeps,
  ) {
    this.storage = deps.storage ?? new StorageGuard(deps.clock);
    const saved = deps.store.getMeta(deploymentStateKey(deployment.metadata.name));
    this.state = readStoredJson<DeploymentState | null>(saved, deploymentStateKey(deployment.metadata.name), null) ?? initialDeploymentState();
  }

  get name(): string {
    return this.deployment.metadata.name;
  }

  get spec(): Deployment {
    return this.deployment;
  }

  get status(): DeploymentStatus | undefined {
    return this.lastStatus;
  }

  get deploymentState(): DeploymentState {
    return this.state;
  }

  updateSpec(deployment: Deployment): void {
    this.deployment = deployment;
  }

  /** As RolloutController.restoreScale: the last decided replica counts, asked again at start. */
  async restoreScale(): Promise<void> {
    for (const [hash, replicas] of Object.entries(this.state.desiredReplicas)) {
      const info = this.state.revisions.find((r) => r.hash === hash);
      if (!info || replicas <= 0) continue;
      await this.scaleRevision(info, replicas);
    }
  }

  private scaleRevision(info: RevisionInfo, replicas: number): Promise<void> {
    return this.deps.workloads.scale(revisionWorkload(this.deployment.metadata, this.deployment.spec.minReadySeconds, info, 'pod-template-hash'), replicas);
  }

  wakeAt(): number | undefined {
    return this.lastWakeAt !== undefined && this.lastWakeAt > this.deps.clock.now() ? this.lastWakeAt : undefined;
  }

  async tick(): Promise<DeploymentStatus> {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      if (this.storage.held) break;
      const now = this.deps.clock.now();
      const out = reconcileDeployment({ deployment: this.deployment, state: this.state, observed: { revisions: this.deps.workloads.observe(this.name) }, now });
      this.state = out.state;
      this.lastWakeAt = out.wakeAt;
      const events: EngineEvent[] = [];
      for (const effect of out.effects) {
        switch (effect.type) {
          case 'scaleRevision': {
            const info = this.state.revisions.find((r) => r.hash === effect.hash);
            if (!info) throw new Error(`scaleRevision for unknown revision ${effect.hash}`);
            await this.scaleRevision(info, effect.replicas);
            events.push({ at: now, rollout: this.name, type: 'Scaled', revision: info.revision, hash: info.hash, replicas: effect.replicas });
            break;
          }
          case 'deleteRevision':
            await this.deps.workloads.remove(this.name, effect.hash);
            break;
          case 'event':
            events.push({ ...effect.event, at: now, rollout: this.name });
            break;
          case 'setWeight':
          case 'setServiceSelector':
          case 'setHeaderRoute':
          case 'setMirrorRoute':
          case 'removeManagedRoutes':
          case 'startAnalysisRun':
          case 'terminateAnalysisRun':
          case 'scaleTemporaryRevision':
            throw new Error(`a Deployment does not carry out ${effect.type}`);
          default: {
            const never: never = effect;
            throw new Error(`unknown effect ${JSON.stringify(never)}`);
          }
        }
      }
      const prev = this.lastStatus;
      this.lastStatus = out.status;
      if (!prev || prev.phase !== out.status.phase || prev.message !== out.status.message) {
        events.push({ at: now, rollout: this.name, type: 'Phase', phase: out.status.phase, message: out.status.message });
      }
      this.unsaved.push(...events);
      this.storage.write(deploymentStateKey(this.name), () => this.save());
      for (const e of events) this.deps.onEvent(e);
      if (out.effects.length === 0) break;
    }
    return this.lastStatus as DeploymentStatus;
  }

  /** The state as it is now and every event not stored yet, in one transaction. */
  private save(): void {
    const events = this.unsaved.slice();
    this.deps.store.transaction(() => {
      this.deps.store.setMeta(deploymentStateKey(this.name), JSON.stringify(this.state));
      for (const e of events) this.deps.store.appendEvent(e);
    });
    this.unsaved.splice(0, events.length);
  }
}
