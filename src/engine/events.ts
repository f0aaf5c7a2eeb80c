import { isCompletedPhase } from '../core/analysis/index.js';

/**
 * What the engine reports as it goes: the rollout core's own events (WeightChanged, Paused,
 * Aborted, Promoted, ActiveSwitched, ...) plus the engine's (AnalysisRunStarted, Measurement,
 * AnalysisRunCompleted, Phase, Action). `at` is epoch ms on the engine's clock.
 */
export interface EngineEvent {
  at: number;
  rollout: string;
  type: string;
  [field: string]: unknown;
}

/** A run in one of its final phases (the core's rule, under the engine's name for it). */
export const isTerminalPhase = isCompletedPhase;
