import { describe, expect, it } from 'vitest';
import type { AnalysisRunState } from '../../../core/analysis/index.js';
import { initialRolloutState } from '../../../core/rollout/index.js';
import { selectRetainedRuns } from './records.js';

function run(name: string, phase: AnalysisRunState['phase'], startedAt: number, completedAt?: number): AnalysisRunState {
  const r: AnalysisRunState = { name, kind: 'Background', phase, startedAt, terminated: false, metrics: [], metricResults: [], args: [] };
  if (completedAt !== undefined) r.completedAt = completedAt;
  return r;
}

describe('selectRetainedRuns', () => {
  it('keeps the newest completed runs by completion time, and every running one, in record order', () => {
    const runs = [run('a', 'Successful', 1, 100), run('b', 'Failed', 2, 300), run('c', 'Running', 3), run('d', 'Error', 4, 200), run('e', 'Pending', 5)];
    const kept = selectRetainedRuns({ rolloutState: initialRolloutState(), analysisRuns: runs }, { maxCompletedRuns: 2 });
    expect(kept.map((r) => r.name)).toEqual(['b', 'c', 'd', 'e']);
  });

  it('never drops a run the rollout state still owns, nor counts it against the limit', () => {
    const state = { ...initialRolloutState(), analysisRuns: [{ name: 'a', kind: 'Step' as const, hash: 'h' }] };
    const runs = [run('a', 'Inconclusive', 1, 10), run('b', 'Successful', 2, 20), run('c', 'Successful', 3, 30)];
    expect(selectRetainedRuns({ rolloutState: state, analysisRuns: runs }, { maxCompletedRuns: 1 }).map((r) => r.name)).toEqual(['a', 'c']);
  });

  it('orders a completed run without completedAt by its start, and keeps none with a limit of 0', () => {
    const runs = [run('old', 'Successful', 50), run('new', 'Successful', 60, 55)];
    const record = { rolloutState: initialRolloutState(), analysisRuns: runs };
    expect(selectRetainedRuns(record, { maxCompletedRuns: 1 }).map((r) => r.name)).toEqual(['new']);
    expect(selectRetainedRuns(record, { maxCompletedRuns: 0 })).toEqual([]);
  });
});
