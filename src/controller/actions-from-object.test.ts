import { describe, expect, it } from 'vitest';
import { initialRolloutState, type RolloutState } from '../core/rollout/index.js';
import type { KubeObject } from '../adapters/kubernetes/resources.js';
import { actionsFromObject } from './actions-from-object.js';

const state = (over: Partial<RolloutState>): RolloutState => ({ ...initialRolloutState(), currentStepIndex: 2, ...over });
const obj = (status: Record<string, unknown>): KubeObject => ({ metadata: { name: 'r', namespace: 'ns' }, status });
const written = { abort: false, promoteFull: false, pauseConditions: null, currentStepIndex: 2 };

describe('actionsFromObject (Argo kubectl plugin patches)', () => {
  it('abort: status.abort true', () => {
    expect(actionsFromObject(obj({ ...written, abort: true }), state({}), written, 8)).toEqual([{ type: 'abort' }]);
  });

  it('retry: status.abort false on an aborted rollout', () => {
    const s = state({ aborted: true });
    expect(actionsFromObject(obj({ ...written, abort: false }), s, { ...written, abort: true }, 8)).toEqual([{ type: 'retry' }]);
  });

  it('promote: pause conditions cleared', () => {
    const paused = { ...written, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }] };
    const s = state({ pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 0 }] });
    expect(actionsFromObject(obj({ ...paused, pauseConditions: null }), s, paused, 8)).toEqual([{ type: 'promote' }]);
  });

  it('promote: the step index moved one on (a step in progress skipped)', () => {
    expect(actionsFromObject(obj({ ...written, currentStepIndex: 3 }), state({}), written, 8)).toEqual([{ type: 'promote' }]);
  });

  it('promote --full: promoteFull true, or every step skipped at once', () => {
    expect(actionsFromObject(obj({ ...written, promoteFull: true }), state({}), written, 8)).toEqual([{ type: 'promote-full' }]);
    expect(actionsFromObject(obj({ ...written, currentStepIndex: 8 }), state({}), written, 8)).toEqual([{ type: 'promote-full' }]);
  });

  it('nothing while the status is what this controller wrote, or lags behind its own decision', () => {
    expect(actionsFromObject(obj(written), state({}), written, 8)).toEqual([]);
    // The engine has just aborted; the cached object still shows the older status it wrote.
    expect(actionsFromObject(obj(written), state({ aborted: true }), written, 8)).toEqual([]);
  });

  it('without a status written since start, the engine state is the reference', () => {
    expect(actionsFromObject(obj({ abort: true, currentStepIndex: 2 }), state({}), undefined, 8)).toEqual([{ type: 'abort' }]);
    expect(actionsFromObject(obj({ abort: true, currentStepIndex: 2 }), state({ aborted: true }), undefined, 8)).toEqual([]);
  });
});
