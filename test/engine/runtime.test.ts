/**
 * The Runtime (every Rollout and Deployment of a manifest set, one loop) on a virtual clock with
 * simulated pods, scripted metrics and a SQLite store: no processes, no sockets, no sleeps.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/adapters/clock/virtual.js';
import { createScriptedProvider, parseScript } from '../../src/adapters/metrics/scripted/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/store/sqlite/index.js';
import { createMemoryTrafficRouter } from '../../src/adapters/traffic/memory/index.js';
import { createSimulatedWorkloads } from '../../src/adapters/workloads/simulated/index.js';
import { setImages } from '../../src/core/spec/edit.js';
import { parseManifests, type ManifestFile } from '../../src/core/spec/load.js';
import { deploymentStateKey } from '../../src/engine/deployment-controller.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Runtime, type RuntimeDeps } from '../../src/engine/runtime.js';
import { tempDir } from '../support/net.js';

const dir = 'examples/tbyte/manifests';
const files: ManifestFile[] = readdirSync(dir).map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
const FRONTEND = 'tbyte-microservices-frontend';
const BACKEND = 'tbyte-microservices-backend';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Scripted metrics that pass every analysis of the tbyte templates. */
function healthyMetrics(): ReturnType<typeof createScriptedProvider> {
  const script = parseScript({ 'pod-ready-ratio': [[1]], 'error-rate': [[0]], 'response-time-p95': [[0.1]], 'canary-error-rate': [[0]] });
  if ('errors' in script) throw new Error(script.errors.join('; '));
  return createScriptedProvider(script.script);
}

/** A Runtime on a virtual clock, simulated workloads (ready after `readyDelayMs`) and scripted metrics; `deps` adds to its dependencies. */
async function setup(opts: { readyDelayMs?: number; deps?: Partial<RuntimeDeps> } = {}): Promise<{ runtime: Runtime; clock: VirtualClock; store: SqliteStore; events: EngineEvent[]; workloads: ReturnType<typeof createSimulatedWorkloads> }> {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  const clock = createVirtualClock(1_000_000);
  const workloads = createSimulatedWorkloads(clock, opts.readyDelayMs ?? 2_000);
  const provider = healthyMetrics();
  const store = openSqliteStore(join(tmp.path, 'state.db'), { clock });
  cleanups.push(() => store.close());
  const events: EngineEvent[] = [];
  const runtime = new Runtime({ clock, workloads, traffic: createMemoryTrafficRouter(), providerFor: () => provider, store, onEvent: (e) => events.push(e), ...opts.deps });
  cleanups.push(() => runtime.stop());
  return { runtime, clock, store, events, workloads };
}

/** Advances the virtual clock in steps, letting the loop tick after each one. */
async function runFor(runtime: Runtime, clock: VirtualClock, ms: number, stepMs = 1_000): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    clock.advance(stepMs);
    await runtime.nextTick();
  }
}

describe('Runtime', () => {
  it('brings up every Rollout and Deployment of the set and rolls a Rollout update through its steps', async () => {
    const { runtime, clock, events, store } = await setup();
    await runtime.setManifests(parseManifests(files).set);
    runtime.start();
    await runFor(runtime, clock, 5_000);
    expect(runtime.rollout(FRONTEND)?.status?.phase).toBe('Healthy');
    expect(runtime.deployment(BACKEND)?.status?.phase).toBe('Healthy');
    expect(JSON.parse(store.getMeta(deploymentStateKey(BACKEND)) ?? 'null')).toHaveProperty("currentHash", runtime.deployment(BACKEND)?.deploymentState.currentHash);

    await runtime.setManifests(parseManifests(setImages(files, { kind: 'Rollout', name: FRONTEND }, { frontend: 'tbyte/frontend:v2' })).set);
    await runFor(runtime, clock, 400_000, 5_000);
    const frontend = runtime.rollout(FRONTEND);
    expect(frontend?.status).toMatchObject({ phase: 'Healthy', currentRevision: 2, stableRevision: 2 });
    expect(events.filter((e) => e.rollout === FRONTEND && e.type === 'WeightChanged').map((e) => e.canary)).toEqual([10, 25, 50, 75, 100]);
    // Saved with every tick: the store agrees with the controller.
    expect(store.rollout(FRONTEND)).toMatchObject({ phase: 'Healthy', currentRevision: 2 });
  });

  it('rolls a Deployment update with maxUnavailable 0: never fewer than 2 available', async () => {
    const { runtime, clock, workloads } = await setup();
    await runtime.setManifests(parseManifests(files).set);
    runtime.start();
    await runFor(runtime, clock, 5_000);
    await runtime.setManifests(parseManifests(setImages(files, { kind: 'Deployment', name: BACKEND }, { backend: 'tbyte/backend:v2' })).set);
    let minAvailable = Infinity;
    for (let i = 0; i < 20; i++) {
      await runFor(runtime, clock, 500, 500);
      minAvailable = Math.min(minAvailable, workloads.observe(BACKEND).reduce((n, r) => n + r.availableReplicas, 0));
    }
    expect(runtime.deployment(BACKEND)?.status).toMatchObject({ phase: 'Healthy', currentRevision: 2, availableReplicas: 2 });
    expect(minAvailable).toBeGreaterThanOrEqual(2);
  });

  it('refuses a rollout action on a Deployment and an unknown name, and forgets a removed workload', async () => {
    const { runtime, clock, workloads } = await setup();
    await runtime.setManifests(parseManifests(files).set);
    runtime.start();
    await runFor(runtime, clock, 5_000);
    await expect(runtime.act(BACKEND, { type: 'promote' })).rejects.toThrow(/a Deployment has no steps/);
    await expect(runtime.act('nope', { type: 'abort' })).rejects.toMatchObject({ code: 'workload-not-found' });
    const set = parseManifests(files).set;
    await runtime.setManifests({ ...set, deployments: [] });
    await runFor(runtime, clock, 1_000);
    expect(runtime.deployment(BACKEND)).toBeUndefined();
    expect(workloads.observe(BACKEND).reduce((n, r) => n + r.replicas, 0)).toBe(0);
  });

  it('holds a new revision until prepareRevision resolves, and aborts when it rejects', async () => {
    const prepared: number[] = [];
    let release: (() => void) | undefined;
    let fail: ((e: Error) => void) | undefined;
    const { runtime, clock, workloads } = await setup({
      readyDelayMs: 1_000,
      deps: {
        prepareRevision: (_r, rev) => {
          prepared.push(rev.revision);
          if (rev.revision === 1) return Promise.resolve();
          return new Promise<void>((resolve, reject) => {
            release = resolve;
            fail = reject;
          });
        },
      },
    });
    await runtime.setManifests(parseManifests(files).set);
    runtime.start();
    await runFor(runtime, clock, 5_000);
    expect(runtime.rollout(FRONTEND)?.status?.phase).toBe('Healthy');

    await runtime.setManifests(parseManifests(setImages(files, { kind: 'Rollout', name: FRONTEND }, { frontend: 'tbyte/frontend:v2' })).set);
    await runFor(runtime, clock, 10_000);
    const hash2 = runtime.rollout(FRONTEND)?.rolloutState.currentHash as string;
    expect(prepared).toEqual([1, 2]);
    // Held: no process of revision 2 while it is being prepared.
    expect(workloads.observe(FRONTEND).find((r) => r.hash === hash2)?.replicas ?? 0).toBe(0);
    release?.();
    await runFor(runtime, clock, 3_000);
    expect(workloads.observe(FRONTEND).find((r) => r.hash === hash2)?.replicas).toBe(1);

    await runtime.setManifests(parseManifests(setImages(files, { kind: 'Rollout', name: FRONTEND }, { frontend: 'tbyte/frontend:v3' })).set);
    await runFor(runtime, clock, 2_000);
    fail?.(new Error('expand 0002 failed: lock timeout'));
    await runFor(runtime, clock, 2_000);
    const c = runtime.rollout(FRONTEND);
    expect(c?.rolloutState.aborted).toBe(true);
    expect(c?.status?.message).toMatch(/preparing revision 3 failed: expand 0002 failed: lock timeout/);
    expect(workloads.observe(FRONTEND).find((r) => r.hash === c?.rolloutState.currentHash)?.replicas ?? 0).toBe(0);
  });

  it('started again on saved state with no process left (after baton down), asks for every process again', async () => {
    const { runtime, clock, store } = await setup();
    await runtime.setManifests(parseManifests(files).set);
    runtime.start();
    await runFor(runtime, clock, 5_000);
    await runtime.stop();
    // A new runtime on the same store; the pods are gone.
    const workloads = createSimulatedWorkloads(clock, 2_000);
    const provider = healthyMetrics();
    const again = new Runtime({ clock, workloads, traffic: createMemoryTrafficRouter(), providerFor: () => provider, store });
    cleanups.push(() => again.stop());
    await again.setManifests(parseManifests(files).set);
    again.start();
    await runFor(again, clock, 5_000);
    expect(workloads.observe(FRONTEND).reduce((n, r) => n + r.availableReplicas, 0)).toBe(2);
    expect(workloads.observe(BACKEND).reduce((n, r) => n + r.availableReplicas, 0)).toBe(2);
    expect(again.rollout(FRONTEND)?.status?.phase).toBe('Healthy');
    expect(again.deployment(BACKEND)?.status?.phase).toBe('Healthy');
  });
});
