/**
 * `baton simulate`: the real engine (the same RolloutController the runtime uses) on a virtual
 * clock, with simulated pods that become available after `readySeconds` (or as the scenario's
 * pod rules say) and scripted metric results, including jobs that take virtual time. Time jumps
 * straight to the next thing that is due, so a 24 h analysis takes milliseconds. Scenario
 * actions may also change the spec mid-rollout (a second update, an edit of any manifest), and
 * routers Baton does not drive are shown the weights they would be set to.
 */
import { createScriptedProvider } from '../adapters/metrics/scripted/index.js';
import { createVirtualClock, type VirtualClock } from '../adapters/clock/virtual.js';
import { createMemoryStateStore } from '../adapters/store/memory/index.js';
import { createMemoryTrafficRouter } from '../adapters/traffic/memory/index.js';
import { createSimulatedWorkloads } from '../adapters/workloads/simulated/index.js';
import { BatonError } from '../core/errors.js';
import type { RolloutPhase, RolloutStatus } from '../core/rollout/index.js';
import { applyEdit } from '../core/simulate/edit-manifests.js';
import { routerSettings } from '../core/simulate/router-view.js';
import { applyUpdate, type Scenario, type ScenarioAction } from '../core/simulate/scenario.js';
import { parseManifests, type ManifestFile } from '../core/spec/load.js';
import type { ManifestSet, Rollout } from '../core/spec/types.js';
import type { TrafficRouter } from '../ports/traffic-router.js';
import type { EngineEvent } from './events.js';
import { RolloutController } from './rollout-controller.js';

export interface TimelineEntry {
  /** Virtual seconds since the update. */
  t: number;
  type: string;
  [field: string]: unknown;
}

export interface SimulationResult {
  rollout: string;
  phase: RolloutPhase;
  message: string;
  aborted: boolean;
  stepIndex: number;
  stepCount: number;
  canaryWeight: number;
  elapsedSeconds: number;
  timeline: TimelineEntry[];
}

/**
 * Ticks on a virtual clock, jumping to each wake-up, until the rollout is Healthy or nothing is
 * due (a first deploy, or the stable revision before a simulated update).
 */
export async function tickUntilHealthy(controller: RolloutController, clock: VirtualClock, maxInstants = 100): Promise<RolloutStatus> {
  let status = await controller.tick();
  for (let i = 0; i < maxInstants && status.phase !== 'Healthy'; i++) {
    const next = controller.wakeAt();
    if (next === undefined) break;
    clock.advanceTo(next);
    status = await controller.tick();
  }
  return status;
}

/** Safety net against a controller that never settles; far beyond any real scenario. */
const MAX_INSTANTS = 5_000_000;

/** Lets every settled promise run its callbacks (a measurement that just ended records itself). */
const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A router that also reports, for each weight change, what every router Baton does not drive
 * (SMI, NGINX, ALB, ...) would be set to.
 */
function showingRouters(inner: TrafficRouter, report: (rollout: Rollout, setting: { router: string; set: string }) => void): TrafficRouter {
  return {
    async apply(rollout, effect) {
      await inner.apply(rollout, effect);
      const strategy = rollout.spec.strategy;
      if (effect.type !== 'setWeight' || strategy.type !== 'canary') return;
      for (const setting of routerSettings(rollout.metadata.name, strategy, effect.canary)) report(rollout, setting);
    },
  };
}

/**
 * Runs one rollout update on a virtual clock with simulated pods and scripted metrics, through the
 * real RolloutController: deploys the stable revision, applies the update, then advances time to
 * every wake-up (and the scenario's actions) until the rollout ends or `until` is reached.
 */
export async function simulate(input: {
  manifests: ManifestSet;
  /** The rollout as written: its template is the stable revision. */
  rollout: Rollout;
  /** The rollout after the scenario's update. */
  updated: Rollout;
  scenario: Scenario;
  script: Parameters<typeof createScriptedProvider>[0];
  /** The manifest files as read, for `edit` actions. */
  files?: readonly ManifestFile[];
}): Promise<SimulationResult> {
  const clock = createVirtualClock(0);
  const workloads = createSimulatedWorkloads(clock, 0);
  const provider = createScriptedProvider(input.script, { clock });
  const events: EngineEvent[] = [];
  const traffic = showingRouters(createMemoryTrafficRouter(), (rollout, s) => events.push({ at: clock.now(), rollout: rollout.metadata.name, type: 'RouterWeights', router: s.router, set: s.set }));
  let woken = false;
  const controller = new RolloutController(input.rollout, input.manifests, {
    clock,
    workloads,
    traffic,
    providerFor: () => provider,
    store: createMemoryStateStore({ copy: false }),
    onEvent: (e) => events.push(e),
    // Measurements that answer at once are awaited inside the tick; a job still running on the
    // virtual clock is not (it ends when the clock gets there), so then none is.
    get awaitMeasurements() {
      return provider.running() === 0;
    },
  });
  controller.onWake = () => {
    woken = true;
  };

  // The stable revision: deployed and available before the update (its pods are ready at once).
  let status = await tickUntilHealthy(controller, clock);
  events.length = 0;

  const start = clock.now();
  workloads.setReadyMs(input.scenario.readyMs);
  workloads.setPodRules(input.scenario.pods, start);
  controller.updateSpec(input.updated);
  let files = input.files ? [...input.files] : undefined;
  const actions = [...input.scenario.actions];

  const failed = (action: string, message: string): void => {
    events.push({ at: clock.now(), rollout: controller.name, type: 'ActionFailed', action, message });
  };
  // An action the rollout refuses (undo to a revision it never had) is reported, as
  // `kubectl argo rollouts` prints its error and changes nothing; the simulation goes on.
  const act = async (a: ScenarioAction): Promise<void> => {
    if ('update' in a) {
      const spec = controller.spec;
      const changed = spec.spec.template ? applyUpdate(spec.spec.template, a.update) : { error: 'the Rollout has no pod template' };
      if ('error' in changed) return failed('update', changed.error);
      events.push({ at: clock.now(), rollout: controller.name, type: 'Action', action: 'update', ...a.update });
      controller.updateSpec({ ...spec, spec: { ...spec.spec, template: changed.template } });
      return;
    }
    if ('edit' in a) {
      const edited = files ? applyEdit(files, a.edit, controller.name) : { error: 'no manifest files to edit' };
      if ('error' in edited) return failed('edit', edited.error);
      const { set, diagnostics } = parseManifests(edited.files);
      const error = diagnostics.find((d) => d.severity === 'error');
      const next = set.rollouts.find((r) => r.metadata.name === controller.name);
      if (error || !next) return failed('edit', error ? `${error.path}: ${error.message}` : `the edit removed Rollout "${controller.name}"`);
      files = edited.files;
      events.push({ at: clock.now(), rollout: controller.name, type: 'Action', action: 'edit', kind: a.edit.kind, set: Object.fromEntries(a.edit.set.map((x) => [x.path, x.value])) });
      // The template in force stays (the scenario's update, undo): an edit changes other fields.
      controller.updateSpec({ ...next, spec: { ...next.spec, template: controller.spec.spec.template } }, set);
      return;
    }
    try {
      await controller.act(a.action);
    } catch (e) {
      if (!(e instanceof BatonError) || e.code !== 'invalid-action') throw e;
      failed(a.action.type, e.message);
    }
  };
  // One instant: tick, then tick again while measurements that ended meanwhile (a job reaching
  // its end on the clock) have something to report.
  const podChanges = (): void => {
    for (const c of workloads.takePodChanges()) {
      events.push({ at: c.at, rollout: c.owner, type: c.ready ? 'PodReady' : 'PodUnready', revision: c.revision, pod: c.pod });
    }
  };
  const tick = async (): Promise<RolloutStatus> => {
    podChanges();
    // Only a job on the virtual clock answers outside the tick; without one, the tick awaited
    // every measurement it started and there is nothing to wait for.
    const timed = provider.running() > 0;
    let out = await controller.tick();
    if (!timed && provider.running() === 0) {
      woken = false;
      return out;
    }
    for (let i = 0; i < 1000; i++) {
      await drain();
      podChanges();
      if (!woken) break;
      woken = false;
      out = await controller.tick();
    }
    return out;
  };
  const end = start + input.scenario.untilMs;

  for (let instant = 0; instant < MAX_INSTANTS; instant++) {
    status = await tick();
    while (actions.length && start + (actions[0]?.at ?? 0) <= clock.now()) {
      const next = actions.shift();
      if (next) await act(next);
      status = await tick();
    }
    // Healthy, or aborted, is final; a rollout past its progress deadline (Degraded, not aborted)
    // still moves on by itself when its pods become available, as Argo's does.
    const settled = status.phase === 'Healthy' || (status.phase === 'Degraded' && (status.aborted || controller.wakeAt() === undefined));
    if (settled && actions.length === 0 && provider.running() === 0) break;
    const candidates = [controller.wakeAt(), provider.nextEndAt(), actions[0] ? start + actions[0].at : undefined].filter((t): t is number => t !== undefined && t > clock.now());
    const next = candidates.length ? Math.min(...candidates) : undefined;
    if (next === undefined || next > end) {
      clock.advanceTo(end);
      status = await tick();
      break;
    }
    clock.advanceTo(next);
  }

  const toSeconds = (at: number): number => Math.round(at - start) / 1000;
  return {
    rollout: input.rollout.metadata.name,
    phase: status.phase,
    message: status.message,
    aborted: status.aborted,
    stepIndex: status.stepIndex ?? 0,
    stepCount: status.stepCount,
    canaryWeight: status.canaryWeight,
    elapsedSeconds: toSeconds(clock.now()),
    // Pod changes are found after the tick that saw them; in time order they go where they happened.
    timeline: events.map(({ at, rollout: _rollout, ...rest }) => ({ t: toSeconds(at), ...rest })).sort((a, b) => a.t - b.t),
  };
}
