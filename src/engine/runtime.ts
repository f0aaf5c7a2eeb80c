/**
 * The engine for a whole manifest set: one RolloutController per Rollout and one
 * DeploymentController per Deployment, ticked by one loop that sleeps until the earliest thing
 * due (a pause end, a measurement, a deadline) or until something is observed to change
 * (`kick`: a pod became ready, a measurement finished, an action arrived). Actions and ticks
 * are serialised, so a promote never interleaves with a reconcile of the same rollout.
 */
import type { RolloutAction } from '../core/rollout/index.js';
import type { ManifestSet, MetricProviderSpec, PodTemplateSpec } from '../core/spec/types.js';
import { BatonError } from '../core/errors.js';
import type { Clock } from '../ports/clock.js';
import type { MetricsProvider } from '../ports/metrics-provider.js';
import type { RuntimeStateStore } from '../ports/state-store.js';
import type { TrafficRouter } from '../ports/traffic-router.js';
import type { Workloads } from '../ports/workloads.js';
import { DeploymentController, deploymentStateKey } from './deployment-controller.js';
import type { EngineEvent } from './events.js';
import { RolloutController, type ControllerDeps } from './rollout-controller.js';
import { StorageGuard, StorageUnavailableError, isStorageFailure, type StorageChange, type StorageGuardOptions } from './storage-guard.js';

/** The ports the Runtime hands to every controller, and its own hooks. */
export interface RuntimeDeps {
  /** The engine's clock (scaled under `--time-scale`). */
  clock: Clock;
  workloads: Workloads;
  traffic: TrafficRouter;
  providerFor(spec: MetricProviderSpec): MetricsProvider;
  store: RuntimeStateStore;
  onEvent?(event: EngineEvent): void;
  /** The directory a workload's manifest is in (job providers resolve relative paths there). */
  baseDirFor?(owner: string): string | undefined;
  /** Forwarded to every RolloutController (schema expands before a new revision starts). */
  prepareRevision?: ControllerDeps['prepareRevision'];
  /** Called after every complete tick of all workloads. */
  afterTick?: () => void;
  /** Longest sleep between two ticks when nothing is due, on the engine clock; default 5 s. */
  idleTickMs?: number;
  /** Retry back-off of writes the store could not take (see StorageGuard). */
  storageBackoff?: Omit<StorageGuardOptions, 'onChange'>;
}

/** A Rollout or Deployment name that is not in the manifests. */
export class WorkloadNotFoundError extends BatonError {}

/** Every workload of a manifest set, one loop (see the file comment). */
export class Runtime {
  private manifests: ManifestSet | undefined;
  private readonly rollouts = new Map<string, RolloutController>();
  private readonly deployments = new Map<string, DeploymentController>();
  private chain: Promise<unknown> = Promise.resolve();
  private dirty = false;
  private sleeper: AbortController | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private tickListeners = new Set<() => void>();
  /**
   * Every write of the engine, and of the controller around it, goes through this guard: while
   * the store cannot take a write, no workload is reconciled and no action is carried out.
   */
  readonly storage: StorageGuard;

  constructor(private readonly deps: RuntimeDeps) {
    this.storage = new StorageGuard(deps.clock, { ...deps.storageBackoff, onChange: (c) => this.reportStorage(c) });
  }

  /** The controllers by name. */
  rollout(name: string): RolloutController | undefined {
    return this.rollouts.get(name);
  }

  deployment(name: string): DeploymentController | undefined {
    return this.deployments.get(name);
  }

  rolloutControllers(): RolloutController[] {
    return [...this.rollouts.values()];
  }

  deploymentControllers(): DeploymentController[] {
    return [...this.deployments.values()];
  }

  get manifestSet(): ManifestSet | undefined {
    return this.manifests;
  }

  /**
   * Puts a manifest set in force: new workloads get a controller, changed ones their new spec,
   * removed ones are scaled to zero and forgotten.
   */
  setManifests(set: ManifestSet): Promise<void> {
    return this.serial(async () => {
      this.storage.assertWritable('put new manifests in force');
      this.manifests = set;
      const onEvent = (e: EngineEvent): void => {
        this.deps.onEvent?.(e);
      };
      for (const r of set.rollouts) {
        const name = r.metadata.name;
        const existing = this.rollouts.get(name);
        if (existing) existing.updateSpec(r, set);
        else {
          const c = new RolloutController(r, set, {
            clock: this.deps.clock,
            workloads: this.deps.workloads,
            traffic: this.deps.traffic,
            providerFor: (spec) => this.deps.providerFor(spec),
            store: this.deps.store,
            storage: this.storage,
            onEvent,
            ...(this.deps.prepareRevision ? { prepareRevision: this.deps.prepareRevision } : {}),
            ...baseDirOf(this.deps.baseDirFor?.(name)),
          });
          c.onWake = () => this.kick();
          this.rollouts.set(name, c);
          await this.restore(c);
        }
      }
      for (const d of set.deployments) {
        const existing = this.deployments.get(d.metadata.name);
        if (existing) existing.updateSpec(d);
        else {
          const c = new DeploymentController(d, { clock: this.deps.clock, workloads: this.deps.workloads, store: this.deps.store, storage: this.storage, onEvent });
          this.deployments.set(d.metadata.name, c);
          await this.restore(c);
        }
      }
      for (const [name, c] of [...this.rollouts]) {
        if (set.rollouts.some((r) => r.metadata.name === name)) continue;
        c.stop();
        await this.removeAll(name, c.rolloutState.revisions.map((r) => r.hash));
        this.storage.write(`rollout:${name}`, () => this.deps.store.deleteRollout(name));
        this.rollouts.delete(name);
      }
      for (const [name, c] of [...this.deployments]) {
        if (set.deployments.some((d) => d.metadata.name === name)) continue;
        await this.removeAll(name, c.deploymentState.revisions.map((r) => r.hash));
        this.storage.write(deploymentStateKey(name), () => this.deps.store.setMeta(deploymentStateKey(name), 'null'));
        this.deployments.delete(name);
      }
      this.kick();
    });
  }

  /** A Rollout action, carried out between ticks; returns the template undo put in force. */
  act(name: string, action: RolloutAction): Promise<{ template?: PodTemplateSpec }> {
    return this.serial(async () => {
      const c = this.rollouts.get(name);
      if (!c) {
        const hint = this.deployments.has(name) ? ' (a Deployment has no steps: use `baton restart` or `baton set image`)' : '';
        throw new WorkloadNotFoundError('workload-not-found', `no rollout named "${name}"${hint}`, { name });
      }
      const out = await c.act(action);
      this.kick();
      if (this.storage.held) {
        throw new StorageUnavailableError(`${action.type} of ${name} was carried out but cannot be saved yet: ${this.storage.failure?.message ?? ''}; Baton retries and goes on once it is saved`, { name });
      }
      return out;
    });
  }

  /** Something was observed to change: tick as soon as the current tick ends. */
  kick(): void {
    this.dirty = true;
    this.sleeper?.abort();
  }

  /** Resolves after the next complete tick of every controller (tests, `apply` answers). */
  nextTick(): Promise<void> {
    return new Promise((resolve) => {
      const f = (): void => {
        this.tickListeners.delete(f);
        resolve();
      };
      this.tickListeners.add(f);
      this.kick();
    });
  }

  start(): void {
    if (this.running) return;
    this.running = this.loop();
  }

  /** Stops the loop and every measurement in flight; processes are left as they are. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper?.abort();
    for (const c of this.rollouts.values()) c.stop();
    await this.running;
    await this.chain;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.dirty = false;
      const listeners = [...this.tickListeners];
      const held = this.storage.held;
      await this.serial(() => (held ? this.retryStorage() : this.tickAll()));
      if (!held) this.deps.afterTick?.();
      for (const l of listeners) l();
      if (this.dirty || this.stopped) continue;
      const now = this.deps.clock.now();
      const retryAt = this.storage.retryAt;
      const times = retryAt !== undefined ? [retryAt] : [...this.rollouts.values(), ...this.deployments.values()].map((c) => c.wakeAt()).filter((t): t is number => t !== undefined);
      const wake = Math.min(now + (this.deps.idleTickMs ?? 5_000), ...times);
      const ac = new AbortController();
      this.sleeper = ac;
      if (this.dirty) continue;
      await this.deps.clock.sleepUntil(wake, ac.signal);
      this.sleeper = undefined;
    }
  }

  private async tickAll(): Promise<void> {
    for (const c of [...this.deployments.values(), ...this.rollouts.values()]) {
      if (this.storage.held) return;
      try {
        await c.tick();
      } catch (e) {
        if (isStorageFailure(e)) {
          // A write outside the guard failed mid-tick: hold as for any write.
          this.storage.fail(e);
          return;
        }
        // One workload's failure (a template that cannot start) must not stop the others.
        this.deps.onEvent?.({ at: this.deps.clock.now(), rollout: c.name, type: 'EngineError', message: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  /** While held: the kept writes are tried again once their back-off is over. */
  private retryStorage(): Promise<void> {
    const at = this.storage.retryAt;
    if (at !== undefined && this.deps.clock.now() >= at && this.storage.retry()) this.kick();
    return Promise.resolve();
  }

  /** A hold and its end are events (stored once the store takes writes again) and reach onEvent. */
  private reportStorage(change: StorageChange): void {
    const at = this.deps.clock.now();
    const event: EngineEvent =
      change.type === 'held'
        ? { at, rollout: '', type: 'StorageError', code: change.failure.code, message: change.failure.message, retryAt: change.failure.retryAt }
        : { at, rollout: '', type: 'StorageRecovered', since: change.since, attempts: change.attempts, written: change.written };
    const store = this.deps.store;
    this.storage.writeNew(() => store.appendEvent({ ...event }));
    this.deps.onEvent?.(event);
  }

  /** A controller starting on saved state asks for its processes again (see restoreScale). */
  private async restore(c: RolloutController | DeploymentController): Promise<void> {
    try {
      await c.restoreScale();
    } catch (e) {
      this.deps.onEvent?.({ at: this.deps.clock.now(), rollout: c.name, type: 'EngineError', message: e instanceof Error ? e.message : String(e) });
    }
  }

  private async removeAll(owner: string, hashes: string[]): Promise<void> {
    for (const h of hashes) await this.deps.workloads.remove(owner, h);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn);
    this.chain = p.catch(() => undefined);
    return p;
  }
}

function baseDirOf(dir: string | undefined): { baseDir?: string } {
  return dir !== undefined ? { baseDir: dir } : {};
}
