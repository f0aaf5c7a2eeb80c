import type { AnalysisRunPhase } from '../core/analysis/index.js';

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

export function isTerminalPhase(phase: AnalysisRunPhase): boolean {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
}
