import { describe, expect, it } from 'vitest';
import type { CanaryStep } from '../spec/types.js';
import { analysis, canaryStrategy, istioRouting, makeRollout, RolloutDriver, type RunScript } from './driver.test-support.js';
import { analysisRunBaseName, allocateRunName, resolveRolloutArgs } from './analysis-runs.js';
import type { AnalysisRunKind } from './types.js';

const S = 1000;

const steps: CanaryStep[] = [
  { kind: 'setWeight', weight: 20 },
  { kind: 'analysis', analysis: analysis('step-check') },
  { kind: 'setWeight', weight: 60 },
  { kind: 'pause', duration: 60 },
];

function rollout(extra: Parameters<typeof canaryStrategy>[1] = {}) {
  return makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting(), ...extra }), { replicas: 4 });
}

function scripted(byKind: Partial<Record<AnalysisRunKind, RunScript>>) {
  return { runScript: ({ kind }: { kind: AnalysisRunKind }) => byKind[kind] ?? [{ after: 0, phase: 'Successful' as const }] };
}

function started(d: RolloutDriver): RolloutDriver {
  d.run(0);
  d.update('shop:v2');
  return d;
}

describe('analysis run names', () => {
  it('follow Argo: step, background, pre and post', () => {
    expect(analysisRunBaseName('shop', 'abc', 2, 'Step', 3)).toBe('shop-abc-2-3');
    expect(analysisRunBaseName('shop', 'abc', 2, 'Background')).toBe('shop-abc-2');
    expect(analysisRunBaseName('shop', 'abc', 2, 'PrePromotion')).toBe('shop-abc-2-pre');
    expect(analysisRunBaseName('shop', 'abc', 2, 'PostPromotion')).toBe('shop-abc-2-post');
  });

  it('a taken name gets the collision counter .1, .2', () => {
    expect(allocateRunName([], 'a')).toBe('a');
    expect(allocateRunName(['a'], 'a')).toBe('a.1');
    expect(allocateRunName(['a', 'a.1'], 'a')).toBe('a.2');
  });

  it('resolves args from value, pod template hashes and fieldRef', () => {
    const r = makeRollout(canaryStrategy([]));
    const args = resolveRolloutArgs(
      [
        { name: 'v', value: 'x' },
        { name: 'stable', valueFrom: { podTemplateHashValue: 'Stable' } },
        { name: 'latest', valueFrom: { podTemplateHashValue: 'Latest' } },
        { name: 'name', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'team', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
        { name: 'replicas', valueFrom: { fieldRef: { fieldPath: 'spec.replicas' } } },
        { name: 'missing', valueFrom: { fieldRef: { fieldPath: 'metadata.labels.nope' } } },
        { name: 'none' },
      ],
      r,
      'stablehash',
      'currenthash',
    );
    expect(args).toEqual([
      { name: 'v', value: 'x' },
      { name: 'stable', value: 'stablehash' },
      { name: 'latest', value: 'currenthash' },
      { name: 'name', value: 'shop' },
      { name: 'team', value: 'web' },
      { name: 'replicas', value: '2' },
      { name: 'missing' },
      { name: 'none' },
    ]);
  });
});

describe('canary: step analysis', () => {
  it('Successful completes the step', () => {
    const d = started(new RolloutDriver(rollout(), scripted({ Step: [{ after: 20 * S, phase: 'Successful' }] })));
    d.run(19 * S);
    expect(d.state.currentStepIndex).toBe(1);
    d.run(20 * S);
    expect(d.state.currentStepIndex).toBe(3);
    expect(d.weight.canary).toBe(60);
  });

  it('Inconclusive pauses with InconclusiveAnalysisRun; promote moves past the step', () => {
    const d = started(new RolloutDriver(rollout(), scripted({ Step: [{ after: 10 * S, phase: 'Inconclusive' }] })));
    d.run(100 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'InconclusiveAnalysisRun', stepIndex: 1 });
    d.act({ type: 'promote' });
    expect(d.state.currentStepIndex).toBe(2);
    d.settle();
    expect(d.weight.canary).toBe(60);
  });

  it('promote past an inconclusive analysis does not also skip a pause step right after it', () => {
    const withPause: CanaryStep[] = [{ kind: 'setWeight', weight: 20 }, { kind: 'analysis', analysis: analysis('a') }, { kind: 'pause' }, { kind: 'setWeight', weight: 60 }];
    const d = started(new RolloutDriver(makeRollout(canaryStrategy(withPause, { trafficRouting: istioRouting() }), { replicas: 4 }), scripted({ Step: [{ after: 10 * S, phase: 'Inconclusive' }] })));
    d.run(100 * S);
    d.act({ type: 'promote' });
    d.run(200 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', stepIndex: 2 });
  });

  it('Inconclusive then resume measures again with a new run (<name>.1)', () => {
    let calls = 0;
    const d = started(
      new RolloutDriver(rollout(), {
        runScript: () => (calls++ === 0 ? [{ after: 10 * S, phase: 'Inconclusive' }] : [{ after: 10 * S, phase: 'Successful' }]),
      }),
    );
    d.run(50 * S);
    d.act({ type: 'resume' });
    d.run(100 * S);
    const names = d.effectsOf('startAnalysisRun').map((e) => e.name);
    expect(names).toHaveLength(2);
    expect(names[1]).toBe(`${names[0]}.1`);
    expect(d.state.currentStepIndex).toBe(3);
  });

  it('Failed aborts with the run message; the rollout holds at step 0 with weight 0', () => {
    const d = started(new RolloutDriver(rollout(), scripted({ Step: [{ after: 10 * S, phase: 'Failed', message: 'Metric "x" assessed Failed due to failed (1) > failureLimit (0)' }] })));
    d.run(600 * S);
    expect(d.status).toMatchObject({
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: Metric "x" assessed Failed due to failed (1) > failureLimit (0)',
      stepIndex: 0,
      canaryWeight: 0,
    });
  });
});

describe('canary: background analysis', () => {
  const background = { ...analysis('bg-check'), startingStep: 2 };

  it('starts at startingStep and is terminated at promotion', () => {
    const d = started(new RolloutDriver(rollout({ analysis: background }), scripted({ Background: [], Step: [{ after: 20 * S, phase: 'Successful' }] })));
    d.run(1 * S);
    expect(d.effectsOf('startAnalysisRun').map((e) => e.kind)).toEqual(['Step']);
    d.run(30 * S);
    const bg = d.effectsOf('startAnalysisRun').find((e) => e.kind === 'Background');
    expect(bg?.name).toBe(`shop-${d.state.currentHash}-2`);
    d.run(24 * 3600 * S);
    expect(d.status.phase).toBe('Healthy');
    expect(d.effectsOf('terminateAnalysisRun').map((e) => e.name)).toEqual([bg?.name]);
  });

  it('Failed aborts with "Background analysis phase error/failed"', () => {
    const d = started(new RolloutDriver(rollout({ analysis: { ...background, startingStep: 0 } }), scripted({ Background: [{ after: 5 * S, phase: 'Error', message: 'Metric "y" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4)' }], Step: [] })));
    d.run(60 * S);
    expect(d.status.message).toBe(
      'RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed: Metric "y" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4)',
    );
    expect(d.events('Aborted').map((e) => e.t)).toEqual([5 * S]);
  });

  it('Inconclusive pauses the rollout', () => {
    const d = started(new RolloutDriver(rollout({ analysis: { ...background, startingStep: 0 } }), scripted({ Background: [{ after: 5 * S, phase: 'Inconclusive' }], Step: [] })));
    d.run(60 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'InconclusiveAnalysisRun' });
  });

  it('Inconclusive halts progress until a person acts: no scaling, no promotion past a timed pause (Argo haltProgress)', () => {
    const timed: CanaryStep[] = [
      { kind: 'setWeight', weight: 25 },
      { kind: 'pause', duration: 30 },
      { kind: 'setWeight', weight: 50 },
      { kind: 'pause', duration: 30 },
    ];
    const r = makeRollout(canaryStrategy(timed, { trafficRouting: istioRouting(), analysis: { ...background, startingStep: 0 } }), { replicas: 4 });
    let runs = 0;
    const d = started(new RolloutDriver(r, { runScript: () => (runs++ === 0 ? [{ after: 5 * S, phase: 'Inconclusive' }] : []) }));
    d.run(3600 * S);
    // The timed pause ran out (Argo's CompletedCanaryPauseStep ignores the other pause), but the
    // 50 % step cannot scale, so the rollout holds at 25 % with one canary pod.
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'InconclusiveAnalysisRun', stepIndex: 2, canaryWeight: 25 });
    expect(d.state.desiredReplicas[d.state.currentHash as string]).toBe(1);
    expect(d.events('Promoted')).toHaveLength(1); // the first deploy only
    d.act({ type: 'promote' });
    d.run(3610 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', stepIndex: 3, canaryWeight: 50 });
    expect(runs).toBe(2);
    d.run(3700 * S);
    expect(d.status.phase).toBe('Healthy');
  });

  it('spec.paused holds scaling in the middle of a step, and resume goes on', () => {
    const r = makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }], { trafficRouting: istioRouting() }), { replicas: 4 });
    const d = new RolloutDriver(r, { readyMs: 10 * S, runScript: () => [] });
    d.run(0);
    d.update('shop:v2');
    d.rollout.spec.paused = true;
    d.run(600 * S);
    expect(d.state.desiredReplicas[d.state.currentHash as string] ?? 0).toBe(0);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'manually paused' });
    d.act({ type: 'resume' });
    d.run(1200 * S);
    expect(d.status.phase).toBe('Healthy');
  });

  it('an abort is never held by spec.paused: the canary goes to 0 (Baton differs from Argo here, on purpose)', () => {
    const r = makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }, { kind: 'pause' }]), { replicas: 4 });
    const d = new RolloutDriver(r, { runScript: () => [] });
    d.run(0);
    d.update('shop:v2');
    d.run(10 * S);
    expect(d.state.desiredReplicas[d.state.currentHash as string]).toBe(2);
    d.act({ type: 'pause' });
    d.act({ type: 'abort' });
    d.run(100 * S);
    expect(d.state.desiredReplicas[d.state.currentHash as string]).toBe(0);
    expect(d.state.desiredReplicas[d.state.stableHash as string]).toBe(4);
  });
});

describe('canary: abort, retry, promote --full', () => {
  it('abort: runs terminated, weight 0, routes removed, message without a reason; retry restarts with new runs', () => {
    const withRoute: CanaryStep[] = [
      { kind: 'setWeight', weight: 20 },
      { kind: 'setHeaderRoute', name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: 'yes' } }] },
      { kind: 'analysis', analysis: analysis('step-check') },
      { kind: 'setWeight', weight: 60 },
    ];
    const r = makeRollout(canaryStrategy(withRoute, { trafficRouting: istioRouting(['beta']) }), { replicas: 4 });
    const d = started(new RolloutDriver(r, scripted({ Step: [{ after: 100 * S, phase: 'Successful' }] })));
    d.run(10 * S);
    expect(d.routes.has('beta')).toBe(true);
    const first = d.effectsOf('startAnalysisRun')[0]?.name;
    d.act({ type: 'abort' });
    d.settle();
    expect(d.status).toMatchObject({ phase: 'Degraded', message: 'RolloutAborted: Rollout aborted update to revision 2', stepIndex: 0, canaryWeight: 0, aborted: true });
    expect(d.effectsOf('terminateAnalysisRun').map((e) => e.name)).toEqual([first]);
    expect(d.routes.size).toBe(0);
    expect(d.weight).toEqual({ canary: 0, stable: 100 });

    d.now = 20 * S;
    d.act({ type: 'retry' });
    d.run(20 * S);
    expect(d.status).toMatchObject({ aborted: false, stepIndex: 2, canaryWeight: 20 });
    expect(d.effectsOf('startAnalysisRun').map((e) => e.name)).toEqual([first, `${first}.1`]);
    d.run(24 * 3600 * S);
    expect(d.status.phase).toBe('Healthy');
  });

  it('abort with a reason puts it after the revision', () => {
    const d = started(new RolloutDriver(rollout(), scripted({ Step: [] })));
    d.run(10 * S);
    d.act({ type: 'abort', reason: 'error budget burnt' });
    d.settle();
    expect(d.status.message).toBe('RolloutAborted: Rollout aborted update to revision 2: error budget burnt');
  });

  it('promote --full skips the remaining steps and analysis: the canary scales to full, the weight holds until promotion', () => {
    const d = started(new RolloutDriver(rollout({ analysis: { ...analysis('bg'), startingStep: 0 } }), { ...scripted({ Step: [], Background: [] }), readyMs: 5 * S }));
    d.run(30 * S);
    expect(d.state.currentStepIndex).toBe(1);
    d.act({ type: 'promote-full' });
    d.run(30 * S);
    expect(d.pods.get(d.state.currentHash as string)).toHaveLength(4);
    expect(d.weight.canary).toBe(20);
    expect(d.effectsOf('terminateAnalysisRun')).toHaveLength(2);
    expect(d.status).toMatchObject({ stableRevision: 1, stepIndex: 4, phase: 'Progressing', message: 'waiting for all steps to complete' });
    d.run(40 * S);
    expect(d.events('Promoted').at(-1)).toMatchObject({ t: 35 * S, revision: 2, reason: 'Full promotion requested' });
    expect(d.status).toMatchObject({ phase: 'Healthy', stepIndex: 4 });
    // All traffic on the stable side, which is now the new revision.
    expect(d.weight).toEqual({ canary: 0, stable: 100 });
  });
});

describe('canary: managed routes', () => {
  it('header and mirror routes are set on their step and removed at promotion; no match removes a route', () => {
    const withRoutes: CanaryStep[] = [
      { kind: 'setHeaderRoute', name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: 'yes' } }] },
      { kind: 'setMirrorRoute', name: 'mirror', match: [{ path: { prefix: '/api' } }], percentage: 35 },
      { kind: 'setWeight', weight: 50 },
      { kind: 'pause' },
      { kind: 'setHeaderRoute', name: 'beta' },
      { kind: 'pause' },
    ];
    const r = makeRollout(canaryStrategy(withRoutes, { trafficRouting: istioRouting(['beta', 'mirror']) }));
    const d = started(new RolloutDriver(r));
    d.run(10 * S);
    expect(d.effectsOf('setHeaderRoute')).toEqual([{ type: 'setHeaderRoute', name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: 'yes' } }] }]);
    expect(d.effectsOf('setMirrorRoute')).toEqual([{ type: 'setMirrorRoute', name: 'mirror', match: [{ path: { prefix: '/api' } }], percentage: 35 }]);
    expect([...d.routes.keys()]).toEqual(['beta', 'mirror']);
    d.act({ type: 'promote' });
    d.run(20 * S);
    expect([...d.routes.keys()]).toEqual(['mirror']);
    d.act({ type: 'promote' });
    d.run(30 * S);
    expect(d.status.phase).toBe('Healthy');
    expect(d.routes.size).toBe(0);
    expect(d.effectsOf('removeManagedRoutes')).toEqual([
      { type: 'removeManagedRoutes', names: ['beta'] },
      { type: 'removeManagedRoutes', names: ['mirror'] },
    ]);
  });
});
