/**
 * Metric phase and run phase, as Argo's `assessMetricStatus`, `assessMetricFailureInconclusiveOrError`
 * and `assessRunStatus` (`analysis/analysis.go`, v1.8 with consecutiveSuccessLimit) decide them.
 */
import {
  consecutiveErrorReason,
  dryRunMetricMessage,
  failedReason,
  inconclusiveReason,
  metricAssessedMessage,
  RUN_TERMINATED_MESSAGE,
} from './messages.js';
import { endInFlight } from './record.js';
import {
  effectiveCount,
  isCompletedPhase,
  type AnalysisRunPhase,
  type AnalysisRunState,
  type MetricResult,
  type ResolvedMetric,
} from './types.js';

/** Best to worst, as Argo's `analysisStatusOrder` (utils/analysis/helpers.go). */
const STATUS_ORDER: readonly AnalysisRunPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];

/** Argo's `IsWorse`: is `next` worse than `current`? */
export function isWorse(current: AnalysisRunPhase, next: AnalysisRunPhase): boolean {
  return STATUS_ORDER.indexOf(next) > STATUS_ORDER.indexOf(current);
}

/** Which limit, if any, a metric's counters exceed. */
export interface LimitVerdict {
  phase?: 'Failed' | 'Inconclusive' | 'Error';
  /** e.g. `failed (2) > failureLimit (1)`. */
  reason?: string;
}

/**
 * Argo's `assessMetricFailureInconclusiveOrError`: the limits, checked in this order, a later
 * one overriding an earlier: failed > failureLimit (unless -1), inconclusive >
 * inconclusiveLimit, consecutive errors > consecutiveErrorLimit.
 */
export function assessMetricLimits(metric: ResolvedMetric, result: MetricResult): LimitVerdict {
  let verdict: LimitVerdict = {};
  if (metric.failureLimit >= 0 && result.failed > metric.failureLimit) {
    verdict = { phase: 'Failed', reason: failedReason(result.failed, metric.failureLimit) };
  }
  if (result.inconclusive > metric.inconclusiveLimit) {
    verdict = { phase: 'Inconclusive', reason: inconclusiveReason(result.inconclusive, metric.inconclusiveLimit) };
  }
  if (result.consecutiveError > metric.consecutiveErrorLimit) {
    verdict = { phase: 'Error', reason: consecutiveErrorReason(result.consecutiveError, metric.consecutiveErrorLimit) };
  }
  return verdict;
}

/**
 * Argo's `assessMetricStatus`: the phase of one metric from its counters and last measurement.
 * `terminating`: the run was terminated or a real metric already ended badly.
 *
 * Worked example, count 5, failureLimit 2, consecutiveSuccessLimit 3 (both limits active):
 * S F S S S -> Successful at the 5th (3 in a row); F F F -> Failed at the 3rd (failed 3 > 2);
 * F S S F S -> count reached with neither limit met -> Inconclusive.
 */
export function assessMetric(metric: ResolvedMetric, result: MetricResult, terminating: boolean): AnalysisRunPhase {
  if (isCompletedPhase(result.phase)) return result.phase;
  const last = result.measurements[result.measurements.length - 1];
  if (last === undefined) return terminating ? 'Successful' : 'Pending';
  if (!isCompletedPhase(last.phase)) return 'Running';

  const limits = assessMetricLimits(metric, result);
  if (limits.phase !== undefined) return limits.phase;

  if (metric.consecutiveSuccessLimit > 0 && result.consecutiveSuccess >= metric.consecutiveSuccessLimit) {
    return 'Successful';
  }
  const wanted = effectiveCount(metric);
  if (wanted !== undefined && result.count >= wanted) {
    const failureApplicable = metric.failureLimit >= 0;
    const successApplicable = metric.consecutiveSuccessLimit > 0;
    // Neither limit was reached above: with both in play the outcome is undecided; with only the
    // success streak in play, not reaching it is a failure.
    if (failureApplicable && successApplicable) return 'Inconclusive';
    return successApplicable ? 'Failed' : 'Successful';
  }
  // Count not reached (or unbounded): running, unless the run is being stopped.
  return terminating ? 'Successful' : 'Running';
}

/**
 * Argo's `IsTerminating`: terminated on request, or a metric that is not dry-run ended Failed,
 * Error or Inconclusive (fail fast).
 */
export function isTerminating(run: Pick<AnalysisRunState, 'terminated' | 'metricResults'>): boolean {
  if (run.terminated) return true;
  return run.metricResults.some(
    (r) => !r.dryRun && (r.phase === 'Failed' || r.phase === 'Error' || r.phase === 'Inconclusive'),
  );
}

/** Each metric's phase brought up to date; a phase change takes the last measurement's message. */
function assessMetrics(run: AnalysisRunState, terminating: boolean): MetricResult[] {
  return run.metricResults.map((result, i) => {
    const metric = run.metrics[i];
    if (metric === undefined) return result;
    const phase = assessMetric(metric, result, terminating);
    if (phase === result.phase) return result;
    const next: MetricResult = { ...result, phase };
    const last = result.measurements[result.measurements.length - 1];
    if (last !== undefined) {
      if (last.message === undefined) delete next.message;
      else next.message = last.message;
    }
    return next;
  });
}

/**
 * Argo's `assessRunStatus`: metric phases updated, then the run's phase and message. The run is
 * Running until every metric completes, then takes the worst phase of its real metrics
 * (Successful < Inconclusive < Error < Failed; dry-run metrics ignored, all dry-run ->
 * Successful). Argo stops a failing run on its next reconcile; both reconciles are done here at
 * once, so a run takes a real metric's Failed / Error / Inconclusive the moment it happens.
 */
export function assessRun(run: AnalysisRunState, now: number): AnalysisRunState {
  if (isCompletedPhase(run.phase)) return run;
  let terminating = isTerminating(run);
  let results = assessMetrics(run, terminating);
  if (!terminating && isTerminating({ terminated: run.terminated, metricResults: results })) terminating = true;
  if (terminating) {
    // Argo's terminating reconcile ends in-flight measurements before it assesses the metrics.
    results = assessMetrics({ ...run, metricResults: results.map((r) => endInFlight(r, now)) }, true);
  }

  let worst: AnalysisRunPhase | undefined;
  let message = run.terminated ? RUN_TERMINATED_MESSAGE : '';
  let everythingCompleted = true;
  results = results.map((result, i) => {
    const metric = run.metrics[i];
    if (metric === undefined) return result;
    if (!isCompletedPhase(result.phase)) {
      everythingCompleted = false;
      return result;
    }
    const limits = assessMetricLimits(metric, result);
    if (!result.dryRun) {
      if (worst === undefined || isWorse(worst, result.phase)) {
        worst = result.phase;
        if (limits.reason !== undefined) {
          message = metricAssessedMessage(metric.name, result.phase, limits.reason, result.message);
        }
      }
      return result;
    }
    // A dry-run metric never decides the run; its verdict goes into its own message.
    worst ??= 'Successful';
    return limits.reason === undefined ? result : { ...result, message: dryRunMetricMessage(result.phase, limits.reason) };
  });
  message = message.trim();

  let phase: AnalysisRunPhase;
  if (terminating) phase = worst ?? 'Successful';
  else if (!everythingCompleted || worst === undefined) {
    phase = 'Running';
    message = '';
  } else phase = worst;

  const next: AnalysisRunState = { ...run, metricResults: results };
  // As in Argo, the message changes only with the phase.
  if (phase !== run.phase) {
    next.phase = phase;
    if (message === '') delete next.message;
    else next.message = message;
    if (isCompletedPhase(phase)) next.completedAt = now;
  }
  return next;
}
