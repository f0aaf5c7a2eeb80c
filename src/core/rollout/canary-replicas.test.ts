import { describe, expect, it } from 'vitest';
import type { CanaryStep } from '../spec/types.js';
import { canaryStrategy, istioRouting, makeRollout, RolloutDriver } from './driver.test-support.js';

const S = 1000;

function started(d: RolloutDriver): RolloutDriver {
  d.run(0);
  d.update('shop:v2');
  return d;
}

function counts(d: RolloutDriver): { canary: number; stable: number } {
  const s = d.state;
  return { canary: s.desiredReplicas[s.currentHash as string] ?? 0, stable: s.desiredReplicas[s.stableHash as string] ?? 0 };
}

describe('basic canary (no traffic routing): the split is by replica counts', () => {
  const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 41 }, { kind: 'pause' }, { kind: 'setWeight', weight: 80 }, { kind: 'pause' }];

  it('reaches the closest split and never sets a router weight', () => {
    const d = started(new RolloutDriver(makeRollout(canaryStrategy(steps, { maxSurge: 0, maxUnavailable: 1 }), { replicas: 10 })));
    d.run(10 * S);
    expect(counts(d)).toEqual({ canary: 4, stable: 6 });
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', stepIndex: 1, canaryWeight: 41 });
    expect(d.effectsOf('setWeight')).toEqual([]);
    d.act({ type: 'promote' });
    d.run(20 * S);
    expect(counts(d)).toEqual({ canary: 8, stable: 2 });
    d.act({ type: 'promote' });
    d.run(30 * S);
    expect(d.status).toMatchObject({ phase: 'Healthy', stepIndex: 4 });
    expect(d.pods.get(d.state.currentHash as string)).toHaveLength(10);
    expect([...d.pods.values()].reduce((n, p) => n + p.length, 0)).toBe(10);
  });

  it('abort: the canary Service goes back to stable and the canary pods go at once (no abort delay without routing)', () => {
    const r = makeRollout(canaryStrategy(steps, { canaryService: 'shop-canary', stableService: 'shop', maxSurge: 0, maxUnavailable: 1 }), { replicas: 10 });
    const d = started(new RolloutDriver(r));
    d.run(10 * S);
    expect(d.selectors).toEqual({ stable: d.state.stableHash, canary: d.state.currentHash });
    d.act({ type: 'abort' });
    d.run(11 * S);
    expect(d.selectors).toEqual({ stable: d.state.stableHash, canary: d.state.stableHash });
    expect(counts(d)).toEqual({ canary: 0, stable: 10 });
    expect(d.status).toMatchObject({ phase: 'Degraded', canaryWeight: 0 });
  });

  it('moves within maxSurge/maxUnavailable while pods come up', () => {
    // 10 replicas, 25 % surge (3) and unavailable (2): never more than 13 pods, never fewer than 8 available.
    const d = started(new RolloutDriver(makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }, { kind: 'pause' }]), { replicas: 10 }), { readyMs: 10 * S }));
    d.run(0);
    d.run(10 * S);
    d.update('shop:v2');
    let maxPods = 0;
    let minAvailable = Infinity;
    for (let t = 10 * S; t <= 200 * S; t += 5 * S) {
      d.run(t);
      const obs = d.observed().revisions;
      maxPods = Math.max(maxPods, obs.reduce((n, r) => n + r.replicas, 0));
      minAvailable = Math.min(minAvailable, obs.reduce((n, r) => n + r.availableReplicas, 0));
    }
    expect(counts(d)).toEqual({ canary: 5, stable: 5 });
    expect(maxPods).toBeLessThanOrEqual(13);
    expect(minAvailable).toBeGreaterThanOrEqual(8);
    expect(d.status.message).toBe('CanaryPauseStep');
  });

  it('status walks through Argo messages until the old pods are gone', () => {
    const d = new RolloutDriver(makeRollout(canaryStrategy([], { maxSurge: 1, maxUnavailable: 0 }), { replicas: 2 }), { readyMs: 10 * S });
    d.run(20 * S);
    expect(d.status.phase).toBe('Healthy');
    d.update('shop:v2');
    const seen: string[] = [];
    for (let t = 20 * S; t <= 100 * S; t += 1 * S) {
      d.run(t);
      if (seen.at(-1) !== d.status.message) seen.push(d.status.message);
    }
    // 2 replicas, surge 1, unavailable 0: one new pod; once it is up the stable gives one up and a
    // second new pod starts (3 pods, the old one pending termination); then the last old pod goes.
    expect(seen).toEqual(['more replicas need to be updated', 'old replicas are pending termination', '']);
    expect(d.status.phase).toBe('Healthy');
  });
});

describe('traffic-routed canary replicas', () => {
  it('canary = ceil(weight x replicas / 100), stable stays full', () => {
    const d = started(new RolloutDriver(makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 30 }, { kind: 'pause' }], { trafficRouting: istioRouting() }), { replicas: 5 })));
    d.run(10 * S);
    expect(counts(d)).toEqual({ canary: 2, stable: 5 });
    expect(d.status).toMatchObject({ phase: 'Paused', canaryWeight: 30 });
  });

  it('setCanaryScale replicas/weight hold until matchTrafficWeight', () => {
    const steps: CanaryStep[] = [
      { kind: 'setCanaryScale', replicas: 3, matchTrafficWeight: false },
      { kind: 'setWeight', weight: 10 },
      { kind: 'pause' },
      { kind: 'setCanaryScale', weight: 60, matchTrafficWeight: false },
      { kind: 'pause' },
      { kind: 'setCanaryScale', matchTrafficWeight: true },
      { kind: 'pause' },
    ];
    const d = started(new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting() }), { replicas: 10 })));
    d.run(10 * S);
    expect(d.state.currentStepIndex).toBe(2);
    expect(counts(d)).toEqual({ canary: 3, stable: 10 });
    expect(d.weight.canary).toBe(10);
    d.act({ type: 'promote' });
    d.run(20 * S);
    expect(counts(d)).toEqual({ canary: 6, stable: 10 });
    expect(d.weight.canary).toBe(10);
    d.act({ type: 'promote' });
    d.run(30 * S);
    expect(counts(d)).toEqual({ canary: 1, stable: 10 });
  });

  it('dynamicStableScale scales the stable down as traffic leaves it', () => {
    const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 40 }, { kind: 'pause' }];
    const d = started(new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting(), dynamicStableScale: true }), { replicas: 10 })));
    d.run(10 * S);
    expect(d.weight.canary).toBe(40);
    expect(counts(d)).toEqual({ canary: 4, stable: 6 });
    // Abort: the stable scales back up first; the weight follows what the stable can carry.
    d.act({ type: 'abort' });
    d.settle();
    expect(counts(d).stable).toBe(10);
    expect(d.weight.canary).toBe(0);
  });

  it('dynamicStableScale: the old stable is never scaled back up on the way to promotion', () => {
    const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 50 }, { kind: 'setWeight', weight: 100 }];
    const d = started(new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting(), dynamicStableScale: true }), { replicas: 4 })));
    const v1 = d.state.stableHash as string;
    d.run(60 * S);
    expect(d.status).toMatchObject({ phase: 'Healthy', stableRevision: 2 });
    const v1Scales = d.effectsOf('scaleRevision').filter((e) => e.hash === v1).map((e) => e.replicas);
    expect(v1Scales).toEqual([4, 2, 0]);
  });

  it('minPodsPerReplicaSet raises the canary', () => {
    const d = started(new RolloutDriver(makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 10 }, { kind: 'pause' }], { trafficRouting: istioRouting(), minPodsPerReplicaSet: 2 }), { replicas: 5 })));
    d.run(10 * S);
    expect(counts(d)).toEqual({ canary: 2, stable: 5 });
  });
});

describe('progress deadline', () => {
  it('no progress for progressDeadlineSeconds: Degraded with ProgressDeadlineExceeded', () => {
    const d = new RolloutDriver(makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }], { trafficRouting: istioRouting() }), { progressDeadlineSeconds: 120 }), { readyMs: 10 * S });
    d.run(20 * S);
    d.update('shop:v2');
    d.options.readyMs = 1e9;
    d.run(20 * S + 119 * S);
    expect(d.status.phase).toBe('Progressing');
    expect(d.wakeAt).toBe(140 * S);
    d.run(200 * S);
    const rs = `shop-${d.state.currentHash}`;
    expect(d.status).toMatchObject({ phase: 'Degraded', message: `ProgressDeadlineExceeded: ReplicaSet "${rs}" has timed out progressing.`, aborted: false });
    expect(d.events('ProgressDeadlineExceeded').map((e) => e.t)).toEqual([140 * S]);
  });

  it('every reconcile that sees progress asks to be woken at the new deadline', () => {
    // A caller that stops after a pass with no effects (the engine) must still learn the deadline
    // from the pass that recorded the progress.
    const d = new RolloutDriver(makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }], { trafficRouting: istioRouting() }), { progressDeadlineSeconds: 60 }));
    d.run(0);
    d.update('shop:v2');
    d.options.readyMs = 1e9;
    for (let i = 0; i < 10 && d.reconcileOnce(); i++) {
      if (d.status.phase === 'Progressing') expect(d.wakeAt).toBeLessThanOrEqual(d.now + 60 * S);
    }
    expect(d.status.phase).toBe('Progressing');
    expect(d.wakeAt).toBe(d.now + 60 * S);
  });

  it('a pause after the timeout shows Paused; the deadline restarts on resume', () => {
    const d = new RolloutDriver(makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }], { trafficRouting: istioRouting() }), { progressDeadlineSeconds: 60 }));
    d.run(0);
    d.update('shop:v2');
    d.options.readyMs = 1e9;
    d.run(100 * S);
    expect(d.status.phase).toBe('Degraded');
    d.act({ type: 'pause' });
    d.run(200 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'manually paused' });
    d.act({ type: 'resume' });
    d.run(259 * S);
    expect(d.status.phase).toBe('Progressing');
    d.run(260 * S);
    expect(d.status.phase).toBe('Degraded');
  });

  it('progressDeadlineAbort aborts with the timeout message', () => {
    const d = new RolloutDriver(
      makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }], { trafficRouting: istioRouting() }), { progressDeadlineSeconds: 60, progressDeadlineAbort: true }),
    );
    d.run(0);
    d.update('shop:v2');
    d.options.readyMs = 1e9;
    d.run(100 * S);
    const rs = `shop-${d.state.currentHash}`;
    expect(d.status).toMatchObject({ phase: 'Degraded', aborted: true, message: `RolloutAborted: Rollout aborted update to revision 2: ReplicaSet "${rs}" has timed out progressing.` });
  });

  it('does not time out at a pause step', () => {
    const d = started(new RolloutDriver(makeRollout(canaryStrategy([{ kind: 'setWeight', weight: 50 }, { kind: 'pause', duration: 3600 }], { trafficRouting: istioRouting() }), { progressDeadlineSeconds: 60 })));
    d.run(1800 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep' });
    d.run(3601 * S);
    expect(d.status.phase).toBe('Healthy');
  });
});

describe('revision history', () => {
  it('deletes the oldest scaled-down revisions beyond revisionHistoryLimit', () => {
    const d = new RolloutDriver(makeRollout(canaryStrategy([], { trafficRouting: istioRouting(), scaleDownDelaySeconds: 0 }), { revisionHistoryLimit: 2 }));
    d.run(0);
    for (const v of ['v2', 'v3', 'v4', 'v5']) {
      d.update(`shop:${v}`);
      d.run(d.now + 10 * S);
    }
    expect(d.state.revisions.map((r) => r.revision)).toEqual([3, 4, 5]);
    expect(d.effectsOf('deleteRevision')).toHaveLength(2);
    expect(d.status).toMatchObject({ phase: 'Healthy', stableRevision: 5 });
  });
});
