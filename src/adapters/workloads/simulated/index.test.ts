import { describe, expect, it } from 'vitest';
import type { RevisionWorkload } from '../../../ports/workloads.js';
import { createVirtualClock } from '../../clock/virtual.js';
import { createSimulatedWorkloads } from './index.js';

const workload = (revision: number, hash = `h${revision}`): RevisionWorkload => ({
  owner: 'shop',
  hash,
  revision,
  template: { metadata: { labels: {}, annotations: {} }, spec: { containers: [], terminationGracePeriodSeconds: 30, raw: {} } },
});

describe('simulated workloads: pod rules', () => {
  it('a pod that never becomes ready, one that takes longer, the rest at readyMs', async () => {
    const clock = createVirtualClock(0);
    const w = createSimulatedWorkloads(clock, 5_000);
    w.setPodRules([{ revision: 2, pod: 1, readyMs: Infinity }, { revision: 2, pod: 2, readyMs: 20_000 }], 0);
    await w.scale(workload(2), 3);
    expect(w.nextChangeAt('shop')).toBe(5_000);
    clock.advanceTo(5_000);
    expect(w.observe('shop')).toEqual([{ hash: 'h2', replicas: 3, readyReplicas: 1, availableReplicas: 1 }]);
    expect(w.nextChangeAt('shop')).toBe(20_000);
    clock.advanceTo(20_000);
    expect(w.observe('shop')[0]?.availableReplicas).toBe(2);
    expect(w.nextChangeAt('shop')).toBeUndefined();
  });

  it('a ready pod goes unready for a while, counted from the update, and the change is reported once', async () => {
    const clock = createVirtualClock(0);
    const w = createSimulatedWorkloads(clock, 0);
    await w.scale(workload(1), 2);
    clock.advanceTo(1_000);
    w.setPodRules([{ revision: 1, pod: 0, unreadyAt: 10_000, readyAgainAt: 30_000 }], 1_000);
    expect(w.nextChangeAt('shop')).toBe(11_000);
    clock.advanceTo(11_000);
    expect(w.observe('shop')[0]?.availableReplicas).toBe(1);
    expect(w.takePodChanges()).toEqual([{ at: 11_000, owner: 'shop', revision: 1, pod: 0, ready: false }]);
    expect(w.takePodChanges()).toEqual([]);
    clock.advanceTo(31_000);
    expect(w.observe('shop')[0]?.availableReplicas).toBe(2);
    expect(w.takePodChanges()).toEqual([{ at: 31_000, owner: 'shop', revision: 1, pod: 0, ready: true }]);
  });
});
