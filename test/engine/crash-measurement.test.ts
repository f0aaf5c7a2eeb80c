/**
 * A controller that stops while a metric query is in flight leaves a measurement saved as
 * Running. The next controller on the same SQLite state must not wait for it (a step analysis
 * would hold the rollout at 10 % for ever; a background analysis would fall silent and let a bad
 * canary be promoted): it measures again, as Argo's Prometheus provider does.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/adapters/clock/virtual.js';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/store/sqlite/index.js';
import { createMemoryTrafficRouter } from '../../src/adapters/traffic/memory/index.js';
import { createSimulatedWorkloads } from '../../src/adapters/workloads/simulated/index.js';
import type { ProviderResult } from '../../src/core/analysis/index.js';
import type { Rollout } from '../../src/core/spec/types.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { RolloutController } from '../../src/engine/rollout-controller.js';
import type { MetricsProvider } from '../../src/ports/metrics-provider.js';
import type { Workloads } from '../../src/ports/workloads.js';
import { tempDir } from '../support/net.js';
import { manifests, stable, updated } from './tbyte-fixture.js';


/** Healthy values for every seed metric; `canaryErrorRate` for the canary's own. */
function answers(canaryErrorRate: number): (metric: string) => ProviderResult {
  const v = (x: number): ProviderResult => ({ kind: 'value', value: [x], display: `[${x}]` });
  return (m) => v(m === 'pod-ready-ratio' ? 1 : m === 'canary-error-rate' ? canaryErrorRate : m === 'error-rate' ? 0.01 : 0.12);
}

/** A provider whose queries for `held` metrics never come back (until aborted): a query in flight at a crash. */
function providerOf(answer: (metric: string) => ProviderResult, held: Set<string> = new Set()): MetricsProvider & { asked: string[] } {
  const asked: string[] = [];
  return {
    type: 'fake',
    asked,
    measure(_spec, ctx) {
      asked.push(ctx.metricName);
      if (!held.has(ctx.metricName)) return Promise.resolve(answer(ctx.metricName));
      return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ kind: 'error', message: 'aborted' })));
    },
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Harness {
  clock: VirtualClock;
  workloads: Workloads;
  seen: EngineEvent[];
  dbPath: string;
  on(store: SqliteStore, rollout: Rollout, provider: MetricsProvider, awaitMeasurements: boolean): RolloutController;
  runUntil(c: RolloutController, t: number, until?: () => boolean): Promise<void>;
}

async function harness(): Promise<Harness> {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  const clock = createVirtualClock(0);
  const workloads = createSimulatedWorkloads(clock, 0);
  const seen: EngineEvent[] = [];
  return {
    clock,
    workloads,
    seen,
    dbPath: join(tmp.path, 'state.db'),
    on: (store, rollout, provider, awaitMeasurements) =>
      new RolloutController(rollout, manifests, { clock, workloads, traffic: createMemoryTrafficRouter(), providerFor: () => provider, store, onEvent: (e) => seen.push(e), awaitMeasurements }),
    async runUntil(c, t, until = () => false) {
      await c.tick();
      for (;;) {
        if (until()) return;
        const next = c.wakeAt();
        if (next === undefined || next > t) break;
        clock.advanceTo(next);
        await c.tick();
      }
      clock.advanceTo(t);
    },
  };
}

describe('a measurement in flight when the controller dies', () => {
  it('step analysis: the lost query is asked again after the restart and the rollout goes on to Healthy', async () => {
    const h = await harness();
    const good = answers(0);
    // First controller: the step analysis' error-rate query is in flight when it dies.
    const first = openSqliteStore(h.dbPath);
    let c = h.on(first, stable, providerOf(good), true);
    await h.runUntil(c, 0);
    c.updateSpec(updated);
    await h.runUntil(c, 29_000);
    const hanging = providerOf(good, new Set(['error-rate']));
    c = h.on(first, updated, hanging, false);
    await h.runUntil(c, 31_000);
    expect(hanging.asked).toContain('error-rate');
    const stepRun = c.analysisRuns().find((r) => r.kind === 'Step');
    expect(stepRun?.metricResults.find((m) => m.name === 'error-rate')?.measurements.at(-1)?.phase).toBe('Running');
    first.close(); // kill -9: nothing more is written; the query never comes back

    const second = openSqliteStore(h.dbPath);
    cleanups.push(() => second.close());
    const again = providerOf(good);
    h.clock.advanceTo(40_000);
    c = h.on(second, updated, again, true);
    // The three metrics were measured together (one batch): all three were lost.
    expect(h.seen.filter((e) => e.type === 'MeasurementInterrupted').map((e) => [e.metric, e.action])).toEqual([
      ['pod-ready-ratio', 'remeasure'],
      ['error-rate', 'remeasure'],
      ['response-time-p95', 'remeasure'],
    ]);
    await h.runUntil(c, 3_600_000);
    expect(c.status?.phase).toBe('Healthy');
    expect(c.rolloutState.stableHash).toBe(c.rolloutState.currentHash);
    // Measured again at once on restart (t=40), then every 30 s: three successful in all.
    const run = c.analysisRuns().find((r) => r.name === stepRun?.name);
    const errorRate = run?.metricResults.find((m) => m.name === 'error-rate');
    expect(errorRate?.measurements.map((m) => [m.startedAt, m.phase])).toEqual([
      [40_000, 'Successful'],
      [70_000, 'Successful'],
      [100_000, 'Successful'],
    ]);
    expect(run?.phase).toBe('Successful');
  });

  it('background analysis: a bad canary whose query was lost is still caught and aborted, never promoted', async () => {
    const h = await harness();
    const bad = answers(0.5);
    const first = openSqliteStore(h.dbPath);
    let c = h.on(first, stable, providerOf(answers(0)), true);
    await h.runUntil(c, 0);
    c.updateSpec(updated);
    // The canary-error-rate query hangs from its first measurement on.
    const hanging = providerOf(bad, new Set(['canary-error-rate']));
    c = h.on(first, updated, hanging, false);
    await h.runUntil(c, 1_000);
    expect(hanging.asked).toContain('canary-error-rate');
    expect(c.rolloutState.currentStepIndex).toBe(1);
    first.close();

    const second = openSqliteStore(h.dbPath);
    cleanups.push(() => second.close());
    h.clock.advanceTo(5_000);
    c = h.on(second, updated, providerOf(bad), true);
    await h.runUntil(c, 3_600_000, () => c.rolloutState.aborted);
    expect(c.rolloutState.aborted).toBe(true);
    expect(h.seen.some((e) => e.type === 'Promoted' && e.at > 0)).toBe(false);
    expect(c.rolloutState.stableHash).not.toBe(c.rolloutState.currentHash);
    // Two failed measurements (failureLimit 1), the first taken at once on restart.
    const aborted = h.seen.find((e) => e.type === 'Aborted' || (e.type === 'Phase' && e.phase === 'Degraded'));
    expect(aborted?.at).toBe(15_000);
    expect(String(c.status?.message)).toContain('canary-error-rate');
  });
});
