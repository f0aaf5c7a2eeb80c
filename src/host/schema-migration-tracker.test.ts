import { describe, expect, it } from 'vitest';
import { initialRolloutState, type RolloutState } from '../core/rollout/index.js';
import { RolloutTracker, type AbortedRevisionStore, type RolloutView } from './schema-migration-tracker.js';

function memoryStore(): AbortedRevisionStore & { data: Map<string, string[]> } {
  const data = new Map<string, string[]>();
  return {
    data,
    load: (r) => [...(data.get(r) ?? [])],
    add: (r, h) => data.set(r, [...(data.get(r) ?? []), h]),
  };
}

function view(state: Partial<RolloutState>, phase: 'Healthy' | 'Degraded' | 'Progressing'): RolloutView {
  return {
    name: 'web',
    spec: {} as RolloutView['spec'],
    rolloutState: { ...initialRolloutState(), ...state },
    status: { phase, message: '', stepCount: 0, canaryWeight: 0, aborted: state.aborted ?? false, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
  };
}

describe('RolloutTracker', () => {
  it('keeps an aborted revision aborted across a restart: a new tracker on the same store never arms it', () => {
    const store = memoryStore();
    const first = new RolloutTracker(store);
    expect(first.arm('web', { hash: 'v2', revision: 2, source: 'prepared' }, 'v1')).toBe(true);
    expect(first.observe(view({ stableHash: 'v1', currentHash: 'v2', aborted: true }, 'Degraded'), [], 1_000)).toMatchObject({ kind: 'aborted' });
    expect(store.data.get('web')).toEqual(['v2']);

    // The controller restarts; v2 is retried and promoted. Recovered from the audit table, it
    // would be armed again without the store.
    const second = new RolloutTracker(store);
    expect(second.arm('web', { hash: 'v2', revision: 2, source: 'recovered' })).toBe(false);
    expect(second.isAborted('web', 'v2')).toBe(true);
    const settled = second.observe(view({ stableHash: 'v2', currentHash: 'v2' }, 'Healthy'), [], 2_000);
    expect(settled?.kind).not.toBe('promoted');

    // Without a store, the restart forgets the abort (the behaviour this guards against).
    const forgetful = new RolloutTracker();
    expect(forgetful.arm('web', { hash: 'v2', revision: 2, source: 'recovered' })).toBe(true);
  });

  it('writes each aborted revision once', () => {
    const store = memoryStore();
    const t = new RolloutTracker(store);
    for (let i = 0; i < 3; i++) t.observe(view({ stableHash: 'v1', currentHash: 'v3', aborted: true }, 'Degraded'), [], i);
    expect(store.data.get('web')).toEqual(['v3']);
  });
});
