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

/** An event field as text: strings as they are, anything else as JSON. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** One line describing an event (its `type` is shown beside it, so not repeated here). */
export function describeEvent(e: { type: string; [field: string]: unknown }): string {
  const { type, at: _at, rollout: _rollout, ...rest } = e;
  switch (type) {
    case 'WeightChanged':
      return `canary ${text(rest.canary)}% / stable ${text(rest.stable)}%`;
    case 'AnalysisRunStarted':
      return `${text(rest.run)} (${text(rest.kind)})`;
    case 'Measurement':
      return `${text(rest.metric)} ${text(rest.phase)}${rest.value !== undefined ? ` ${text(rest.value)}` : ''}${rest.message ? ` (${text(rest.message)})` : ''}`;
    case 'AnalysisRunCompleted':
      return `${text(rest.run)} ${text(rest.phase)}${rest.message ? `: ${text(rest.message)}` : ''}`;
    case 'MeasurementInterrupted':
      return `${text(rest.run)} ${text(rest.metric)}: in flight when the controller stopped; ${rest.action === 'error' ? 'counted as an Error' : 'measured again'}`;
    case 'StorageError':
      return `the state database cannot be written (${text(rest.code)}): ${text(rest.message)}; nothing new is decided until it can, retrying`;
    case 'StorageRecovered':
      return `the state database takes writes again after ${text(rest.attempts)} failed attempt(s); ${text(rest.written)} kept write(s) stored`;
    case 'Phase':
      return `${text(rest.phase)}${rest.message ? `: ${text(rest.message)}` : ''}`;
    default:
      return Object.entries(rest)
        .map(([k, v]) => `${k}=${text(v)}`)
        .join(' ');
  }
}
