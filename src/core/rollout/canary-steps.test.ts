import { describe, expect, it } from 'vitest';
import type { CanaryStep } from '../spec/types.js';
import { canaryReplicasOrWeight, canaryStepString, currentSetWeight, previousSetWeight, setCanaryScaleInForce } from './canary-steps.js';
import { analysis, canaryStrategy, istioRouting } from './driver.test-support.js';
import { initialRolloutState, type RolloutState } from './types.js';

const steps: CanaryStep[] = [
  { kind: 'pause', duration: 10 },
  { kind: 'setWeight', weight: 20 },
  { kind: 'analysis', analysis: analysis('a') },
  { kind: 'setCanaryScale', replicas: 3, matchTrafficWeight: false },
  { kind: 'setWeight', weight: 60 },
  { kind: 'setCanaryScale', matchTrafficWeight: true },
];

function at(index: number, extra: Partial<RolloutState> = {}): RolloutState {
  return { ...initialRolloutState(), currentStepIndex: index, stableHash: 's', currentHash: 'c', ...extra };
}

describe('effective canary weight (Argo GetCurrentSetWeight)', () => {
  const strategy = canaryStrategy(steps);
  it('is the last setWeight at or before the index, 0 before any, 100 at the end, 0 when aborted', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => currentSetWeight(strategy, at(i)))).toEqual([0, 20, 20, 20, 60, 60, 100]);
    expect(currentSetWeight(strategy, at(4, { aborted: true }))).toBe(0);
  });

  it('previousSetWeight is the one strictly before the index', () => {
    expect([0, 1, 2, 4, 5].map((i) => previousSetWeight(strategy, at(i)))).toEqual([0, 0, 20, 20, 60]);
  });
});

describe('setCanaryScale (Argo UseSetCanaryScale)', () => {
  it('needs traffic routing, holds until matchTrafficWeight, and is dropped on abort unless the canary is kept', () => {
    expect(setCanaryScaleInForce(canaryStrategy(steps), at(3))).toBeUndefined();
    const routed = canaryStrategy(steps, { trafficRouting: istioRouting() });
    expect(setCanaryScaleInForce(routed, at(4))).toEqual({ replicas: 3 });
    expect(setCanaryScaleInForce(routed, at(5))).toBeUndefined();
    expect(setCanaryScaleInForce(routed, at(4, { aborted: true }))).toBeUndefined();
    const kept = canaryStrategy(steps, { trafficRouting: istioRouting(), abortScaleDownDelaySeconds: 0 });
    expect(setCanaryScaleInForce(kept, at(4, { aborted: true }))).toEqual({ replicas: 3 });
  });

  it('canaryReplicasOrWeight: 100 when promoting fully, with no stable or at the stable revision', () => {
    const routed = canaryStrategy(steps, { trafficRouting: istioRouting() });
    expect(canaryReplicasOrWeight(routed, at(4))).toEqual({ replicas: 3, weight: 0 });
    expect(canaryReplicasOrWeight(routed, at(1))).toEqual({ weight: 20 });
    expect(canaryReplicasOrWeight(routed, at(1, { promoteFull: true }))).toEqual({ weight: 100 });
    expect(canaryReplicasOrWeight(routed, at(1, { currentHash: 's' }))).toEqual({ weight: 100 });
  });
});

describe('canaryStepString (Argo CanaryStepString)', () => {
  it('prints steps as Argo does', () => {
    expect(
      [
        { kind: 'setWeight', weight: 10 },
        { kind: 'pause' },
        { kind: 'pause', duration: 90 },
        { kind: 'analysis', analysis: analysis('a') },
        { kind: 'setCanaryScale', weight: 20, matchTrafficWeight: false },
        { kind: 'setCanaryScale', matchTrafficWeight: true },
        { kind: 'setCanaryScale', replicas: 2, matchTrafficWeight: false },
      ].map((s) => canaryStepString(s as CanaryStep)),
    ).toEqual(['setWeight: 10', 'pause', 'pause: 1m30s', 'analysis', 'setCanaryScale{weight: 20}', 'setCanaryScale{matchTrafficWeight: true}', 'setCanaryScale{replicas: 2}']);
  });
});
