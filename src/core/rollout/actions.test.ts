import { describe, expect, it } from 'vitest';
import { BatonError } from '../errors.js';
import type { CanaryStep } from '../spec/types.js';
import { applyRolloutAction } from './actions.js';
import { analysis, canaryStrategy, istioRouting, makeRollout, RolloutDriver } from './driver.test-support.js';

const S = 1000;
const steps: CanaryStep[] = [
  { kind: 'setWeight', weight: 20 },
  { kind: 'analysis', analysis: analysis('check') },
  { kind: 'setWeight', weight: 60 },
  { kind: 'pause' },
];

function driver(): RolloutDriver {
  const d = new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting() }), { replicas: 4 }), { runScript: () => [] });
  d.run(0);
  return d;
}

function imageOf(d: RolloutDriver): string | undefined {
  return d.rollout.spec.template?.spec.containers[0]?.image;
}

describe('undo', () => {
  it('goes back to the previous revision; when that is stable, without steps', () => {
    const d = driver();
    d.update('shop:v2');
    d.run(10 * S);
    expect(d.status.stepIndex).toBe(1);
    d.act({ type: 'undo' });
    expect(imageOf(d)).toBe('shop:v1');
    d.run(20 * S);
    expect(d.status).toMatchObject({ phase: 'Healthy', stepIndex: 4, currentRevision: 3, stableRevision: 3 });
    expect(d.effectsOf('terminateAnalysisRun')).toHaveLength(1);
  });

  it('--to-revision N puts that revision back; a missing revision is an invalid-action error', () => {
    const d = driver();
    for (const v of ['v2', 'v3']) {
      d.update(`shop:${v}`);
      d.settle();
      d.act({ type: 'promote-full' });
      d.run(d.now + 10 * S);
    }
    expect(d.state.revisions.map((r) => r.revision)).toEqual([1, 2, 3]);
    d.act({ type: 'undo', toRevision: 2 });
    expect(imageOf(d)).toBe('shop:v2');
    d.run(d.now + 10 * S);
    // v2 is not the stable revision: the canary steps run again for it, as revision 4.
    expect(d.status).toMatchObject({ stepIndex: 1, currentRevision: 4, stableRevision: 3 });
    expect(d.state.revisions.map((r) => [r.revision, r.template.spec.containers[0]?.image])).toEqual([[1, 'shop:v1'], [3, 'shop:v3'], [4, 'shop:v2']]);

    const err = (() => {
      try {
        d.act({ type: 'undo', toRevision: 9 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BatonError);
    expect((err as BatonError).code).toBe('invalid-action');
    expect((err as BatonError).message).toBe("rollout 'shop' has no revision 9 (revisions: 1, 3, 4)");
  });

  it('with one revision there is nothing to undo', () => {
    const d = driver();
    expect(() => d.act({ type: 'undo' })).toThrowError(expect.objectContaining({ code: 'invalid-action' }) as Error);
  });
});

describe('promote', () => {
  it('with no pause, skips the step in progress (here: a running analysis)', () => {
    const d = driver();
    d.update('shop:v2');
    d.run(10 * S);
    expect(d.status).toMatchObject({ phase: 'Progressing', stepIndex: 1 });
    const run = d.effectsOf('startAnalysisRun')[0]?.name;
    d.act({ type: 'promote' });
    expect(d.state.currentStepIndex).toBe(2);
    d.settle();
    expect(d.effectsOf('terminateAnalysisRun').map((e) => e.name)).toEqual([run]);
    expect(d.status).toMatchObject({ phase: 'Paused', stepIndex: 3, canaryWeight: 60 });
  });

  it('at a pause step clears the condition; the step completes on the next reconcile', () => {
    const d = driver();
    d.update('shop:v2');
    d.run(20 * S);
    // Skip the setWeight and the running analysis.
    d.act({ type: 'promote' });
    d.run(30 * S);
    expect(d.status.stepIndex).toBe(3);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', stepIndex: 3 });
    const out = applyRolloutAction({ rollout: d.rollout, state: d.state, action: { type: 'promote' }, now: d.now });
    expect(out.state.pauseConditions).toEqual([]);
    expect(out.state.currentStepIndex).toBe(3);
    expect(out.effects).toEqual([{ type: 'event', event: { type: 'Resumed' } }]);
  });

  it('does not change the input state', () => {
    const d = driver();
    const before = JSON.stringify(d.state);
    applyRolloutAction({ rollout: d.rollout, state: d.state, action: { type: 'pause' }, now: 0 });
    expect(JSON.stringify(d.state)).toBe(before);
  });
});

describe('abort and retry', () => {
  it('retry when not aborted changes nothing', () => {
    const d = driver();
    const out = applyRolloutAction({ rollout: d.rollout, state: d.state, action: { type: 'retry' }, now: 0 });
    expect(out.state).toEqual(d.state);
    expect(out.effects).toEqual([]);
  });

  it('abort of a fully promoted rollout is removed and it stays Healthy (Argo newRolloutContext: "Removing abort condition from fully promoted rollout")', () => {
    const d = driver();
    d.act({ type: 'abort', reason: 'oops' });
    d.settle();
    expect(d.status).toMatchObject({ phase: 'Healthy', message: '', aborted: false });
    expect(d.events('Aborted')).toEqual([]);
    expect(d.events('AbortCleared')).toHaveLength(1);
    expect(d.state.abortMessage).toBeUndefined();
    // The next update runs its steps as any other.
    d.update('shop:v2');
    d.run(10 * S);
    expect(d.status).toMatchObject({ aborted: false, stepIndex: 1, canaryWeight: 20 });
  });

  it('abort in the middle of an update is not cleared', () => {
    const d = driver();
    d.update('shop:v2');
    d.run(10 * S);
    d.act({ type: 'abort' });
    d.settle();
    expect(d.status).toMatchObject({ phase: 'Degraded', aborted: true });
    expect(d.events('AbortCleared')).toEqual([]);
  });
});

describe('spec.paused in the manifest', () => {
  it('pauses like the pause verb; resume lifts it; editing it back to false resumes', () => {
    const r = makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting() }), { replicas: 4 });
    const d = new RolloutDriver(r, { runScript: () => [{ after: 0, phase: 'Successful' }] });
    d.run(0);
    d.rollout.spec.paused = true;
    d.update('shop:v2');
    d.run(10 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'manually paused', stepIndex: 0 });
    d.act({ type: 'resume' });
    d.run(20 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', stepIndex: 3 });
    d.rollout.spec.paused = false;
    d.settle();
    expect(d.status.message).toBe('CanaryPauseStep');
  });
});
