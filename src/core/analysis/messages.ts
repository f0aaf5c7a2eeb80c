/**
 * Run and metric messages, worded exactly as Argo's `assessRunStatus` and
 * `assessMetricFailureInconclusiveOrError` (`analysis/analysis.go`) word them:
 *
 *   Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)
 *   Metric "x" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: connection refused"
 *   Metric assessed Failed due to failed (1) > failureLimit (0)        (a dry-run metric's own message)
 *   Run Terminated
 */
import type { AnalysisRunPhase } from './types.js';

/** `failed (2) > failureLimit (1)` */
export function failedReason(failed: number, failureLimit: number): string {
  return `failed (${failed}) > failureLimit (${failureLimit})`;
}

/** `inconclusive (1) > inconclusiveLimit (0)` */
export function inconclusiveReason(inconclusive: number, inconclusiveLimit: number): string {
  return `inconclusive (${inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`;
}

/** `consecutiveErrors (5) > consecutiveErrorLimit (4)` */
export function consecutiveErrorReason(consecutiveError: number, consecutiveErrorLimit: number): string {
  return `consecutiveErrors (${consecutiveError}) > consecutiveErrorLimit (${consecutiveErrorLimit})`;
}

/**
 * The run's message for its worst metric; the metric's last measurement message, when there is
 * one, is appended as `: "Error Message: ..."`.
 */
export function metricAssessedMessage(
  metricName: string,
  phase: AnalysisRunPhase,
  reason: string,
  lastMessage: string | undefined,
): string {
  const base = `Metric "${metricName}" assessed ${phase} due to ${reason}`;
  return lastMessage ? `${base}: "Error Message: ${lastMessage}"` : base;
}

/** A dry-run metric's own message; it never becomes the run's. */
export function dryRunMetricMessage(phase: AnalysisRunPhase, reason: string): string {
  return `Metric assessed ${phase} due to ${reason}`;
}

/** The run's message when it was terminated and no metric did worse. */
export const RUN_TERMINATED_MESSAGE = 'Run Terminated';

/** An in-flight measurement ended by termination (Argo's runMeasurements). */
export const METRIC_TERMINATED_MESSAGE = 'Metric Terminated';
