/**
 * The StateStore contract, run against every implementation (SQLite, in-memory): what the engine
 * relies on to resume after a crash. Each implementation's test file calls
 * {@link describeStateStoreContract} with a factory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/ports/state-store.js';
import { analysisRun, record } from './fixtures.js';

export interface StoreUnderTest {
  store: StateStore;
  /** A new handle on the same durable state (a restart); omitted when there is none. */
  reopen?: () => StateStore;
  cleanup(): void;
}

/** `durable`: the store outlives its handle, so `reopen` is given and a restart is tested. */
export function describeStateStoreContract(name: string, open: () => StoreUnderTest, opts: { durable: boolean }): void {
  describe(`StateStore contract: ${name}`, () => {
    let cleanups: (() => void)[] = [];
    afterEach(() => {
      for (const c of cleanups.reverse()) c();
      cleanups = [];
    });
    function setup(): StoreUnderTest {
      const s = open();
      cleanups.push(() => s.cleanup());
      return s;
    }

    it('knows nothing of a rollout never saved', () => {
      const { store } = setup();
      expect(store.load('backend')).toBeUndefined();
    });

    it('returns a saved record whole: state, runs in order, measurements and their optional fields', () => {
      const { store } = setup();
      const rec = record();
      store.save('backend', rec);
      expect(store.load('backend')).toStrictEqual(record());
    });

    it('replaces the record on the next save, runs dropped from it included', () => {
      const { store } = setup();
      store.save('backend', record(1, 10));
      const next = record(3, 50);
      next.analysisRuns = [analysisRun('backend-bbb222-3', { measurements: 5 })];
      store.save('backend', next);
      expect(store.load('backend')).toStrictEqual(next);
    });

    it('keeps rollouts apart', () => {
      const { store } = setup();
      store.save('backend', record(1, 10));
      store.save('frontend', record(4, 75));
      expect(store.load('backend')?.rolloutState.canaryWeight).toBe(10);
      expect(store.load('frontend')?.rolloutState.canaryWeight).toBe(75);
    });

    it('is not changed by mutating what was saved or what was loaded', () => {
      const { store } = setup();
      const rec = record();
      store.save('backend', rec);
      rec.rolloutState.canaryWeight = 99;
      rec.analysisRuns[0]!.metricResults[0]!.measurements.push(analysisRun('x').metricResults[0]!.measurements[0]!);
      const loaded = store.load('backend')!;
      loaded.rolloutState.revisions.pop();
      expect(store.load('backend')).toStrictEqual(record());
    });

    it('updates a run in place as its measurements come in', () => {
      const { store } = setup();
      store.save('backend', record());
      const rec = record();
      const run = rec.analysisRuns[0]!;
      const result = run.metricResults[0]!;
      result.measurements[result.measurements.length - 1] = { phase: 'Successful', value: '[1]', startedAt: 12_000, finishedAt: 12_050 };
      result.count += 1;
      rec.analysisRuns[0] = { ...run, phase: 'Successful', completedAt: 13_000 };
      store.save('backend', rec);
      expect(store.load('backend')).toStrictEqual(rec);
    });

    if (opts.durable) {
      it('keeps the last save across a restart', () => {
        const s = setup();
        s.store.save('backend', record(1, 10));
        s.store.save('backend', record(2, 25));
        const again = s.reopen!();
        expect(again.load('backend')).toStrictEqual(record(2, 25));
      });
    }
  });
}
