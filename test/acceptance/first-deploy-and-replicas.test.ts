/**
 * Acceptance: what `baton simulate` does before its update (the first deploy, argo-semantics.md
 * "First deploy"), driven through the engine's RolloutController as simulate drives it, and the
 * replica counts the canary gets, seen as Scaled events in the simulate timeline.
 */
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/adapters/clock/virtual.js';
import { createScriptedProvider } from '../../src/adapters/metrics/scripted/index.js';
import { createMemoryStateStore } from '../../src/adapters/store/memory/index.js';
import { createMemoryTrafficRouter } from '../../src/adapters/traffic/memory/index.js';
import { createSimulatedWorkloads } from '../../src/adapters/workloads/simulated/index.js';
import { parseManifests } from '../../src/core/spec/load.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { RolloutController } from '../../src/engine/rollout-controller.js';
import { tickUntilHealthy } from '../../src/engine/simulate.js';
import { basicCanary, blueGreenRollout, events, promTemplate, routedCanary, simulate } from './support.js';

async function firstDeploy(yaml: string, readyMs: number): Promise<{ events: EngineEvent[]; phase: string; at: number }> {
  const { set, diagnostics } = parseManifests([{ path: 'm.yaml', text: yaml }]);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const rollout = set.rollouts[0];
  if (!rollout) throw new Error('no rollout');
  const clock = createVirtualClock(0);
  const seen: EngineEvent[] = [];
  const controller = new RolloutController(rollout, set, {
    clock,
    workloads: createSimulatedWorkloads(clock, readyMs),
    traffic: createMemoryTrafficRouter(),
    providerFor: () => createScriptedProvider({}),
    store: createMemoryStateStore({ copy: false }),
    onEvent: (e) => seen.push(e),
    awaitMeasurements: true,
  });
  const status = await tickUntilHealthy(controller, clock);
  return { events: seen, phase: status.phase, at: clock.now() };
}

const byType = (all: EngineEvent[], type: string): EngineEvent[] => all.filter((e) => e.type === type);

describe('first deploy (no stable revision yet)', () => {
  it('canary: promoted at once, steps and analysis skipped', async () => {
    const yaml =
      routedCanary(`      analysis: {templates: [{templateName: tpl}]}
      steps:
      - setWeight: 20
      - analysis: {templates: [{templateName: tpl}]}
      - pause: {}
`) + promTemplate('tpl', [{ name: 'm', fields: 'successCondition: result > 1' }]);
    const out = await firstDeploy(yaml, 5000);
    expect(out.phase).toBe('Healthy');
    expect(out.at).toBe(5000);
    expect(byType(out.events, 'Promoted').map((e) => [e.at, e.revision, e.reason])).toEqual([[0, 1, 'Initial deploy']]);
    expect(byType(out.events, 'AnalysisRunStarted')).toEqual([]);
    expect(byType(out.events, 'StepStarted')).toEqual([]);
    expect(byType(out.events, 'Paused')).toEqual([]);
  });

  it('blue/green: the active Service switches at once, no pause, no analysis', async () => {
    const yaml =
      blueGreenRollout(
        `      autoPromotionEnabled: false
      prePromotionAnalysis: {templates: [{templateName: tpl}]}`,
        { replicas: 2 },
      ) + promTemplate('tpl', [{ name: 'm', fields: 'successCondition: result > 1' }]);
    const out = await firstDeploy(yaml, 5000);
    expect(out.phase).toBe('Healthy');
    expect(byType(out.events, 'ActiveSwitched').map((e) => [e.at, e.revision])).toEqual([[0, 1]]);
    expect(byType(out.events, 'Promoted').map((e) => [e.at, e.reason])).toEqual([[0, 'Initial deploy']]);
    expect(byType(out.events, 'Paused')).toEqual([]);
    expect(byType(out.events, 'AnalysisRunStarted')).toEqual([]);
  });
});

/** The last replica count asked of each revision. */
function finalScale(r: Awaited<ReturnType<typeof simulate>>['result']): { canary?: number; stable?: number } {
  const out: { canary?: number; stable?: number } = {};
  for (const e of events(r, 'Scaled')) {
    if (e.revision === 2) out.canary = e.replicas as number;
    if (e.revision === 1) out.stable = e.replicas as number;
  }
  return out;
}

describe('canary replicas', () => {
  // argo-semantics.md vectors (replicas, weight, maxSurge -> canary/stable).
  it.each([
    [10, 41, '0', 4, 6],
    [10, 20, '1', 2, 8],
    [10, 25, '1', 3, 8],
    [3, 50, '0', 2, 1],
    [2, 99, '0', 1, 1],
  ])('basic canary: %i replicas, weight %i, maxSurge %s -> %i canary / %i stable', async (replicas, weight, maxSurge, canary, stable) => {
    const rollout = basicCanary(
      `      maxSurge: ${maxSurge}
      maxUnavailable: 1
      steps:
      - setWeight: ${weight}
      - pause: {}
`,
      { replicas },
    );
    const { exitCode, result } = await simulate(rollout, 'update: {image: "shop:v2"}\nuntil: 1h\n');
    expect(exitCode).toBe(2);
    expect(result).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', stepIndex: 1 });
    const got = finalScale(result);
    expect(got.canary).toBe(canary);
    // A stable left at `replicas` is never rescaled.
    expect(got.stable ?? replicas).toBe(stable);
  });

  it('traffic-routed: canary = ceil(weight * replicas / 100), stable stays at replicas', async () => {
    const { result } = await simulate(routedCanary('      steps:\n      - setWeight: 10\n      - pause: {}\n', { replicas: 5 }), 'update: {image: "shop:v2"}\nuntil: 1h\n');
    expect(finalScale(result)).toEqual({ canary: 1 });
  });

  it('traffic-routed with dynamicStableScale: stable = ceil((100 - weight) * replicas / 100)', async () => {
    const { result } = await simulate(
      routedCanary('      dynamicStableScale: true\n      steps:\n      - setWeight: 60\n      - pause: {}\n', { replicas: 5 }),
      'update: {image: "shop:v2"}\nuntil: 1h\n',
    );
    expect(finalScale(result)).toEqual({ canary: 3, stable: 2 });
    expect(events(result, 'WeightChanged').map((e) => e.canary)).toEqual([60]);
  });
});
