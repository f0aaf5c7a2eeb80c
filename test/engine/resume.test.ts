/**
 * A controller that dies in the middle of a rollout loses nothing: the engine saves state, runs,
 * status and events to SQLite together, and a new controller on the same database resumes at
 * the step it was on (the pods, like real processes, outlive the controller).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/adapters/clock/virtual.js';
import { createScriptedProvider, parseScript } from '../../src/adapters/metrics/scripted/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/store/sqlite/index.js';
import { createMemoryTrafficRouter } from '../../src/adapters/traffic/memory/index.js';
import { createSimulatedWorkloads } from '../../src/adapters/workloads/simulated/index.js';
import type { Rollout } from '../../src/core/spec/types.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { RolloutController } from '../../src/engine/rollout-controller.js';
import { tempDir } from '../support/net.js';
import { manifests, stable, updated } from './tbyte-fixture.js';


const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('resume after a controller crash', () => {
  it('a new controller on the same SQLite state resumes at the step it was on and ends as an uninterrupted one would', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const dbPath = join(tmp.path, 'state.db');
    const clock = createVirtualClock(0);
    const workloads = createSimulatedWorkloads(clock, 0);
    const script = parseScript({ 'pod-ready-ratio': [[1]], 'error-rate': [[0.01]], 'response-time-p95': [[0.12]], 'canary-error-rate': [[0]] });
    if ('errors' in script) throw new Error(script.errors.join('; '));
    const provider = createScriptedProvider(script.script);
    const seen: EngineEvent[] = [];
    const controllerOn = (store: SqliteStore, rollout: Rollout): RolloutController =>
      new RolloutController(rollout, manifests, { clock, workloads, traffic: createMemoryTrafficRouter(), providerFor: () => provider, store, onEvent: (e) => seen.push(e), awaitMeasurements: true });
    const runUntil = async (c: RolloutController, t: number): Promise<void> => {
      await c.tick();
      for (;;) {
        const next = c.wakeAt();
        if (next === undefined || next > t) break;
        clock.advanceTo(next);
        await c.tick();
      }
      clock.advanceTo(t);
    };

    // First controller: deploys v1, starts the v2 update, gets into the analysis step.
    const first = openSqliteStore(dbPath);
    let c = controllerOn(first, stable);
    await runUntil(c, 0);
    c.updateSpec(updated);
    await runUntil(c, 45_000);
    expect(c.rolloutState.currentStepIndex).toBe(2);
    const runName = c.analysisRuns().find((r) => r.kind === 'Step')?.name;
    expect(runName).toBeDefined();
    first.close(); // the controller is gone; nothing else is written

    // Second controller: same database, same (still running) pods.
    const second = openSqliteStore(dbPath);
    cleanups.push(() => second.close());
    c = controllerOn(second, updated);
    expect(c.rolloutState.currentStepIndex).toBe(2);
    expect(c.analysisRuns().find((r) => r.name === runName)?.phase).toBe('Running');
    await runUntil(c, 24 * 3_600_000);
    expect(c.status?.phase).toBe('Healthy');
    expect(seen.filter((e) => e.type === 'Promoted').map((e) => e.at)).toEqual([0, 180_000]);
    // The analysis run was not started again: one step run, completed at t=90.
    const stepRun = (e: EngineEvent): boolean => e.kind === 'Step' || e.run === runName;
    expect(seen.filter((e) => e.type === 'AnalysisRunStarted' && stepRun(e)).map((e) => e.run)).toEqual([runName]);
    expect(seen.filter((e) => e.type === 'AnalysisRunCompleted' && e.run === runName).map((e) => [e.at, e.phase])).toEqual([[90_000, 'Successful']]);

    // Status and events reached the database with the state.
    expect(second.rollout(stable.metadata.name)).toMatchObject({ phase: 'Healthy', canaryWeight: 0 });
    const stored = second.events({ rollout: stable.metadata.name });
    expect(stored.filter((e) => e.type === 'WeightChanged').map((e) => e.canary)).toEqual([10, 25, 50, 75, 100]);
  });
});
