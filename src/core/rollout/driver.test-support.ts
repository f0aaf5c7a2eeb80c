/**
 * Test support: runs `reconcileRollout` against simulated workloads on a virtual clock, so whole
 * rollouts can be tested. Pods become available `readyMs` after they are created; analysis runs
 * follow a script of phases by time since they started; actions happen at given times.
 */
import type { CanaryStep, CanaryStrategy, BlueGreenStrategy, PodTemplateSpec, Rollout, RolloutAnalysis } from '../spec/types.js';
import { applyRolloutAction } from './actions.js';
import { reconcileRollout } from './reconcile.js';
import {
  initialRolloutState,
  type AnalysisRunKind,
  type AnalysisRunPhase,
  type Effect,
  type Observed,
  type RolloutAction,
  type RolloutEvent,
  type RolloutState,
  type RolloutStatus,
} from './types.js';

export function template(image: string): PodTemplateSpec {
  return {
    metadata: { labels: { app: 'shop' }, annotations: {} },
    spec: {
      containers: [{ name: 'shop', image, command: [], args: [], env: [], ports: [] }],
      terminationGracePeriodSeconds: 30,
      raw: {},
    },
  };
}

export function analysis(templateName: string, args: RolloutAnalysis['args'] = []): RolloutAnalysis {
  return { templates: [{ templateName, clusterScope: false }], args, dryRun: [], measurementRetention: [] };
}

export function canaryStrategy(steps: CanaryStep[], extra: Partial<CanaryStrategy> = {}): CanaryStrategy {
  return {
    type: 'canary',
    steps,
    maxSurge: '25%',
    maxUnavailable: '25%',
    scaleDownDelaySeconds: 30,
    abortScaleDownDelaySeconds: 30,
    dynamicStableScale: false,
    ...extra,
  };
}

export function istioRouting(managedRoutes: string[] = []): NonNullable<CanaryStrategy['trafficRouting']> {
  return { istio: { virtualServices: [{ name: 'shop-vs', routes: [], tlsRoutes: [], tcpRoutes: [] }] }, other: {}, managedRoutes, maxTrafficWeight: 100 };
}

export function blueGreenStrategy(extra: Partial<BlueGreenStrategy> = {}): BlueGreenStrategy {
  return {
    type: 'blueGreen',
    activeService: 'shop-active',
    previewService: 'shop-preview',
    autoPromotionEnabled: true,
    autoPromotionSeconds: 0,
    maxUnavailable: 0,
    scaleDownDelaySeconds: 30,
    abortScaleDownDelaySeconds: 30,
    ...extra,
  };
}

export function makeRollout(strategy: Rollout['spec']['strategy'], spec: Partial<Rollout['spec']> = {}, image = 'shop:v1'): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'shop', namespace: 'default', labels: { team: 'web' }, annotations: {} },
    source: { file: 'rollout.yaml', line: 1, column: 1 },
    spec: {
      replicas: 2,
      template: template(image),
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      paused: false,
      progressDeadlineSeconds: 600,
      progressDeadlineAbort: false,
      strategy,
      ...spec,
    },
  };
}

/** A run's script: phases by milliseconds since the run started; before the first, Running. */
export type RunScript = { after: number; phase: AnalysisRunPhase; message?: string }[];

export interface TimelineEntry {
  t: number;
  event: RolloutEvent;
}

interface SimRun {
  name: string;
  kind: AnalysisRunKind;
  startedAt: number;
  script: RunScript;
  terminatedAt?: number;
}

export interface DriverOptions {
  readyMs?: number;
  /** Script for a new run, by kind (and name). Default: Successful at once. */
  runScript?: (run: { name: string; kind: AnalysisRunKind; stepIndex?: number }) => RunScript;
  trafficWeightVerified?: () => boolean;
}

export class RolloutDriver {
  rollout: Rollout;
  state: RolloutState = initialRolloutState();
  now = 0;
  status!: RolloutStatus;
  wakeAt: number | undefined;
  readonly pods = new Map<string, number[]>();
  readonly runs = new Map<string, SimRun>();
  readonly timeline: TimelineEntry[] = [];
  readonly effects: { t: number; effect: Effect }[] = [];
  readonly weights: number[] = [];
  weight = { canary: 0, stable: 100 };
  readonly selectors: Record<string, string | undefined> = {};
  readonly routes = new Map<string, Effect>();
  reconciles = 0;

  constructor(rollout: Rollout, readonly options: DriverOptions = {}) {
    this.rollout = structuredClone(rollout);
  }

  observed(): Observed {
    const revisions = [...this.pods.entries()].map(([hash, readyAt]) => {
      const ready = readyAt.filter((t) => t <= this.now).length;
      return { hash, replicas: readyAt.length, readyReplicas: ready, availableReplicas: ready };
    });
    const analysisRuns: Observed['analysisRuns'] = {};
    for (const run of this.runs.values()) analysisRuns[run.name] = this.runPhase(run);
    return { revisions, analysisRuns, trafficWeightVerified: this.options.trafficWeightVerified?.() ?? true };
  }

  runPhase(run: SimRun): { phase: AnalysisRunPhase; message?: string } {
    const at = run.terminatedAt ?? this.now;
    let current: { phase: AnalysisRunPhase; message?: string } = { phase: 'Running' };
    for (const step of run.script) if (step.after <= at - run.startedAt) current = { phase: step.phase, ...(step.message ? { message: step.message } : {}) };
    if (run.terminatedAt !== undefined && (current.phase === 'Running' || current.phase === 'Pending')) return { phase: 'Successful', message: 'Run Terminated' };
    return current;
  }

  /** One reconcile at the current time, effects carried out. Returns whether anything changed. */
  reconcileOnce(): boolean {
    this.reconciles++;
    const before = JSON.stringify(this.state);
    const out = reconcileRollout({ rollout: this.rollout, state: this.state, observed: this.observed(), now: this.now });
    this.state = out.state;
    this.status = out.status;
    this.wakeAt = out.wakeAt;
    for (const effect of out.effects) this.apply(effect);
    return out.effects.some((e) => e.type !== 'event') || JSON.stringify(this.state) !== before;
  }

  /** Reconcile until nothing changes at this instant. */
  settle(): void {
    for (let i = 0; i < 100; i++) if (!this.reconcileOnce()) return;
    throw new Error(`no fixed point at t=${this.now}`);
  }

  act(action: RolloutAction): void {
    const out = applyRolloutAction({ rollout: this.rollout, state: this.state, action, now: this.now });
    this.state = out.state;
    for (const effect of out.effects) this.apply(effect);
    if (out.template) this.rollout.spec.template = out.template;
  }

  update(image: string): void {
    this.rollout.spec.template = template(image);
  }

  /** The next time something happens on its own: a wake-up, a pod becoming ready, a run changing. */
  nextTime(): number | undefined {
    const times: number[] = [];
    if (this.wakeAt !== undefined && this.wakeAt > this.now) times.push(this.wakeAt);
    for (const readyAt of this.pods.values()) for (const t of readyAt) if (t > this.now) times.push(t);
    for (const run of this.runs.values()) {
      if (run.terminatedAt !== undefined) continue;
      for (const step of run.script) if (run.startedAt + step.after > this.now) times.push(run.startedAt + step.after);
    }
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** Settle, then advance to each next event until `until` ms (where the clock stops), running `actions` on the way. */
  run(until: number, actions: { at: number; action: RolloutAction }[] = []): void {
    const pending = [...actions].sort((a, b) => a.at - b.at);
    this.settle();
    for (;;) {
      const next = this.nextTime();
      const action = pending[0];
      const t = Math.min(next ?? Infinity, action?.at ?? Infinity);
      if (t === Infinity || t > until) {
        // The clock ends at `until`, so later calls and actions happen then.
        if (Number.isFinite(until) && until > this.now) {
          this.now = until;
          this.settle();
        }
        return;
      }
      this.now = t;
      while (pending[0] && pending[0].at <= this.now) this.act((pending.shift() as { action: RolloutAction }).action);
      this.settle();
    }
  }

  events<T extends RolloutEvent['type']>(type: T): (Extract<RolloutEvent, { type: T }> & { t: number })[] {
    return this.timeline.filter((e) => e.event.type === type).map((e) => ({ t: e.t, ...(e.event as Extract<RolloutEvent, { type: T }>) }));
  }

  effectsOf<T extends Effect['type']>(type: T): Extract<Effect, { type: T }>[] {
    return this.effects.filter((e) => e.effect.type === type).map((e) => e.effect as Extract<Effect, { type: T }>);
  }

  private apply(effect: Effect): void {
    this.effects.push({ t: this.now, effect });
    switch (effect.type) {
      case 'scaleRevision':
      case 'scaleTemporaryRevision': {
        const hash = effect.type === 'scaleRevision' ? effect.hash : effect.revision.hash;
        const readyAt = this.pods.get(hash) ?? [];
        while (readyAt.length < effect.replicas) readyAt.push(this.now + (this.options.readyMs ?? 0));
        // Not-yet-ready pods go first, as a ReplicaSet deletes them first.
        readyAt.sort((a, b) => a - b);
        readyAt.length = effect.replicas;
        this.pods.set(hash, readyAt);
        break;
      }
      case 'setWeight':
        this.weight = { canary: effect.canary, stable: effect.stable };
        this.weights.push(effect.canary);
        break;
      case 'setServiceSelector':
        this.selectors[effect.role] = effect.hash;
        break;
      case 'setHeaderRoute':
      case 'setMirrorRoute':
        this.routes.set(effect.name, effect);
        break;
      case 'removeManagedRoutes':
        for (const name of effect.names) this.routes.delete(name);
        break;
      case 'startAnalysisRun': {
        const script = this.options.runScript?.({ name: effect.name, kind: effect.kind, ...(effect.stepIndex !== undefined ? { stepIndex: effect.stepIndex } : {}) }) ?? [{ after: 0, phase: 'Successful' }];
        this.runs.set(effect.name, { name: effect.name, kind: effect.kind, startedAt: this.now, script });
        this.timeline.push({ t: this.now, event: { type: 'AnalysisRunStarted', run: effect.name, kind: effect.kind } });
        break;
      }
      case 'terminateAnalysisRun': {
        const run = this.runs.get(effect.name);
        if (run) run.terminatedAt = this.now;
        break;
      }
      case 'deleteRevision':
        this.pods.delete(effect.hash);
        break;
      case 'event':
        this.timeline.push({ t: this.now, event: effect.event });
        break;
      default: {
        const never: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(never)}`);
      }
    }
  }
}
