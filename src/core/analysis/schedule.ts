/**
 * When measurements are due, as Argo's `generateMetricTasks` and `calculateNextReconcileTime`
 * (`analysis/analysis.go`) decide it:
 *
 * - the first measurement at the run's start, or at start + initialDelay;
 * - the next at the previous measurement's finish + interval;
 * - after an Error, at its finish + 10 s, whatever the interval (errors do not use up count);
 * - nothing once the count is reached, the metric or run has completed, or the run is
 *   terminating; nothing while a measurement is in flight (the engine owns it).
 *
 * Example, interval 30s, count 3, run started at t=0: measurements due at 0, 30, 60; if the one
 * at 30 errors, the retry is due at 40 and the next after that at 70.
 *
 * Argo requeues at the due time and measures when `now` is after it; on a virtual clock the
 * wake-up lands exactly on the due time, so here a measurement is due when `now >= dueAt`.
 */
import type { MetricProviderSpec } from '../spec/types.js';
import { isTerminating } from './assess.js';
import {
  DEFAULT_ERROR_RETRY_INTERVAL_MS,
  effectiveCount,
  isCompletedPhase,
  type AnalysisRunState,
  type MetricResult,
  type ResolvedMetric,
} from './types.js';

/** A measurement to take now. */
export interface DueMeasurement {
  metricName: string;
  /** The provider block with `{{args.x}}` already substituted. */
  provider: MetricProviderSpec;
}

/** When this metric's next measurement is due, or undefined when none will be. */
function dueAt(run: AnalysisRunState, metric: ResolvedMetric, result: MetricResult): number | undefined {
  if (isCompletedPhase(result.phase)) return undefined;
  const last = result.measurements[result.measurements.length - 1];
  if (last === undefined) return run.startedAt + (metric.initialDelayMs ?? 0);
  if (last.finishedAt === undefined) return undefined;
  const wanted = effectiveCount(metric);
  if (wanted !== undefined && result.count >= wanted) return undefined;
  // Argo falls back to the 10 s error-retry interval when no interval is set.
  const wait = last.phase === 'Error' ? DEFAULT_ERROR_RETRY_INTERVAL_MS : (metric.intervalMs ?? DEFAULT_ERROR_RETRY_INTERVAL_MS);
  return last.finishedAt + wait;
}

function active(run: AnalysisRunState): boolean {
  return !isCompletedPhase(run.phase) && !isTerminating(run);
}

/** The measurements to take at `now`, in metric order. */
export function dueMeasurements(run: AnalysisRunState, now: number): DueMeasurement[] {
  if (!active(run)) return [];
  const due: DueMeasurement[] = [];
  run.metrics.forEach((metric, i) => {
    const result = run.metricResults[i];
    if (result === undefined) return;
    const at = dueAt(run, metric, result);
    if (at !== undefined && now >= at) due.push({ metricName: metric.name, provider: metric.provider });
  });
  return due;
}

/**
 * The earliest time a measurement becomes due, or undefined when none will (the run is complete,
 * or every open metric has a measurement in flight). A time at or before `now` means "due now".
 */
export function nextWakeAt(run: AnalysisRunState): number | undefined {
  if (!active(run)) return undefined;
  let earliest: number | undefined;
  run.metrics.forEach((metric, i) => {
    const result = run.metricResults[i];
    if (result === undefined) return;
    const at = dueAt(run, metric, result);
    if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
  });
  return earliest;
}
