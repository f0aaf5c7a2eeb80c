/**
 * The AnalysisRun as Baton keeps it: plain JSON-serialisable data (stored in SQLite, shown by the
 * CLI). Every function of the analysis core takes a state and returns a new one; none mutates
 * its input. Times are epoch milliseconds.
 *
 * Shapes follow Argo Rollouts' `AnalysisRunStatus` / `MetricResult` / `Measurement`
 * (`pkg/apis/rollouts/v1alpha1/analysis_types.go`), with the metric spec already resolved
 * (arguments substituted, IntOrString and durations turned into numbers).
 */
import type { MetricProviderSpec } from '../spec/types.js';

/** Argo's `AnalysisPhase`. */
export type AnalysisRunPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

/** What started the run; Step and blue/green runs may not run indefinitely. */
export type AnalysisRunKind = 'Step' | 'Background' | 'PrePromotion' | 'PostPromotion';

/** Argo's `DefaultMeasurementHistoryLimit` (`analysis/analysis.go`). */
export const DEFAULT_MEASUREMENT_HISTORY_LIMIT = 10;
/** Argo's `DefaultConsecutiveErrorLimit` (`utils/defaults`). */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** Argo's `DefaultErrorRetryInterval`: after an Error the next try comes 10 s later. */
export const DEFAULT_ERROR_RETRY_INTERVAL_MS = 10_000;

/** One measurement (Argo's `Measurement`). */
export interface Measurement {
  phase: AnalysisRunPhase;
  /** As Argo stores it, e.g. `[0.99]`. */
  value?: string;
  message?: string;
  startedAt: number;
  /** Unset while the measurement is in flight (phase Running). */
  finishedAt?: number;
  metadata?: Record<string, string>;
}

/** One metric's progress in a run (Argo's `MetricResult`). */
export interface MetricResult {
  name: string;
  phase: AnalysisRunPhase;
  message?: string;
  /** Only the retained ones (the last `measurementLimit`); the counters below are complete. */
  measurements: Measurement[];
  /** Successful + Failed + Inconclusive; errors do not count. */
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  consecutiveSuccess: number;
  dryRun: boolean;
}

/** A metric after argument substitution, with its limits and durations resolved. */
export interface ResolvedMetric {
  name: string;
  /** The (Cluster)AnalysisTemplate it came from. */
  template: string;
  intervalMs?: number;
  initialDelayMs?: number;
  /** As written; unset or 0 means "1 without interval, unbounded with one" (see effectiveCount). */
  count?: number;
  successCondition?: string;
  failureCondition?: string;
  /** Default 0; -1 disables the failure limit. */
  failureLimit: number;
  /** Default 0. */
  inconclusiveLimit: number;
  /** Default 4. */
  consecutiveErrorLimit: number;
  /** Default 0 (off). */
  consecutiveSuccessLimit: number;
  provider: MetricProviderSpec;
  dryRun: boolean;
  /** How many measurements are kept (measurementRetention, default 10). */
  measurementLimit: number;
}

/** A run argument after resolution; `value` unset when none was given. */
export interface RunArgument {
  name: string;
  value?: string;
}

/** A whole AnalysisRun: its resolved spec and its status. */
export interface AnalysisRunState {
  name: string;
  kind: AnalysisRunKind;
  phase: AnalysisRunPhase;
  message?: string;
  startedAt: number;
  completedAt?: number;
  /** Set by terminateRun (Argo's `spec.terminate`). */
  terminated: boolean;
  metrics: ResolvedMetric[];
  /** One per metric, in the order of `metrics`. */
  metricResults: MetricResult[];
  args: RunArgument[];
}

/** Phases after which nothing more happens (Argo's `AnalysisPhase.Completed()`). */
export function isCompletedPhase(phase: AnalysisRunPhase): boolean {
  switch (phase) {
    case 'Successful':
    case 'Failed':
    case 'Error':
    case 'Inconclusive':
      return true;
    case 'Pending':
    case 'Running':
      return false;
    default: {
      const never: never = phase;
      return never;
    }
  }
}

/**
 * Argo's `Metric.EffectiveCount()`: count unset or 0 means one measurement without an interval,
 * and no bound (undefined) with one.
 */
export function effectiveCount(metric: Pick<ResolvedMetric, 'count' | 'intervalMs'>): number | undefined {
  if (metric.count === undefined || metric.count === 0) {
    return metric.intervalMs === undefined ? 1 : undefined;
  }
  return metric.count;
}
