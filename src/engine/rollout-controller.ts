/**
 * The engine loop for one Rollout: observe -> reconcile (the pure core decides) -> carry out the
 * effects through ports -> take due measurements -> persist. The core never calls out; this file
 * never decides.
 */
import {
  beginMeasurement,
  completeMeasurements,
  createAnalysisRun,
  dueMeasurements,
  nextWakeAt as nextRunWakeAt,
  recoverInterruptedMeasurements,
  secretLookupFromManifests,
  terminateRun,
  type AnalysisRunState,
} from '../core/analysis/index.js';
import type { ProviderResult } from '../core/analysis/provider-result.js';
import {
  applyRolloutAction,
  initialRolloutState,
  reconcileRollout,
  type Effect,
  type RolloutAction,
  type RolloutState,
  type RolloutStatus,
} from '../core/rollout/index.js';
import type { AnalysisTemplate, ClusterAnalysisTemplate, ManifestSet, MetricProviderSpec, PodTemplateSpec, Rollout } from '../core/spec/types.js';
import type { Clock } from '../ports/clock.js';
import type { MetricsProvider } from '../ports/metrics-provider.js';
import type { StateStore } from '../ports/state-store.js';
import type { TrafficRouter } from '../ports/traffic-router.js';
import type { Workloads } from '../ports/workloads.js';
import { isTerminalPhase, type EngineEvent } from './events.js';
import { revisionWorkload } from './revision-workload.js';
import { StorageGuard } from './storage-guard.js';

/** The ports and callbacks a RolloutController acts through. */
export interface ControllerDeps {
  clock: Clock;
  workloads: Workloads;
  traffic: TrafficRouter;
  providerFor(spec: MetricProviderSpec): MetricsProvider;
  store: StateStore;
  onEvent(event: EngineEvent): void;
  /** Directory relative paths in manifests are resolved against (job workingDir). */
  baseDir?: string;
  /**
   * Runs before the first process of a new revision starts (the schema expand of a
   * SchemaMigration). Until it resolves the revision is not scaled up; a rejection aborts the
   * rollout with its message, before any user reaches the new code. Called again after a
   * restart, so it must be idempotent (the migration runner skips what it already applied).
   */
  prepareRevision?(rollout: Rollout, revision: { hash: string; revision: number }): Promise<void>;
  /**
   * Wait for measurements inside `tick` (the simulator, whose providers answer at once). The
   * runtime leaves it off: a slow query must not hold up promote/abort; `onWake` fires instead.
   */
  awaitMeasurements?: boolean;
  /**
   * Where the controller's writes go (the Runtime shares one among all controllers); while it
   * holds, the controller decides nothing new. Default: one of its own.
   */
  storage?: StorageGuard;
}

/** A reconcile loop settles in at most this many passes at one instant (each pass completes at most one step). */
const MAX_PASSES_PER_INSTANT = 64;

/**
 * One Rollout, driven through ports: `tick` reconciles until the instant settles, `act` carries
 * out a user action, `wakeAt` says when something is due next, and `onWake` fires when a
 * measurement or a preparation finishes outside a tick. Its record, status and events are saved
 * together after every pass, so a new controller on the same store resumes where this one was.
 */
export class RolloutController {
  private rollout: Rollout;
  private state: RolloutState;
  private runs = new Map<string, AnalysisRunState>();
  private inFlight = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private lastStatus: RolloutStatus | undefined;
  /** Events reported since the last save. */
  private unsaved: EngineEvent[] = [];
  private lastWakeAt: number | undefined;
  /** Revisions whose preparation finished (or that need none) / is running / failed. */
  private prepared = new Set<string>();
  private preparing = new Map<string, Promise<void>>();
  /** Scale-ups held back until the revision is prepared: hash -> replicas. */
  private heldScales = new Map<string, number>();
  private failedPreparation: { hash: string; revision: number; message: string } | undefined;
  private readonly storage: StorageGuard;
  /** Called when a measurement finishes outside a tick, so the owner can tick again. */
  onWake: () => void = () => {};

  constructor(
    rollout: Rollout,
    private manifests: ManifestSet,
    private deps: ControllerDeps,
  ) {
    this.rollout = rollout;
    this.storage = deps.storage ?? new StorageGuard(deps.clock);
    const saved = deps.store.load(rollout.metadata.name);
    this.state = saved?.rolloutState ?? initialRolloutState();
    const now = deps.clock.now();
    for (const loaded of saved?.analysisRuns ?? []) {
      // No provider call of this controller answers a measurement saved as Running: the one
      // that began it stopped. The core decides what becomes of it (re-measure, or Error).
      const { run, recovered } = recoverInterruptedMeasurements(loaded, now);
      this.runs.set(run.name, run);
      for (const r of recovered) {
        this.emit({ at: now, rollout: this.name, type: 'MeasurementInterrupted', run: run.name, metric: r.metricName, action: r.action, startedAt: r.startedAt });
      }
      if (isTerminalPhase(run.phase) && !isTerminalPhase(loaded.phase)) this.reportRunCompleted(run, now);
    }
  }

  get name(): string {
    return this.rollout.metadata.name;
  }

  /** The last status; while the engine is held by a storage failure, its message says so first. */
  get status(): RolloutStatus | undefined {
    const f = this.storage.failure;
    if (!f || !this.lastStatus) return this.lastStatus;
    const held = `held: the state database cannot be written (${f.code}); traffic stays where it is until it can`;
    return { ...this.lastStatus, message: this.lastStatus.message ? `${held}. ${this.lastStatus.message}` : held };
  }

  get rolloutState(): RolloutState {
    return this.state;
  }

  get spec(): Rollout {
    return this.rollout;
  }

  analysisRuns(): AnalysisRunState[] {
    return [...this.runs.values()];
  }

  /** The earliest time something is due by itself (pause end, measurement, pod readiness). */
  wakeAt(): number | undefined {
    const times = [this.lastWakeAt, this.deps.workloads.nextChangeAt?.(this.name)];
    for (const run of this.runs.values()) times.push(nextRunWakeAt(run));
    const future = times.filter((t): t is number => t !== undefined && t > this.deps.clock.now());
    return future.length ? Math.min(...future) : undefined;
  }

  /** True while a measurement is being taken. */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** Waits until every measurement started so far has finished. */
  async settle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight.values()].map((f) => f.promise));
  }

  /** A new spec (e.g. a changed template): the next tick reconciles towards it. */
  updateSpec(rollout: Rollout, manifests?: ManifestSet): void {
    this.rollout = rollout;
    if (manifests) this.manifests = manifests;
  }

  /**
   * Asks the workloads again for the replica count last decided for each revision. Called when a
   * controller starts on saved state: processes that died or were stopped while no controller
   * ran come back, as a ReplicaSet controller would recreate pods; running ones are left alone.
   */
  async restoreScale(): Promise<void> {
    const now = this.deps.clock.now();
    const effects: Effect[] = Object.entries(this.state.desiredReplicas)
      .filter(([hash, n]) => n > 0 && this.state.revisions.some((r) => r.hash === hash))
      .map(([hash, replicas]) => ({ type: 'scaleRevision', hash, replicas }));
    await this.carryOut(effects, now);
  }

  /** promote, abort, retry, pause, resume, undo: decided by the core, carried out here. */
  async act(action: RolloutAction): Promise<{ template?: PodTemplateSpec }> {
    this.storage.assertWritable(`${action.type} ${this.name}`);
    const now = this.deps.clock.now();
    const out = applyRolloutAction({ rollout: this.rollout, state: this.state, action, now });
    this.state = out.state;
    this.emit({ at: now, rollout: this.name, type: 'Action', action: action.type });
    await this.carryOut(out.effects, now);
    if (out.template && this.rollout.spec.template) {
      this.rollout = { ...this.rollout, spec: { ...this.rollout.spec, template: out.template } };
    }
    this.persist();
    return out.template ? { template: out.template } : {};
  }

  /**
   * Reconciles until nothing changes at this instant: each pass may complete one step, start
   * runs or take measurements, and the next pass sees their outcome.
   */
  async tick(): Promise<RolloutStatus> {
    if (this.storage.held) return this.lastStatus as RolloutStatus;
    await this.afterPreparation(this.deps.clock.now());
    for (let pass = 0; pass < MAX_PASSES_PER_INSTANT; pass++) {
      // Nothing new is decided while the last decision cannot be saved (see StorageGuard).
      if (this.storage.held) break;
      const now = this.deps.clock.now();
      const out = reconcileRollout({
        rollout: this.rollout,
        state: this.state,
        observed: {
          revisions: this.deps.workloads.observe(this.name),
          analysisRuns: Object.fromEntries([...this.runs.values()].map((r) => [r.name, { phase: r.phase, message: r.message }])),
          trafficWeightVerified: true,
        },
        now,
      });
      this.state = out.state;
      this.lastWakeAt = out.wakeAt;
      // Effects first: the timeline reads "WeightChanged 100, Promoted", then "Phase Healthy".
      await this.carryOut(out.effects, now);
      this.reportStatus(out.status, now);
      const measured = !this.storage.held && this.startDueMeasurements(now);
      if (measured && this.deps.awaitMeasurements) await this.settle();
      this.persist();
      // The core reports every transition as an effect (events included), so no effect and no
      // measurement means this instant has settled.
      if (out.effects.length === 0 && !measured) break;
    }
    return this.lastStatus as RolloutStatus;
  }

  /** Stops every measurement in flight (shutdown). */
  stop(): void {
    for (const f of this.inFlight.values()) f.abort.abort();
  }

  private reportStatus(status: RolloutStatus, now: number): void {
    const prev = this.lastStatus;
    this.lastStatus = status;
    if (!prev || prev.phase !== status.phase || prev.message !== status.message) {
      this.emit({ at: now, rollout: this.name, type: 'Phase', phase: status.phase, message: status.message });
    }
  }

  private async carryOut(effects: Effect[], now: number): Promise<void> {
    for (const effect of effects) {
      switch (effect.type) {
        case 'scaleRevision': {
          const info = this.state.revisions.find((r) => r.hash === effect.hash);
          if (!info) throw new Error(`scaleRevision for unknown revision ${effect.hash}`);
          if (effect.replicas > 0 && !this.isPrepared(info.hash, info.revision)) {
            this.heldScales.set(info.hash, effect.replicas);
            break;
          }
          this.heldScales.delete(info.hash);
          await this.deps.workloads.scale(revisionWorkload(this.rollout.metadata, this.rollout.spec.minReadySeconds, info, 'rollouts-pod-template-hash'), effect.replicas);
          this.emit({ at: now, rollout: this.name, type: 'Scaled', revision: info.revision, hash: info.hash, replicas: effect.replicas });
          break;
        }
        case 'scaleTemporaryRevision': {
          // Baseline and experiment revisions: pods of the rollout like any revision, told apart
          // by their own hash and their `baton.dev/role` label.
          const rev = effect.revision;
          const info = { revision: rev.revision, hash: rev.hash, template: rev.template, createdAt: rev.createdAt };
          await this.deps.workloads.scale(revisionWorkload(this.rollout.metadata, this.rollout.spec.minReadySeconds, info, 'rollouts-pod-template-hash'), effect.replicas);
          this.emit({ at: now, rollout: this.name, type: 'Scaled', revision: rev.revision, hash: rev.hash, replicas: effect.replicas, role: rev.role });
          break;
        }
        case 'deleteRevision':
          await this.deps.workloads.remove(this.name, effect.hash);
          break;
        case 'setWeight':
        case 'setServiceSelector':
          await this.deps.traffic.apply(this.rollout, effect);
          break;
        case 'setHeaderRoute':
          await this.deps.traffic.apply(this.rollout, effect);
          this.emit({ at: now, rollout: this.name, type: 'HeaderRouteSet', name: effect.name, match: effect.match });
          break;
        case 'setMirrorRoute':
          await this.deps.traffic.apply(this.rollout, effect);
          this.emit({ at: now, rollout: this.name, type: 'MirrorRouteSet', name: effect.name, match: effect.match, percentage: effect.percentage });
          break;
        case 'removeManagedRoutes':
          await this.deps.traffic.apply(this.rollout, effect);
          this.emit({ at: now, rollout: this.name, type: 'ManagedRoutesRemoved', names: effect.names });
          break;
        case 'startAnalysisRun': {
          const templates = this.templatesFor(effect.analysis.templates);
          const run = createAnalysisRun(
            {
              name: effect.name,
              kind: effect.kind,
              templates,
              args: effect.args,
              dryRun: effect.analysis.dryRun,
              measurementRetention: effect.analysis.measurementRetention,
              secrets: secretLookupFromManifests(this.manifests.secrets),
            },
            now,
          );
          this.runs.set(run.name, run);
          this.emit({ at: now, rollout: this.name, type: 'AnalysisRunStarted', run: run.name, kind: effect.kind });
          if (isTerminalPhase(run.phase)) this.reportRunCompleted(run, now);
          break;
        }
        case 'terminateAnalysisRun': {
          const run = this.runs.get(effect.name);
          if (!run) break;
          this.inFlight.get(effect.name)?.abort.abort();
          if (!isTerminalPhase(run.phase)) {
            const done = terminateRun(run, now);
            this.runs.set(run.name, done);
            this.reportRunCompleted(done, now);
          }
          break;
        }
        case 'event':
          this.emit({ ...effect.event, at: now, rollout: this.name });
          break;
        default: {
          const never: never = effect;
          throw new Error(`unknown effect ${JSON.stringify(never)}`);
        }
      }
    }
  }

  /**
   * Whether a revision may get processes: no preparation hook, already running ones (a stable
   * or re-adopted revision), or a preparation that finished. Starts the preparation otherwise.
   */
  private isPrepared(hash: string, revision: number): boolean {
    if (!this.deps.prepareRevision || this.prepared.has(hash)) return true;
    const observed = this.deps.workloads.observe(this.name).find((r) => r.hash === hash);
    if (observed && observed.replicas > 0) {
      this.prepared.add(hash);
      return true;
    }
    if (!this.preparing.has(hash)) {
      // Settled outside a tick: only flags are set here; the next tick acts on them.
      const p = this.deps.prepareRevision(this.rollout, { hash, revision }).then(
        () => {
          this.preparing.delete(hash);
          this.prepared.add(hash);
          this.onWake();
        },
        (e: unknown) => {
          this.preparing.delete(hash);
          this.heldScales.delete(hash);
          this.failedPreparation = { hash, revision, message: `preparing revision ${revision} failed: ${e instanceof Error ? e.message : String(e)}` };
          this.onWake();
        },
      );
      this.preparing.set(hash, p);
    }
    return false;
  }

  /** Carries out what a preparation that settled since the last tick asks: the held scale-up, or an abort. */
  private async afterPreparation(now: number): Promise<void> {
    const failed = this.failedPreparation;
    if (failed) {
      this.failedPreparation = undefined;
      this.emit({ at: now, rollout: this.name, type: 'PrepareFailed', revision: failed.revision, hash: failed.hash, message: failed.message });
      if (this.state.currentHash === failed.hash && !this.state.aborted) await this.act({ type: 'abort', reason: failed.message });
    }
    for (const [hash, replicas] of [...this.heldScales]) {
      if (this.prepared.has(hash) && this.state.desiredReplicas[hash] === replicas) await this.carryOut([{ type: 'scaleRevision', hash, replicas }], now);
    }
  }

  private templatesFor(refs: { templateName: string; clusterScope: boolean }[]): (AnalysisTemplate | ClusterAnalysisTemplate)[] {
    const out: (AnalysisTemplate | ClusterAnalysisTemplate)[] = [];
    for (const ref of refs) {
      const list = ref.clusterScope ? this.manifests.clusterAnalysisTemplates : this.manifests.analysisTemplates;
      const t = list.find((x) => x.metadata.name === ref.templateName);
      // Lint rejects a missing template; an empty list makes the run Error ("no metrics"), as Argo would.
      if (t) out.push(t);
    }
    return out;
  }

  /** Starts every due measurement; returns whether any started. */
  private startDueMeasurements(now: number): boolean {
    let started = false;
    for (const run of this.runs.values()) {
      if (isTerminalPhase(run.phase) || this.inFlight.has(run.name)) continue;
      const due = dueMeasurements(run, now);
      if (!due.length) continue;
      started = true;
      const abort = new AbortController();
      let current = run;
      for (const d of due) current = beginMeasurement(current, d.metricName, now);
      this.runs.set(run.name, current);
      const promise = Promise.all(
        due.map(async (d) => {
          const result = await this.measure(run.name, d.metricName, d.provider, abort.signal, lastMetadata(run, d.metricName));
          return { metricName: d.metricName, result };
        }),
      ).then((results) => {
        this.inFlight.delete(run.name);
        const at = this.deps.clock.now();
        const before = this.runs.get(run.name) as AnalysisRunState;
        // All results of this batch are recorded before the run is assessed (Argo runMeasurements).
        const updated = completeMeasurements(before, results, at);
        for (const { metricName } of results) {
          const m = updated.metricResults.find((x) => x.name === metricName);
          const prev = before.metricResults.find((x) => x.name === metricName);
          // Not recorded: the run or the metric had already completed.
          if (!m || !prev || m.count + m.error === prev.count + prev.error) continue;
          const last = m.measurements[m.measurements.length - 1];
          this.emit({
            at,
            rollout: this.name,
            type: 'Measurement',
            run: run.name,
            metric: metricName,
            phase: last?.phase ?? 'Error',
            ...(last?.value !== undefined ? { value: last.value } : {}),
            ...(last?.message ? { message: last.message } : {}),
          });
        }
        this.runs.set(run.name, updated);
        // Once: a run terminated while this measurement was in flight was reported then.
        if (isTerminalPhase(updated.phase) && !isTerminalPhase(before.phase)) this.reportRunCompleted(updated, at);
        // A write the store cannot take is kept and retried by the guard, which holds the engine.
        this.persist();
        this.onWake();
      }).catch((e: unknown) => {
        // Recording failed for another reason (a bug): the measurements are due again at the
        // next tick; the failure is reported, never an unhandled rejection.
        this.inFlight.delete(run.name);
        this.deps.onEvent({ at: this.deps.clock.now(), rollout: this.name, type: 'EngineError', run: run.name, message: e instanceof Error ? e.message : String(e) });
        this.onWake();
      });
      this.inFlight.set(run.name, { promise, abort });
    }
    return started;
  }

  private async measure(runName: string, metricName: string, spec: MetricProviderSpec, signal: AbortSignal, previousMetadata?: Record<string, string>): Promise<ProviderResult> {
    try {
      return await this.deps.providerFor(spec).measure(spec, { signal, runName, metricName, baseDir: this.deps.baseDir, ...(previousMetadata ? { previousMetadata } : {}) });
    } catch (e) {
      // Providers resolve errors as data; anything thrown is still a failed measurement, not a crash.
      return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
    }
  }

  private reportRunCompleted(run: AnalysisRunState, now: number): void {
    this.emit({ at: now, rollout: this.name, type: 'AnalysisRunCompleted', run: run.name, phase: run.phase, message: run.message ?? '' });
  }

  /** Reports an event now and keeps it to be saved with the next record. */
  private emit(event: EngineEvent): void {
    this.unsaved.push(event);
    this.deps.onEvent(event);
  }

  /**
   * Record, status and the events since the last save: one transaction where the store can.
   * When the store cannot take it, the guard keeps it and retries; the retry writes the
   * controller's state as it is then, with every event not saved yet.
   */
  private persist(): void {
    this.storage.write(`rollout:${this.name}`, () => this.save());
  }

  private save(): void {
    const record = { rolloutState: this.state, analysisRuns: [...this.runs.values()] };
    const events = this.unsaved.slice();
    const store = this.deps.store;
    if (store.saveTick) {
      store.saveTick({ rollout: this.name, record, ...(this.lastStatus ? { status: this.lastStatus } : {}), events });
    } else {
      store.save(this.name, record);
    }
    this.unsaved.splice(0, events.length);
  }
}

/** Metadata of the metric's latest measurement that has any (a sequential provider's state). */
function lastMetadata(run: AnalysisRunState, metricName: string): Record<string, string> | undefined {
  const measurements = run.metricResults.find((m) => m.name === metricName)?.measurements ?? [];
  for (let i = measurements.length - 1; i >= 0; i--) {
    const md = measurements[i]?.metadata;
    if (md && Object.keys(md).length) return md;
  }
  return undefined;
}
