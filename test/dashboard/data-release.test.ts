/** The dashboard's release data from real event shapes: the weight line, decisions and reasons, merging streamed events. */
import { describe, expect, it } from 'vitest';
import { decisions, latestRelease, mergeEvents, pauseAndAbortReasons, weightSeries } from '../../dashboard/src/data/release.js';
import type { EventView } from '../../src/api/types.js';

let id = 0;
const ev = (wallAt: number, type: string, fields: Record<string, unknown> = {}, message = ''): EventView => ({ id: ++id, at: wallAt * 10, wallAt, workload: 'web', type, message, fields });

describe('weightSeries', () => {
  it('steps through each WeightChanged from 0, and reaches now', () => {
    const events = [ev(1000, 'RevisionCreated', { revision: 2 }), ev(1100, 'WeightChanged', { canary: 10, stable: 90 }), ev(4000, 'WeightChanged', { canary: 25, stable: 75 })];
    expect(weightSeries(events, 5000, 25)).toEqual([
      { at: 1000, weight: 0 },
      { at: 1100, weight: 10 },
      { at: 4000, weight: 25 },
      { at: 5000, weight: 25 },
    ]);
  });
  it('without a weight change, a flat line at the current weight', () => {
    expect(weightSeries([ev(1000, 'Phase', { phase: 'Healthy' })], 3000, 0)).toEqual([{ at: 1000, weight: 0 }, { at: 3000, weight: 0 }]);
    expect(weightSeries([], 3000, 0)).toEqual([]);
  });
  it('ignores a weight that is not a number', () => {
    expect(weightSeries([ev(1000, 'WeightChanged', { canary: 'x' }), ev(2000, 'WeightChanged', { canary: 50 })], 2000, 50)).toEqual([{ at: 1000, weight: 0 }, { at: 2000, weight: 50 }]);
  });
});

describe('latestRelease', () => {
  it('starts at the last RevisionCreated', () => {
    const events = [ev(1, 'RevisionCreated'), ev(2, 'WeightChanged', { canary: 100 }), ev(3, 'RevisionCreated'), ev(4, 'WeightChanged', { canary: 10 })];
    expect(latestRelease(events).map((e) => e.wallAt)).toEqual([3, 4]);
    expect(latestRelease(events.slice(1, 2)).map((e) => e.wallAt)).toEqual([2]);
  });
});

describe('decisions and reasons', () => {
  // As the engine records a bad release (baton simulate of examples/tbyte bad-release.yaml).
  const events = [
    ev(0, 'Paused', { reason: 'CanaryPauseStep' }),
    ev(30, 'Resumed'),
    ev(60, 'AnalysisRunCompleted', { run: 'r-2', phase: 'Successful', message: 'Run Terminated' }),
    ev(90, 'AnalysisRunCompleted', { run: 'r-2-2', phase: 'Failed', message: 'Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)' }),
    ev(90, 'Aborted', { message: 'Step-based analysis phase error/failed: Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)', revision: 2 }),
    ev(95, 'Action', { action: 'retry' }),
    ev(96, 'WeightChanged', { canary: 0 }),
  ];
  it('marks pauses, resumes, failed analysis, aborts and actions, with their reasons', () => {
    expect(decisions(events).map((d) => [d.kind, d.label, d.detail])).toEqual([
      ['pause', 'Paused', 'CanaryPauseStep'],
      ['resume', 'Resumed', ''],
      ['analysis-failed', 'Analysis Failed', 'Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)'],
      ['abort', 'Aborted', 'Step-based analysis phase error/failed: Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)'],
      ['action', 'Retry (by a person)', ''],
    ]);
  });
  it('lists every pause and abort, newest first', () => {
    expect(pauseAndAbortReasons(events).map((d) => d.kind)).toEqual(['abort', 'pause']);
  });
});

describe('mergeEvents', () => {
  const a = ev(1, 'A');
  const b = ev(2, 'B');
  const c = ev(3, 'C');
  it('appends new events and drops ones already held (a reconnect sends some again)', () => {
    expect(mergeEvents([a, b], [b, c]).map((e) => e.type)).toEqual(['A', 'B', 'C']);
    expect(mergeEvents([a], [c, b]).map((e) => e.type)).toEqual(['A', 'B', 'C']);
    expect(mergeEvents([a, b], [])).toHaveLength(2);
  });
  it('keeps the newest `max`', () => {
    expect(mergeEvents([a, b], [c], 2).map((e) => e.type)).toEqual(['B', 'C']);
  });
});
