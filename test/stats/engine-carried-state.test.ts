/**
 * The engine hands a provider the metadata of the metric's last measurement, and that
 * metadata lives in the stored AnalysisRun: a controller that dies and is replaced on the same
 * SQLite state gives the next measurement the state the last one left, which is what the
 * sequential provider's evidence relies on.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/adapters/clock/virtual.js';
import { createScriptedProvider, parseScript } from '../../src/adapters/metrics/scripted/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/store/sqlite/index.js';
import { createMemoryTrafficRouter } from '../../src/adapters/traffic/memory/index.js';
import { createSimulatedWorkloads } from '../../src/adapters/workloads/simulated/index.js';
import type { Rollout } from '../../src/core/spec/types.js';
import { RolloutController } from '../../src/engine/rollout-controller.js';
import type { MetricsProvider } from '../../src/ports/metrics-provider.js';
import { tempDir } from '../support/net.js';
import { manifests, stable, updated } from '../engine/tbyte-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('state carried in measurement metadata', () => {
  it('each measurement sees the previous one\'s metadata, across a controller restart', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const dbPath = join(tmp.path, 'state.db');
    const clock = createVirtualClock(0);
    const workloads = createSimulatedWorkloads(clock, 0);
    const script = parseScript({ 'pod-ready-ratio': [[1]], 'error-rate': [[0.01]], 'response-time-p95': [[0.12]], 'canary-error-rate': [[0]] });
    if ('errors' in script) throw new Error(script.errors.join('; '));
    const scripted = createScriptedProvider(script.script);
    // A counter kept in metadata: each measurement stores one more than the previous it was given.
    const seen: { metric: string; previous: string | undefined }[] = [];
    const counting: MetricsProvider = {
      type: 'fake',
      async measure(spec, ctx) {
        const r = await scripted.measure(spec, ctx);
        const previous = ctx.previousMetadata?.n;
        seen.push({ metric: ctx.metricName, previous });
        return r.kind === 'value' ? { ...r, metadata: { n: String(Number(previous ?? 0) + 1) } } : r;
      },
    };
    const controllerOn = (store: SqliteStore, rollout: Rollout): RolloutController =>
      new RolloutController(rollout, manifests, { clock, workloads, traffic: createMemoryTrafficRouter(), providerFor: () => counting, store, onEvent: () => undefined, awaitMeasurements: true });
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

    const first = openSqliteStore(dbPath);
    let c = controllerOn(first, stable);
    await runUntil(c, 0);
    c.updateSpec(updated);
    await runUntil(c, 45_000);
    const before = seen.length;
    first.close();

    const second = openSqliteStore(dbPath);
    cleanups.push(() => second.close());
    c = controllerOn(second, updated);
    await runUntil(c, 24 * 3_600_000);
    expect(c.status?.phase).toBe('Healthy');

    // Per metric and run order, the counters seen go undefined, 1, 2, ... with no restart to 0
    // at the controller change (the metric names repeat across runs, so follow each chain).
    const byMetric = new Map<string, (string | undefined)[]>();
    for (const s of seen) byMetric.set(s.metric, [...(byMetric.get(s.metric) ?? []), s.previous]);
    const chain = byMetric.get('error-rate') ?? [];
    expect(chain.length).toBeGreaterThan(2);
    expect(chain).toEqual(chain.map((_, i) => (i === 0 ? undefined : String(i))));
    // The restart fell inside that chain: some measurements before it, some after.
    const split = seen.slice(0, before).filter((s) => s.metric === 'error-rate').length;
    expect(split).toBeGreaterThan(0);
    expect(split).toBeLessThan(chain.length);
  });
});
