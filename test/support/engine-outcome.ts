/** How a release ended, read from a state database: what the kill and disk-full tests compare. */
import type { RuntimeStateStore } from '../../src/ports/state-store.js';

export interface Outcome {
  phase: string | undefined;
  aborted: boolean;
  stableRevision: number | undefined;
  currentRevision: number | undefined;
  message: string | undefined;
  /** Canary weights in order, repeats folded. */
  weights: unknown[];
}

export function outcomeOf(store: Pick<RuntimeStateStore, 'rollout' | 'events'>, rollout: string): Outcome {
  const s = store.rollout(rollout);
  const weights: unknown[] = [];
  for (const e of store.events({ rollout })) if (e.type === 'WeightChanged' && weights[weights.length - 1] !== e.canary) weights.push(e.canary);
  return { phase: s?.phase, aborted: s?.aborted ?? false, stableRevision: s?.stableRevision, currentRevision: s?.currentRevision, message: s?.message, weights };
}
