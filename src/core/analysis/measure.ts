/**
 * Recording measurements and terminating runs, as Argo's `runMeasurements` and
 * `garbageCollectMeasurements` (`analysis/analysis.go`) do: the counters, then the metric and run
 * phases, then trimming each metric's history to its retention limit (counters stay complete).
 */
import { BatonError } from '../errors.js';
import { assessRun } from './assess.js';
import { classifyResult } from './classify.js';
import type { ProviderResult } from './provider-result.js';
import { countMeasurement, inFlight, recordMeasurement } from './record.js';
import { isCompletedPhase, type AnalysisRunState, type Measurement, type MetricResult } from './types.js';

/** A metric name the run does not have: a bug in the caller. */
export class UnknownMetricError extends BatonError {
  constructor(run: string, metric: string) {
    super('analysis-metric', `analysis run ${run} has no metric ${JSON.stringify(metric)}`, { run, metric });
  }
}

function metricIndex(run: AnalysisRunState, metricName: string): number {
  const i = run.metrics.findIndex((m) => m.name === metricName);
  if (i < 0) throw new UnknownMetricError(run.name, metricName);
  return i;
}

function withResult(run: AnalysisRunState, i: number, result: MetricResult): AnalysisRunState {
  const metricResults = run.metricResults.slice();
  metricResults[i] = result;
  return { ...run, metricResults };
}

/** Argo's garbageCollectMeasurements: keep the last `measurementLimit` per metric. */
function trim(run: AnalysisRunState): AnalysisRunState {
  let changed = false;
  const metricResults = run.metricResults.map((r, i) => {
    const limit = run.metrics[i]?.measurementLimit ?? r.measurements.length;
    if (r.measurements.length <= limit) return r;
    changed = true;
    return { ...r, measurements: r.measurements.slice(r.measurements.length - limit) };
  });
  return changed ? { ...run, metricResults } : run;
}

/**
 * Metrics with a measurement in flight. A run that completes (fail fast, or terminated) ends
 * them as "Metric Terminated"; the engine reads this list on the state before the change to know
 * which provider calls to stop (kill the job). Their late results are ignored.
 */
export function measurementsInFlight(run: AnalysisRunState): string[] {
  return run.metricResults.filter((r) => inFlight(r) !== undefined).map((r) => r.name);
}

/**
 * Starts a long measurement (a job): a measurement in phase Running until completeMeasurement.
 * `metadata` (e.g. the job's process name, as Argo records the Job name) is kept on it.
 * Nothing happens when the run or the metric is complete, or one is already in flight.
 */
export function beginMeasurement(
  run: AnalysisRunState,
  metricName: string,
  now: number,
  metadata?: Record<string, string>,
): AnalysisRunState {
  const i = metricIndex(run, metricName);
  const result = run.metricResults[i] as MetricResult;
  if (isCompletedPhase(run.phase) || isCompletedPhase(result.phase) || inFlight(result)) return run;
  const m: Measurement = { phase: 'Running', startedAt: now };
  if (metadata !== undefined) m.metadata = { ...metadata };
  const next = withResult(run, i, recordMeasurement(result, m));
  return trim(assessRun(next, now));
}

/**
 * Records a provider result for `metricName` at `now` (finishing the in-flight measurement, if
 * any), then recomputes the metric and run phases. A result for a run or metric that already
 * completed (a late answer after a failure elsewhere) is ignored, as Argo stops reconciling it.
 */
export function completeMeasurement(
  run: AnalysisRunState,
  metricName: string,
  result: ProviderResult,
  now: number,
): AnalysisRunState {
  return completeMeasurements(run, [{ metricName, result }], now);
}

/**
 * Records the results of measurements taken together, then assesses the run once, as Argo's
 * `runMeasurements` collects every task of a reconcile before `assessRunStatus`: when one metric
 * fails, the others measured alongside it still keep their measurement.
 * Worked example: `a` (count 1) fails and `b` (count 3) succeeds at t=0 -> both recorded, the
 * run is Failed for `a`, and `b` has one Successful measurement.
 */
export function completeMeasurements(
  run: AnalysisRunState,
  results: readonly { metricName: string; result: ProviderResult }[],
  now: number,
): AnalysisRunState {
  if (isCompletedPhase(run.phase)) return run;
  let next = run;
  let recorded = false;
  for (const { metricName, result } of results) {
    const i = metricIndex(next, metricName);
    const metric = next.metrics[i];
    const current = next.metricResults[i] as MetricResult;
    if (metric === undefined || isCompletedPhase(current.phase)) continue;
    const verdict = classifyResult(metric, result);
    const started = inFlight(current);
    const m: Measurement = { phase: verdict.phase, startedAt: started?.startedAt ?? now, finishedAt: now };
    if (verdict.value !== undefined) m.value = verdict.value;
    if (verdict.message !== undefined) m.message = verdict.message;
    const metadata = { ...started?.metadata, ...verdict.metadata };
    if (Object.keys(metadata).length > 0) m.metadata = metadata;
    next = withResult(next, i, recordMeasurement(countMeasurement(current, m.phase), m));
    recorded = true;
  }
  return recorded ? trim(assessRun(next, now)) : run;
}

/**
 * Argo's `spec.terminate`: no more measurements; an in-flight one ends Successful with
 * "Metric Terminated" (as Argo's providers terminate it); the run ends Successful with
 * "Run Terminated" unless a metric already did worse.
 */
export function terminateRun(run: AnalysisRunState, now: number): AnalysisRunState {
  if (isCompletedPhase(run.phase)) return run;
  return trim(assessRun({ ...run, terminated: true }, now));
}
