import type { AnalysisRunState } from '../core/analysis/index.js';
import type { RolloutState } from '../core/rollout/index.js';

/** Everything the engine needs to resume a rollout after a crash. */
export interface RolloutRecord {
  rolloutState: RolloutState;
  analysisRuns: AnalysisRunState[];
}

/**
 * Durable state: SQLite on one machine, an in-memory map in `baton simulate`. `save` is atomic:
 * after a crash, `load` returns the last saved record whole.
 */
export interface StateStore {
  load(rollout: string): RolloutRecord | undefined;
  save(rollout: string, record: RolloutRecord): void;
}
