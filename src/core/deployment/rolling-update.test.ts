import { describe, expect, it } from 'vitest';
import type { ObservedRevision } from '../rollout/index.js';
import type { Deployment } from '../spec/types.js';
import { initialDeploymentState, reconcileDeployment, type DeploymentState } from './rolling-update.js';

function deployment(image: string, replicas: number, maxSurge: number | string, maxUnavailable: number | string, type: 'RollingUpdate' | 'Recreate' = 'RollingUpdate'): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', labels: {}, annotations: {} },
    source: { file: 'd.yaml', line: 1, column: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'api' }, matchExpressions: [] },
      template: { metadata: { labels: { app: 'api' }, annotations: {} }, spec: { containers: [{ name: 'api', image, command: [], args: [], env: [], ports: [] }], terminationGracePeriodSeconds: 30, raw: {} } },
      minReadySeconds: 0,
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      paused: false,
      strategy: type === 'Recreate' ? { type } : { type, rollingUpdate: { maxSurge, maxUnavailable } },
    },
  };
}

/** Pods appear at once and become available one reconcile later; records every observed instant. */
function drive(d: Deployment, state: DeploymentState, pods: Map<string, { replicas: number; available: number }>, limit = 50) {
  const history: { total: number; available: number }[] = [];
  let now = 0;
  let status;
  for (let i = 0; i < limit; i++) {
    const observed: ObservedRevision[] = [...pods.entries()].map(([hash, p]) => ({ hash, replicas: p.replicas, readyReplicas: p.available, availableReplicas: p.available }));
    history.push({ total: observed.reduce((n, r) => n + r.replicas, 0), available: observed.reduce((n, r) => n + r.availableReplicas, 0) });
    const out = reconcileDeployment({ deployment: d, state, observed: { revisions: observed }, now });
    state = out.state;
    status = out.status;
    // Pods created last time become available now; scale-downs remove pods at once.
    for (const p of pods.values()) p.available = p.replicas;
    for (const e of out.effects) {
      if (e.type !== 'scaleRevision') continue;
      const p = pods.get(e.hash) ?? { replicas: 0, available: 0 };
      if (e.replicas < p.replicas) p.available = Math.min(p.available, e.replicas);
      p.replicas = e.replicas;
      pods.set(e.hash, p);
    }
    if (out.effects.length === 0 && status.phase === 'Healthy') break;
    now += 1000;
  }
  return { state, status, history };
}

describe('Deployment rolling update', () => {
  it('first deploy scales the revision to replicas', () => {
    const pods = new Map<string, { replicas: number; available: number }>();
    const { status } = drive(deployment('api:v1', 3, '25%', '25%'), initialDeploymentState(), pods);
    expect(status?.phase).toBe('Healthy');
    expect([...pods.values()]).toEqual([{ replicas: 3, available: 3 }]);
  });

  it.each([
    [2, 1, 0],
    [4, 1, 1],
    [10, '25%', '25%'],
    [3, 0, 1],
  ] as const)('replicas %d, maxSurge %s, maxUnavailable %s: never above the surge, never below min available, ends on the new revision', (replicas, surge, unavailable) => {
    const pods = new Map<string, { replicas: number; available: number }>();
    let { state } = drive(deployment('api:v1', replicas, surge, unavailable), initialDeploymentState(), pods);
    const out = drive(deployment('api:v2', replicas, surge, unavailable), state, pods);
    state = out.state;
    const maxSurge = typeof surge === 'number' ? surge : Math.ceil((replicas * 25) / 100);
    const maxUnavailable = typeof unavailable === 'number' ? unavailable : Math.floor((replicas * 25) / 100);
    for (const h of out.history) {
      expect(h.total).toBeLessThanOrEqual(replicas + maxSurge);
      expect(h.available).toBeGreaterThanOrEqual(replicas - maxUnavailable);
    }
    expect(out.status?.phase).toBe('Healthy');
    const v2 = state.currentHash as string;
    expect(pods.get(v2)).toEqual({ replicas, available: replicas });
    expect([...pods.entries()].filter(([h]) => h !== v2).every(([, p]) => p.replicas === 0)).toBe(true);
  });

  it('maxSurge 0 and maxUnavailable 0 becomes maxUnavailable 1, as Kubernetes resolves the fenceposts', () => {
    const pods = new Map<string, { replicas: number; available: number }>();
    const { state } = drive(deployment('api:v1', 2, 0, 0), initialDeploymentState(), pods);
    const out = drive(deployment('api:v2', 2, 0, 0), state, pods);
    expect(out.status?.phase).toBe('Healthy');
    expect(Math.min(...out.history.map((h) => h.available))).toBe(1);
  });

  it('Recreate stops every old pod before the new revision starts', () => {
    const pods = new Map<string, { replicas: number; available: number }>();
    const { state } = drive(deployment('api:v1', 2, 0, 0, 'Recreate'), initialDeploymentState(), pods);
    const out = drive(deployment('api:v2', 2, 0, 0, 'Recreate'), state, pods);
    expect(out.status?.phase).toBe('Healthy');
    expect(out.history.some((h) => h.total === 0)).toBe(true);
    expect(Math.max(...out.history.map((h) => h.total))).toBe(2);
  });

  it('is Degraded after progressDeadlineSeconds without progress', () => {
    const d = deployment('api:v2', 2, 1, 0);
    const first = reconcileDeployment({ deployment: d, state: initialDeploymentState(), observed: { revisions: [] }, now: 0 });
    expect(first.wakeAt).toBe(600_000);
    const stuck = first.effects.find((e) => e.type === 'scaleRevision');
    expect(stuck).toBeDefined();
    const hash = first.state.currentHash as string;
    const observed = { revisions: [{ hash, replicas: 2, readyReplicas: 0, availableReplicas: 0 }] };
    const mid = reconcileDeployment({ deployment: d, state: first.state, observed, now: 1000 });
    const late = reconcileDeployment({ deployment: d, state: mid.state, observed, now: 601_000 });
    expect(late.status.phase).toBe('Degraded');
    expect(late.status.message).toContain('has timed out progressing');
  });
});
