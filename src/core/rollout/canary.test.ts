import { describe, expect, it } from 'vitest';
import type { CanaryStep } from '../spec/types.js';
import { analysis, canaryStrategy, istioRouting, makeRollout, RolloutDriver } from './driver.test-support.js';
import { podTemplateHash } from './hash.js';

const S = 1000;

/** The seed's frontend steps (examples/tbyte/frontend-rollout.yaml). */
const seedSteps: CanaryStep[] = [
  { kind: 'setWeight', weight: 10 },
  { kind: 'pause', duration: 30 },
  { kind: 'analysis', analysis: analysis('frontend-analysis') },
  { kind: 'setWeight', weight: 25 },
  { kind: 'pause', duration: 30 },
  { kind: 'setWeight', weight: 50 },
  { kind: 'pause', duration: 30 },
  { kind: 'setWeight', weight: 75 },
  { kind: 'pause', duration: 30 },
];

function seedRollout() {
  return makeRollout(
    canaryStrategy(seedSteps, { canaryService: 'frontend-canary', stableService: 'frontend', trafficRouting: istioRouting() }),
  );
}

describe('canary: the seed frontend rollout', () => {
  it('goes through weights 10, 25, 50, 75, 100 and ends Healthy at t=180', () => {
    const d = new RolloutDriver(seedRollout(), { runScript: () => [{ after: 60 * S, phase: 'Successful' }] });
    d.run(0);
    expect(d.status.phase).toBe('Healthy');
    d.update('shop:v2');
    d.run(24 * 3600 * S);
    expect(d.events('WeightChanged').map((e) => [e.t / S, e.canary])).toEqual([
      [0, 10],
      [90, 25],
      [120, 50],
      [150, 75],
      [180, 100],
    ]);
    expect(d.events('Promoted').map((e) => [e.t / S, e.revision, e.reason])).toEqual([
      [0, 1, 'Initial deploy'],
      [180, 2, 'Completed all 9 canary steps'],
    ]);
    expect(d.status).toMatchObject({ phase: 'Healthy', message: '', stepIndex: 9, stepCount: 9, canaryWeight: 0, stableRevision: 2, currentRevision: 2, aborted: false });
    expect(d.events('AnalysisRunStarted')).toEqual([{ t: 30 * S, type: 'AnalysisRunStarted', run: `shop-${podTemplateHash(d.rollout.spec.template!)}-2-2`, kind: 'Step' }]);
    // After promotion all traffic goes to the stable side, which is now the new revision.
    expect(d.weight).toEqual({ canary: 0, stable: 100 });
    expect(d.selectors).toMatchObject({ stable: d.state.stableHash, canary: d.state.stableHash });
  });
});

const failedMessage = 'Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)';

function started(d: RolloutDriver): RolloutDriver {
  d.run(0);
  d.update('shop:v2');
  return d;
}

describe('canary: lifecycle', () => {
  it('scales the old stable down scaleDownDelaySeconds after promotion', () => {
    const d = started(new RolloutDriver(seedRollout(), { runScript: () => [{ after: 60 * S, phase: 'Successful' }] }));
    const oldStable = d.state.stableHash as string;
    d.run(24 * 3600 * S);
    const down = d.events('ScaledDown').filter((e) => e.hash === oldStable);
    expect(down.map((e) => e.t / S)).toEqual([210]);
    expect(d.pods.get(oldStable)).toEqual([]);
  });

  it('aborts at t=90 when the step analysis fails, with Argo wording, and scales the canary down 30 s later', () => {
    const d = started(new RolloutDriver(seedRollout(), { runScript: () => [{ after: 60 * S, phase: 'Failed', message: failedMessage }] }));
    d.run(24 * 3600 * S);
    const reason = `Step-based analysis phase error/failed: ${failedMessage}`;
    const message = `Rollout aborted update to revision 2: ${reason}`;
    expect(d.events('Aborted')).toEqual([{ t: 90 * S, type: 'Aborted', message: reason, revision: 2 }]);
    expect(d.status).toMatchObject({ phase: 'Degraded', message: `RolloutAborted: ${message}`, stepIndex: 0, canaryWeight: 0, aborted: true, stableRevision: 1 });
    expect(d.events('WeightChanged').map((e) => [e.t / S, e.canary])).toEqual([[0, 10], [90, 0]]);
    const canary = d.state.currentHash as string;
    expect(d.events('ScaledDown').map((e) => [e.t / S, e.hash])).toEqual([[120, canary]]);
    // With traffic routing the canary Service keeps its selector; the weight keeps traffic off it.
    expect(d.selectors['canary']).toBe(canary);
  });

  it('abortScaleDownDelaySeconds 0 leaves the aborted canary up', () => {
    const rollout = seedRollout();
    if (rollout.spec.strategy.type === 'canary') rollout.spec.strategy.abortScaleDownDelaySeconds = 0;
    const d = started(new RolloutDriver(rollout, { runScript: () => [{ after: 60 * S, phase: 'Error', message: 'boom' }] }));
    d.run(24 * 3600 * S);
    expect(d.status.message).toBe('RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: boom');
    expect(d.pods.get(d.state.currentHash as string)).toHaveLength(1);
    expect(d.wakeAt).toBeUndefined();
  });

  it('promotes the first deploy at once, skipping steps and analysis', () => {
    const d = new RolloutDriver(seedRollout(), { readyMs: 5 * S });
    d.run(0);
    expect(d.status).toMatchObject({ phase: 'Progressing', message: 'updated replicas are still becoming available', stepIndex: 9, stableRevision: 1 });
    d.run(60 * S);
    expect(d.status.phase).toBe('Healthy');
    expect(d.runs.size).toBe(0);
    expect(d.weights).toEqual([]);
  });

  it('a new template mid-rollout restarts at step 0 and clears the pause', () => {
    const d = started(new RolloutDriver(seedRollout()));
    d.run(10 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', stepIndex: 1 });
    const v2 = d.state.currentHash as string;
    d.update('shop:v3');
    d.run(10 * S);
    expect(d.state.currentStepIndex).toBe(1);
    expect(d.state.pauseConditions.map((c) => c.reason)).toEqual(['CanaryPauseStep']);
    expect(d.state.currentHash).not.toBe(v2);
    // The replaced canary is an old revision now: with traffic routing it goes after scaleDownDelaySeconds.
    expect(d.pods.get(v2)).toHaveLength(1);
    expect(d.state.scaleDownAt[v2]).toBe(40 * S);
    d.run(40 * S);
    expect(d.pods.get(v2)).toEqual([]);
    expect(d.status.currentRevision).toBe(3);
    expect(d.events('StepStarted').filter((e) => e.index === 0)).toHaveLength(2);
  });

  it('scaleDownDelayRevisionLimit: only that many old revisions wait out their delay', () => {
    const d = new RolloutDriver(makeRollout(canaryStrategy([], { trafficRouting: istioRouting(), scaleDownDelaySeconds: 60, scaleDownDelayRevisionLimit: 1 })));
    d.run(0);
    const v1 = d.state.stableHash as string;
    d.update('shop:v2');
    d.run(10 * S);
    const v2 = d.state.stableHash as string;
    expect(d.pods.get(v1)).toHaveLength(2);
    d.update('shop:v3');
    d.run(20 * S);
    expect(d.pods.get(v1)).toEqual([]);
    expect(d.pods.get(v2)).toHaveLength(2);
    d.run(80 * S);
    expect(d.pods.get(v2)).toEqual([]);
    // v2 was promoted at t=0 and v3 at t=10: v1 goes at once (over the limit), v2 after its 60 s.
    expect(d.events('ScaledDown').map((e) => [e.t / S, e.hash])).toEqual([[10, v1], [70, v2]]);
    expect(d.events('ScaledDown').map((e) => e.revision)).toEqual([1, 2]);
  });

  it('a template equal to the stable one jumps to the end: no steps, no analysis', () => {
    const d = started(new RolloutDriver(seedRollout(), { runScript: () => [{ after: 60 * S, phase: 'Successful' }] }));
    d.run(40 * S);
    expect(d.runs.size).toBe(1);
    d.update('shop:v1');
    d.run(24 * 3600 * S);
    expect(d.events('RolledBackToStable')).toHaveLength(1);
    expect(d.status).toMatchObject({ phase: 'Healthy', stepIndex: 9, currentRevision: 3, stableRevision: 3, canaryWeight: 0 });
    expect(d.runs.size).toBe(1);
    expect(d.effectsOf('terminateAnalysisRun')).toHaveLength(1);
    expect(d.weight).toEqual({ canary: 0, stable: 100 });
  });

  it('completes at most one step per reconcile', () => {
    const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 20 }, { kind: 'setWeight', weight: 40 }, { kind: 'setWeight', weight: 60 }];
    const d = new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting() }), { replicas: 5 }));
    d.run(0);
    d.update('shop:v2');
    const indexes: number[] = [];
    for (let i = 0; i < 12; i++) {
      d.reconcileOnce();
      indexes.push(d.state.currentStepIndex ?? 0);
    }
    for (let i = 1; i < indexes.length; i++) expect((indexes[i] ?? 0) - (indexes[i - 1] ?? 0)).toBeLessThanOrEqual(1);
    expect(indexes.at(-1)).toBe(3);
    expect(d.weights).toEqual([20, 40, 60, 100, 0]);
  });

  it('holds the previous weight while the canary scales for the next setWeight', () => {
    const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 20 }, { kind: 'setWeight', weight: 60 }];
    const d = new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting() }), { replicas: 5 }), { readyMs: 10 * S });
    d.run(0);
    d.run(10 * S);
    d.update('shop:v2');
    d.run(10 * S);
    expect(d.weight.canary).toBe(0);
    expect(d.status.message).toBe('more replicas need to be updated');
    d.run(20 * S);
    expect(d.weight.canary).toBe(20);
    expect(d.pods.get(d.state.currentHash as string)).toHaveLength(3);
    d.run(25 * S);
    expect(d.weight.canary).toBe(20);
    d.run(30 * S);
    expect(d.weight.canary).toBe(60);
  });

  it('a setWeight step waits for the router to report the weight applied', () => {
    let verified = false;
    const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 50 }, { kind: 'pause' }];
    const d = new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting() })), { trafficWeightVerified: () => verified });
    started(d).run(10 * S);
    expect(d.weight.canary).toBe(50);
    expect(d.state.currentStepIndex).toBe(0);
    verified = true;
    d.settle();
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', stepIndex: 1 });
  });
});

describe('canary: pause steps', () => {
  const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 50 }, { kind: 'pause' }, { kind: 'pause', duration: 30 }, { kind: 'pause', duration: 0 }];

  it('an indefinite pause completes only on promote; a timed one at start + duration; 0 at the next reconcile', () => {
    const d = started(new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting() }))));
    d.run(3600 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', stepIndex: 1 });
    expect(d.wakeAt).toBeUndefined();
    d.now = 4000 * S;
    d.act({ type: 'promote' });
    d.reconcileOnce();
    expect(d.state.currentStepIndex).toBe(2);
    d.settle();
    const pauseStart = d.state.pauseConditions[0]?.startTime;
    expect(pauseStart).toBe(4000 * S);
    expect(d.wakeAt).toBe(4030 * S);
    d.now = 4030 * S - 1;
    d.settle();
    expect(d.state.currentStepIndex).toBe(2);
    d.now = 4030 * S;
    d.reconcileOnce();
    expect(d.state.currentStepIndex).toBe(3);
    // pause: 0 adds its condition, then completes on the following reconcile at the same time.
    d.reconcileOnce();
    expect(d.state.pauseConditions.map((c) => c.reason)).toEqual(['CanaryPauseStep']);
    d.reconcileOnce();
    expect(d.state.currentStepIndex).toBe(4);
    d.settle();
    expect(d.status.phase).toBe('Healthy');
  });

  it('pause/resume: manually paused holds every step; resume carries on', () => {
    const d = started(new RolloutDriver(seedRollout(), { runScript: () => [{ after: 60 * S, phase: 'Successful' }] }));
    d.run(200 * S, [
      { at: 45 * S, action: { type: 'pause' } },
      { at: 175 * S, action: { type: 'resume' } },
    ]);
    expect(d.events('WeightChanged').map((e) => [e.t / S, e.canary])).toEqual([[0, 10], [175, 25]]);
    d.now = 100 * S;
    expect(d.events('Paused').map((e) => e.reason)).toContain('manually paused');
    d.run(24 * 3600 * S);
    expect(d.status.phase).toBe('Healthy');
  });

  it('status while manually paused is Paused "manually paused"', () => {
    const d = started(new RolloutDriver(seedRollout()));
    d.run(5 * S);
    d.act({ type: 'pause' });
    d.settle();
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'manually paused' });
  });
});
