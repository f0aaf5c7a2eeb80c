import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, openSqliteStore } from '../../src/adapters/store/sqlite/index.js';
import { InvalidInputError } from '../../src/core/errors.js';
import type { RolloutStatus } from '../../src/core/rollout/index.js';
import { META_KEYS } from '../../src/ports/state-store.js';
import { analysisRun, record } from './fixtures.js';
import { fakeClock, freshStore, tempDir } from './helpers.js';
import { describeStateStoreContract } from './state-store.contract.js';

describeStateStoreContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-store-'));
  const path = join(dir, 'state.db');
  const opened = [openSqliteStore(path)];
  return {
    store: opened[0]!,
    reopen: () => {
      opened[0]!.close();
      const again = openSqliteStore(path);
      opened.push(again);
      return again;
    },
    cleanup: () => {
      for (const s of opened) s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}, { durable: true });

const status: RolloutStatus = {
  phase: 'Paused',
  message: 'CanaryPauseStep',
  stepIndex: 2,
  stepCount: 8,
  canaryWeight: 25,
  stableRevision: 1,
  currentRevision: 2,
  aborted: false,
  replicas: 4,
  updatedReplicas: 1,
  availableReplicas: 4,
};

describe('sqlite store', () => {
  it('creates the schema at the current version, in WAL mode, with meta values', () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir, 'state.db'));
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    store.setMeta(META_KEYS.controllerId, 'ctrl-1');
    store.setMeta(META_KEYS.controllerId, 'ctrl-2');
    store.setMeta(META_KEYS.timeScale, '0.1');
    expect(store.getMeta(META_KEYS.controllerId)).toBe('ctrl-2');
    expect(store.getMeta('missing')).toBeUndefined();
    store.close();
    const raw = new Database(join(dir, 'state.db'));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
    // Opening again does not migrate twice or lose anything.
    const again = openSqliteStore(join(dir, 'state.db'));
    expect(again.getMeta(META_KEYS.timeScale)).toBe('0.1');
    again.close();
  });

  it('refuses bad options with a typed error naming the option', () => {
    const path = join(tempDir(), 'state.db');
    for (const [opts, option] of [
      [{ maxCompletedRuns: -1 }, 'maxCompletedRuns'],
      [{ maxEventsPerRollout: 0 }, 'maxEventsPerRollout'],
      [{ busyTimeoutMs: 1.5 }, 'busyTimeoutMs'],
    ] as const) {
      let caught: unknown;
      try {
        openSqliteStore(path, opts);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidInputError);
      expect((caught as InvalidInputError).details.option).toBe(option);
    }
  });

  it('saveTick writes status columns for list/get; a plain save keeps the last status', () => {
    const clock = fakeClock(50_000);
    const store = freshStore({ clock });
    store.saveTick({ rollout: 'backend', record: record(2, 25), status });
    store.saveTick({ rollout: 'frontend', record: record(0, 0), status: { ...status, phase: 'Healthy', message: '', stepIndex: undefined, canaryWeight: 0 } });
    clock.advance(1000);
    store.save('backend', record(3, 40));
    expect(store.rollout('backend')).toStrictEqual({
      name: 'backend',
      phase: 'Paused',
      message: 'CanaryPauseStep',
      stepIndex: 2,
      stepCount: 8,
      canaryWeight: 40,
      stableWeight: 60,
      stableRevision: 1,
      currentRevision: 2,
      aborted: false,
      updatedAt: 51_000,
    });
    expect(store.rollouts().map((r) => [r.name, r.phase, r.stepIndex])).toEqual([
      ['backend', 'Paused', 2],
      ['frontend', 'Healthy', undefined],
    ]);
    expect(store.rollout('nope')).toBeUndefined();
  });

  it('lists revisions with their image for history, following renumbering', () => {
    const store = freshStore();
    const rec = record();
    store.save('backend', rec);
    expect(store.revisions('backend')).toStrictEqual([
      { revision: 1, hash: 'aaa111', image: 'backend:v1', createdAt: 1_000 },
      { revision: 2, hash: 'bbb222', image: 'backend:v2', createdAt: 2_000 },
    ]);
    // Undo to v1: Argo gives the returning template the next number.
    rec.rolloutState.revisions[0]!.revision = 3;
    store.save('backend', rec);
    expect(store.revisions('backend').map((r) => [r.revision, r.image])).toEqual([
      [2, 'backend:v2'],
      [3, 'backend:v1'],
    ]);
  });

  it('keeps analysis runs and measurements as rows that can be queried', () => {
    const store = freshStore();
    store.save('backend', record());
    expect(store.analysisRuns('backend')).toStrictEqual([
      { rollout: 'backend', name: 'backend-bbb222-2', kind: 'Step', phase: 'Running', startedAt: 9_000 },
      { rollout: 'backend', name: 'backend-bbb222-bg', kind: 'Step', phase: 'Successful', message: 'run Successful', startedAt: 8_000, completedAt: 13_000 },
    ]);
    const rows = store.measurements({ rollout: 'backend', run: 'backend-bbb222-2', metric: 'success-rate' });
    expect(rows).toStrictEqual([
      { rollout: 'backend', run: 'backend-bbb222-2', metric: 'success-rate', phase: 'Successful', value: '[0.990]', startedAt: 10_000, finishedAt: 10_040 },
      { rollout: 'backend', run: 'backend-bbb222-2', metric: 'success-rate', phase: 'Error', message: 'query failed 1', startedAt: 11_000, finishedAt: 11_040 },
      { rollout: 'backend', run: 'backend-bbb222-2', metric: 'success-rate', phase: 'Running', startedAt: 12_000 },
    ]);
    expect(store.measurements({ rollout: 'backend', metric: 'latency' }).map((m) => m.run)).toEqual(['backend-bbb222-2', 'backend-bbb222-bg']);
    expect(store.measurements({ rollout: 'backend' })).toHaveLength(8);
    expect(store.measurements({ rollout: 'other' })).toEqual([]);
  });

  it('keeps at most N completed runs per rollout, the newest, plus running and owned ones', () => {
    const store = freshStore({ maxCompletedRuns: 3 });
    const rec = record();
    // backend-bbb222-2 is owned by the state and Running; add 6 completed ones, t = 1..6.
    const completed = [1, 2, 3, 4, 5, 6].map((t) => ({ ...analysisRun(`old-${t}`, { phase: 'Successful', startedAt: t * 100_000 }) }));
    rec.analysisRuns = [rec.analysisRuns[0]!, ...completed];
    // The owned run is completed too now: the core still reads it, so it stays whatever its age.
    rec.analysisRuns[0] = { ...rec.analysisRuns[0]!, phase: 'Failed', completedAt: 1 };
    store.save('backend', rec);
    const names = store.analysisRuns('backend').map((r) => r.name);
    expect(names).toEqual(['backend-bbb222-2', 'old-4', 'old-5', 'old-6']);
    expect(store.load('backend')?.analysisRuns.map((r) => r.name)).toEqual(names);
    expect(new Set(store.measurements({ rollout: 'backend' }).map((m) => m.run))).toEqual(new Set(names));
    // The same record again does not bring the dropped runs back.
    store.save('backend', rec);
    expect(store.analysisRuns('backend').map((r) => r.name)).toEqual(names);
  });

  it('forgets a deleted rollout with its revisions, runs and measurements, keeping events and audit', () => {
    const store = freshStore();
    store.saveTick({ rollout: 'backend', record: record(), status, events: [{ at: 1, rollout: 'backend', type: 'StepStarted' }] });
    store.save('frontend', record());
    store.recordAudit({ at: 2, actor: 'cli:ana', action: 'delete', target: 'backend' });
    store.deleteRollout('backend');
    expect(store.load('backend')).toBeUndefined();
    expect(store.rollouts().map((r) => r.name)).toEqual(['frontend']);
    expect(store.revisions('backend')).toEqual([]);
    expect(store.analysisRuns('backend')).toEqual([]);
    expect(store.measurements({ rollout: 'backend' })).toEqual([]);
    expect(store.measurements({ rollout: 'frontend' })).toHaveLength(8);
    expect(store.events({ rollout: 'backend' })).toHaveLength(1);
    expect(store.audit({ rollout: 'backend' })).toHaveLength(1);
  });

  it('appends events and reads them by rollout, time, cursor and limit, capped per rollout', () => {
    const store = freshStore({ maxEventsPerRollout: 5 });
    for (let i = 0; i < 8; i++) store.appendEvent({ at: 100 + i, rollout: 'backend', type: 'WeightChanged', canary: i * 10, stable: 100 - i * 10 });
    store.saveTick({ rollout: 'frontend', record: record(), events: [{ at: 500, rollout: 'frontend', type: 'Paused', reason: 'CanaryPauseStep' }] });
    const backend = store.events({ rollout: 'backend' });
    expect(backend.map((e) => e.at)).toEqual([103, 104, 105, 106, 107]);
    expect(backend[0]).toMatchObject({ rollout: 'backend', type: 'WeightChanged', canary: 30, stable: 70 });
    expect(store.events({ rollout: 'frontend' })).toEqual([expect.objectContaining({ type: 'Paused', reason: 'CanaryPauseStep', at: 500 })]);
    expect(store.events({ since: 106 }).map((e) => e.at)).toEqual([106, 107, 500]);
    expect(store.events({ limit: 2 }).map((e) => e.at)).toEqual([107, 500]);
    const cursor = backend[2]!.id;
    expect(store.events({ afterId: cursor }).map((e) => e.at)).toEqual([106, 107, 500]);
    // A page after a cursor starts right after it, so following it skips nothing.
    expect(store.events({ afterId: cursor, limit: 2 }).map((e) => e.at)).toEqual([106, 107]);
    expect(store.events().map((e) => e.id)).toEqual([...store.events().map((e) => e.id)].sort((a, b) => a - b));
  });

  it('trims a large event log every cap/100 appends, never keeping more than cap + cap/100 - 1', () => {
    const store = freshStore({ maxEventsPerRollout: 300 });
    const counts: number[] = [];
    for (let i = 0; i < 320; i++) {
      store.appendEvent({ at: i, rollout: 'backend', type: 'Tick' });
      counts.push(store.events({ rollout: 'backend' }).length);
    }
    expect(Math.max(...counts)).toBe(302);
    const kept = store.events({ rollout: 'backend' });
    // The newest are the ones kept, in order.
    expect(kept.at(-1)?.at).toBe(319);
    expect(kept.map((e) => e.at)).toEqual(Array.from({ length: kept.length }, (_, i) => 320 - kept.length + i));
    expect(kept.length).toBeGreaterThanOrEqual(300);
  });

  it('records who did what', () => {
    const store = freshStore();
    store.recordAudit({ at: 1, actor: 'cli:ana', action: 'apply', target: 'backend', details: { generation: 1 } });
    store.recordAudit({ at: 2, actor: 'api:ci', action: 'promote', target: 'frontend' });
    store.recordAudit({ at: 3, actor: 'cli:ana', action: 'abort', target: 'backend', details: { reason: 'errors' } });
    expect(store.audit({ rollout: 'backend' })).toStrictEqual([
      { id: 1, at: 1, actor: 'cli:ana', action: 'apply', target: 'backend', details: { generation: 1 } },
      { id: 3, at: 3, actor: 'cli:ana', action: 'abort', target: 'backend', details: { reason: 'errors' } },
    ]);
    expect(store.audit({ limit: 2 }).map((a) => a.action)).toEqual(['promote', 'abort']);
  });

  it('numbers applied manifest sets and keeps their history; an unchanged apply is the same generation', () => {
    const store = freshStore();
    expect(store.appliedManifests()).toStrictEqual({ history: [] });
    const v1 = [
      { path: 'rollout.yaml', text: 'kind: Rollout\n' },
      { path: 'svc.yaml', text: 'kind: Service\n' },
    ];
    expect(store.applyManifests({ files: v1, actor: 'cli:ana', at: 10 })).toBe(1);
    expect(store.applyManifests({ files: v1, actor: 'cli:bob', at: 20 })).toBe(1);
    const v2 = [{ path: 'rollout.yaml', text: 'kind: Rollout\nimage: v2\n' }, v1[1]!];
    expect(store.applyManifests({ files: v2, actor: 'cli:bob', at: 30 })).toBe(2);
    const applied = store.appliedManifests();
    expect(applied.latest).toStrictEqual({ generation: 2, appliedAt: 30, actor: 'cli:bob', files: v2 });
    expect(applied.history).toStrictEqual([
      { generation: 2, appliedAt: 30, actor: 'cli:bob', fileCount: 2 },
      { generation: 1, appliedAt: 10, actor: 'cli:ana', fileCount: 2 },
    ]);
    expect(store.manifestGeneration(1)?.files).toStrictEqual(v1);
    expect(store.manifestGeneration(9)).toBeUndefined();
    let caught: unknown;
    try {
      store.applyManifests({ files: [{ path: 'x.yaml' } as never], actor: 'a', at: 1 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as InvalidInputError).code).toBe('invalid-manifest-file');
    expect(store.appliedManifests().history).toHaveLength(2);
  });

  it('writes record, status and events of a tick together, and rolls all of a failed transaction back', () => {
    const store = freshStore();
    store.saveTick({ rollout: 'backend', record: record(1, 10), status, events: [{ at: 1, rollout: 'backend', type: 'StepStarted', index: 1 }] });
    expect(() =>
      store.transaction(() => {
        store.saveTick({ rollout: 'backend', record: record(4, 75), status: { ...status, canaryWeight: 75 }, events: [{ at: 2, rollout: 'backend', type: 'StepStarted', index: 4 }] });
        store.recordAudit({ at: 2, actor: 'cli:ana', action: 'promote', target: 'backend' });
        store.applyManifests({ files: [{ path: 'a.yaml', text: 'a' }], actor: 'cli:ana', at: 2 });
        throw new Error('effect failed');
      }),
    ).toThrow('effect failed');
    expect(store.load('backend')).toStrictEqual(record(1, 10));
    expect(store.rollout('backend')?.canaryWeight).toBe(25);
    expect(store.events().map((e) => e.at)).toEqual([1]);
    expect(store.audit()).toEqual([]);
    expect(store.appliedManifests().latest).toBeUndefined();
    expect(store.transaction(() => 42)).toBe(42);
  });
});
