/**
 * A state database that stops taking writes (disk full, read-only, I/O error) never ends the
 * controller: the Runtime holds (no new decision, traffic where it is), reports the error,
 * retries with back-off, and goes on once writes work again, with nothing lost. The failures
 * here are injected in front of a real SQLite store, with the error the adapter makes of
 * SQLITE_FULL; test/runtime/kill-controller.test.ts fills a real disk under a real controller.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/adapters/clock/virtual.js';
import { createScriptedProvider, parseScript } from '../../src/adapters/metrics/scripted/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/adapters/store/sqlite/index.js';
import { toStoreError } from '../../src/adapters/store/sqlite/store-error.js';
import { createMemoryTrafficRouter, type MemoryTrafficRouter } from '../../src/adapters/traffic/memory/index.js';
import { createSimulatedWorkloads } from '../../src/adapters/workloads/simulated/index.js';
import { setImages } from '../../src/core/spec/edit.js';
import { parseManifests, type ManifestFile } from '../../src/core/spec/load.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Runtime } from '../../src/engine/runtime.js';
import { isStorageFailure, StorageGuard } from '../../src/engine/storage-guard.js';
import type { RuntimeStateStore } from '../../src/ports/state-store.js';
import { tempDir } from '../support/net.js';

const dir = 'examples/tbyte/manifests';
const files: ManifestFile[] = readdirSync(dir).map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
const FRONTEND = 'tbyte-microservices-frontend';
const WRITES = new Set(['save', 'saveTick', 'transaction', 'setMeta', 'appendEvent', 'deleteRollout', 'applyManifests', 'recordAudit']);

/** A real SQLite store whose writes fail like a full disk while `failing` is set. */
function faulty(store: SqliteStore): { store: RuntimeStateStore; failing: boolean; refused: number } {
  const state = { failing: false, refused: 0, store: undefined as unknown as RuntimeStateStore };
  state.store = new Proxy(store, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !WRITES.has(prop) || typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (state.failing) {
          state.refused++;
          throw toStoreError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }), store.path, prop);
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return state;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ runtime: Runtime; clock: VirtualClock; sqlite: SqliteStore; fault: ReturnType<typeof faulty>; events: EngineEvent[]; traffic: MemoryTrafficRouter }> {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  const clock = createVirtualClock(1_000_000);
  const script = parseScript({ 'pod-ready-ratio': [[1]], 'error-rate': [[0]], 'response-time-p95': [[0.1]], 'canary-error-rate': [[0]] });
  if ('errors' in script) throw new Error(script.errors.join('; '));
  const provider = createScriptedProvider(script.script);
  const sqlite = openSqliteStore(join(tmp.path, 'state.db'), { clock });
  cleanups.push(() => sqlite.close());
  const fault = faulty(sqlite);
  const events: EngineEvent[] = [];
  const traffic = createMemoryTrafficRouter();
  const runtime = new Runtime({ clock, workloads: createSimulatedWorkloads(clock, 1_000), traffic, providerFor: () => provider, store: fault.store, onEvent: (e) => events.push(e) });
  cleanups.push(() => runtime.stop());
  return { runtime, clock, sqlite, fault, events, traffic };
}

async function runFor(runtime: Runtime, clock: VirtualClock, ms: number, stepMs = 1_000): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    clock.advance(stepMs);
    await runtime.nextTick();
  }
}

/** v1 Healthy, then the v2 update, run for `ms`. */
async function startV2(runtime: Runtime, clock: VirtualClock, ms: number): Promise<void> {
  await runtime.setManifests(parseManifests(files).set);
  runtime.start();
  await runFor(runtime, clock, 5_000);
  await runtime.setManifests(parseManifests(setImages(files, { kind: 'Rollout', name: FRONTEND }, { frontend: 'tbyte/frontend:v2' })).set);
  await runFor(runtime, clock, ms);
}

const canaryWeight = (traffic: MemoryTrafficRouter): number | undefined => {
  const effects = traffic.applied(FRONTEND).filter((e) => e.type === 'setWeight');
  const last = effects[effects.length - 1];
  return last?.type === 'setWeight' ? last.canary : undefined;
};

describe('the state database stops taking writes mid-rollout', () => {
  it('holds traffic where it is, reports the error once, refuses actions, and goes on where it was once writes work again', async () => {
    const { runtime, clock, sqlite, fault, events, traffic } = await setup();
    await startV2(runtime, clock, 10_000);
    const c = runtime.rollout(FRONTEND);
    expect(c?.rolloutState.currentStepIndex).toBe(1); // paused at 10 %
    expect(canaryWeight(traffic)).toBe(10);

    // The disk fills during the pause; the pause ends, and the next step's decision cannot be saved.
    fault.failing = true;
    await runFor(runtime, clock, 300_000, 5_000);
    const errors = events.filter((e) => e.type === 'StorageError');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'store-full' });
    expect(runtime.storage.failure).toMatchObject({ code: 'store-full', attempts: expect.any(Number) as number });
    expect(runtime.storage.failure?.attempts).toBeGreaterThan(5); // retried, with back-off
    expect(runtime.storage.failure?.attempts).toBeLessThan(40); // ... not hammered every tick
    const heldAt = errors[0]?.at as number;
    // Held: no traffic change, no new step, no measurement after the failure, for 5 minutes.
    expect(canaryWeight(traffic)).toBe(10);
    expect(events.filter((e) => e.at > heldAt && ['WeightChanged', 'Measurement', 'AnalysisRunStarted', 'Promoted'].includes(e.type))).toEqual([]);
    // The status says so (`baton get`, `baton status`), without the note reaching the store.
    expect(c?.status?.message).toMatch(/^held: the state database cannot be written \(store-full\)/);
    // Actions wait for the store too.
    await expect(runtime.act(FRONTEND, { type: 'promote-full' })).rejects.toMatchObject({ code: 'storage-unavailable' });

    fault.failing = false;
    await runFor(runtime, clock, 400_000, 5_000);
    expect(events.filter((e) => e.type === 'StorageRecovered')).toHaveLength(1);
    expect(runtime.storage.held).toBe(false);
    expect(c?.status).toMatchObject({ phase: 'Healthy', currentRevision: 2, stableRevision: 2 });
    // The store has everything, in order: each step once, the outage and its end.
    const stored = sqlite.events({ rollout: FRONTEND }).filter((e) => e.type === 'WeightChanged').map((e) => e.canary);
    expect(stored).toEqual([10, 25, 50, 75, 100]);
    expect(sqlite.events().filter((e) => e.type.startsWith('Storage')).map((e) => e.type)).toEqual(['StorageError', 'StorageRecovered']);
    expect(sqlite.rollout(FRONTEND)).toMatchObject({ phase: 'Healthy', currentRevision: 2 });
  });

  it('measurement results that arrive while held are kept in memory and all stored once writes work again', async () => {
    const { runtime, clock, sqlite, fault, events } = await setup();
    await startV2(runtime, clock, 3_000);
    const c = runtime.rollout(FRONTEND);
    const background = () => c?.analysisRuns().find((r) => r.kind === 'Background');
    const before = background()?.metricResults[0]?.count ?? 0;
    fault.failing = true;
    // A write fails: the guard holds; a measurement result arriving now is kept in memory.
    await runFor(runtime, clock, 20_000);
    expect(runtime.storage.held).toBe(true);
    const stuck = background()?.metricResults[0]?.count;
    expect(stuck).toBeLessThanOrEqual(before + 1);
    fault.failing = false;
    await runFor(runtime, clock, 40_000);
    expect(runtime.storage.held).toBe(false);
    const saved = sqlite.measurements({ rollout: FRONTEND, metric: 'canary-error-rate' });
    expect(saved.length).toBeGreaterThan(before);
    // Nothing kept in memory was lost: the store has every measurement the controller has.
    expect(saved.length).toBe(background()?.metricResults[0]?.measurements.length);
    expect(events.some((e) => e.type === 'EngineError')).toBe(false);
  });
});

describe('StorageGuard', () => {
  it('keeps the latest write per key, in first-kept order, and backs off 0.5, 1, 2, 4 s ... up to 30 s', () => {
    const clock = createVirtualClock(0);
    const changes: string[] = [];
    const guard = new StorageGuard(clock, { onChange: (c) => changes.push(c.type) });
    let broken = true;
    const written: string[] = [];
    const write = (what: string) => () => {
      if (broken) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      written.push(what);
    };
    expect(guard.write('a', write('a1'))).toBe(false);
    expect(guard.write('b', write('b1'))).toBe(false);
    expect(guard.write('a', write('a2'))).toBe(false);
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const at = guard.retryAt as number;
      delays.push(at - clock.now());
      clock.advanceTo(at);
      expect(guard.retry()).toBe(false);
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    broken = false;
    expect(guard.retry()).toBe(true);
    expect(written).toEqual(['a2', 'b1']);
    expect(changes).toEqual(['held', 'recovered']);
    expect(guard.write('c', write('c1'))).toBe(true);
  });

  it('throws what is not a storage failure (a bug), and classifies storage errors', () => {
    const guard = new StorageGuard(createVirtualClock(0));
    expect(() => guard.write('x', () => { throw new TypeError('bug'); })).toThrow(TypeError);
    expect(guard.held).toBe(false);
    for (const code of ['ENOSPC', 'EROFS', 'EACCES', 'EIO', 'EFBIG', 'SQLITE_FULL']) expect(isStorageFailure(Object.assign(new Error(code), { code }))).toBe(true);
    for (const sqliteCode of ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR_WRITE', 'SQLITE_BUSY']) {
      expect(isStorageFailure(toStoreError(Object.assign(new Error(sqliteCode), { code: sqliteCode }), '/x/baton.db', 'save'))).toBe(true);
    }
    expect(isStorageFailure(new RangeError('no'))).toBe(false);
    // A bad value is a bug, not the disk: retrying it would hold the engine for ever.
    expect(isStorageFailure(toStoreError(Object.assign(new Error('cannot store REAL value in INTEGER column'), { code: 'SQLITE_MISMATCH' }), '/x/baton.db', 'save'))).toBe(false);
  });
});
