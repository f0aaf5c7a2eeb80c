/**
 * `baton simulate`: the real engine (the same RolloutController the runtime uses) on a virtual
 * clock, with simulated pods that become available after `readySeconds` and scripted metric
 * results. Time jumps straight to the next thing that is due, so a 24 h analysis takes
 * milliseconds.
 */
import { createScriptedProvider } from '../adapters/metrics/scripted/index.js';
import { createVirtualClock, type VirtualClock } from '../adapters/clock/virtual.js';
import { createMemoryStateStore } from '../adapters/store/memory/index.js';
import { createMemoryTrafficRouter } from '../adapters/traffic/memory/index.js';
import { createSimulatedWorkloads } from '../adapters/workloads/simulated/index.js';
import { BatonError } from '../core/errors.js';
import type { RolloutAction, RolloutPhase, RolloutStatus } from '../core/rollout/index.js';
import type { Scenario } from '../core/simulate/scenario.js';
import type { ManifestSet, Rollout } from '../core/spec/types.js';
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
}): Promise<SimulationResult> {
  const clock = createVirtualClock(0);
  const workloads = createSimulatedWorkloads(clock, 0);
  const provider = createScriptedProvider(input.script);
  const events: EngineEvent[] = [];
  const controller = new RolloutController(input.rollout, input.manifests, {
    clock,
    workloads,
    traffic: createMemoryTrafficRouter(),
    providerFor: () => provider,
    store: createMemoryStateStore({ copy: false }),
    onEvent: (e) => events.push(e),
    awaitMeasurements: true,
  });

  // The stable revision: deployed and available before the update (its pods are ready at once).
  let status = await tickUntilHealthy(controller, clock);
  events.length = 0;

  const start = clock.now();
  workloads.setReadyMs(input.scenario.readyMs);
  controller.updateSpec(input.updated);
  const actions = [...input.scenario.actions];
  // An action the rollout refuses (undo to a revision it never had) is reported, as
  // `kubectl argo rollouts` prints its error and changes nothing; the simulation goes on.
  const act = async (action: RolloutAction): Promise<void> => {
    try {
      await controller.act(action);
    } catch (e) {
      if (!(e instanceof BatonError) || e.code !== 'invalid-action') throw e;
      events.push({ at: clock.now(), rollout: controller.name, type: 'ActionFailed', action: action.type, message: e.message });
    }
  };
  const end = start + input.scenario.untilMs;

  for (let instant = 0; instant < MAX_INSTANTS; instant++) {
    status = await controller.tick();
    while (actions.length && start + (actions[0]?.at ?? 0) <= clock.now()) {
      const next = actions.shift();
      if (next) await act(next.action);
      status = await controller.tick();
    }
    // Healthy, or aborted, is final; a rollout past its progress deadline (Degraded, not aborted)
    // still moves on by itself when its pods become available, as Argo's does.
    const settled = status.phase === 'Healthy' || (status.phase === 'Degraded' && (status.aborted || controller.wakeAt() === undefined));
    if (settled && actions.length === 0) break;
    const candidates = [controller.wakeAt(), actions[0] ? start + actions[0].at : undefined].filter((t): t is number => t !== undefined);
    const next = candidates.length ? Math.min(...candidates) : undefined;
    if (next === undefined || next > end) {
      clock.advanceTo(end);
      status = await controller.tick();
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
    timeline: events.map(({ at, rollout: _rollout, ...rest }) => ({ t: toSeconds(at), ...rest })),
  };
}
