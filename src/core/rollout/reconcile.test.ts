import { describe, expect, it } from 'vitest';
import { BatonError } from '../errors.js';
import { canaryStrategy, istioRouting, makeRollout, RolloutDriver } from './driver.test-support.js';
import { reconcileRollout } from './reconcile.js';
import { initialRolloutState } from './types.js';

const S = 1000;

describe('reconcileRollout', () => {
  it('throws invalid-rollout when the template is not resolved', () => {
    const r = makeRollout(canaryStrategy([]));
    delete r.spec.template;
    let err: unknown;
    try {
      reconcileRollout({ rollout: r, state: initialRolloutState(), observed: { revisions: [], analysisRuns: {} }, now: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BatonError);
    expect((err as BatonError).code).toBe('invalid-rollout');
    expect((err as BatonError).message).toContain('Rollout "shop"');
  });

  it('leaves its input state alone and is idempotent at a fixed point', () => {
    const d = new RolloutDriver(makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }, { kind: 'pause', duration: 60 }], { trafficRouting: istioRouting() })));
    d.run(0);
    d.update('shop:v2');
    d.run(10 * S);
    const input = { rollout: d.rollout, state: d.state, observed: d.observed(), now: d.now };
    const before = JSON.stringify(input.state);
    const once = reconcileRollout(input);
    expect(JSON.stringify(input.state)).toBe(before);
    expect(once.effects).toEqual([]);
    expect(once.state).toEqual(d.state);
    // Plain JSON: survives a round trip through the store.
    expect(JSON.parse(JSON.stringify(once.state))).toEqual(once.state);
  });

  it('wakeAt is the next time-based thing: a pause end, then a scale-down delay', () => {
    const d = new RolloutDriver(makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }, { kind: 'pause', duration: 60 }], { trafficRouting: istioRouting(), scaleDownDelaySeconds: 45 })));
    d.run(0);
    d.update('shop:v2');
    d.run(10 * S);
    expect(d.wakeAt).toBe(60 * S);
    d.run(60 * S);
    expect(d.status.phase).toBe('Healthy');
    expect(d.wakeAt).toBe(105 * S);
    d.run(105 * S);
    expect(d.wakeAt).toBeUndefined();
  });

  it('wakeAt includes the progress deadline while pods are not coming up', () => {
    const d = new RolloutDriver(makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }], { trafficRouting: istioRouting() }), { progressDeadlineSeconds: 90 }), { readyMs: 1e9 });
    d.run(0);
    expect(d.wakeAt).toBe(90 * S);
  });
});
