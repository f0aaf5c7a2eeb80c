/**
 * Measurements a controller lost: a measurement saved in phase Running (begun, no finishedAt)
 * that no provider call is answering any more, because the controller that started it stopped
 * (kill -9, a crash, a power loss) before its result was saved.
 *
 * Argo's `generateMetricTasks` (`analysis/analysis.go`) turns such a measurement into a task
 * with `incompleteMeasurement` set, and `runMeasurements` hands it to `provider.Resume`:
 *
 * - Providers whose work happens inside `Run` (Prometheus, web, Datadog, New Relic, Wavefront,
 *   ...) never leave a Running measurement behind in Argo: the query is answered within the
 *   reconcile, and the status update follows it, so a crash mid-query leaves the previous
 *   status and the next reconcile queries again. Their `Resume` only logs "should not execute
 *   the Resume method". Baton saves the Running measurement before the answer comes, so here it
 *   is dropped and the metric is measured again at once: the same outcome Argo has.
 * - The job provider resumes by looking the Job up (`metricproviders/job/job.go` `Resume`); a Job
 *   that is gone makes the measurement an Error (`MarkMeasurementError`). A local job is a process
 *   whose result went to the controller that stopped, so it is gone: the measurement becomes an
 *   Error, counted against `consecutiveErrorLimit` and retried 10 s later as any Error is.
 *
 * Either way nothing stays Running: no analysis stalls a step, and no background analysis falls
 * silent while the rollout goes on.
 */
import type { MetricProviderSpec } from '../spec/types.js';
import { assessRun } from './assess.js';
import { countMeasurement, inFlight } from './record.js';
import { isCompletedPhase, type AnalysisRunState, type MetricResult } from './types.js';

/** What happens to a measurement the controller lost. */
export type InterruptedAction = 'remeasure' | 'error';

/** The message of a job measurement ended as an Error after a restart. */
export const INTERRUPTED_JOB_MESSAGE = 'the job was lost when the controller stopped; its result is unknown';

/** Argo's rule per provider (see the file comment): only the job provider resumes. */
export function interruptedAction(provider: MetricProviderSpec): InterruptedAction {
  return provider.type === 'job' ? 'error' : 'remeasure';
}

/** One lost measurement and what was done with it. */
export interface RecoveredMeasurement {
  metricName: string;
  action: InterruptedAction;
  /** When the lost measurement had started. */
  startedAt: number;
}

/**
 * Ends every in-flight measurement of `run` that no provider call is answering (call it on runs
 * loaded from storage, before any measurement is started again). A completed run is returned
 * as it is. Worked example, interval 30 s: a Prometheus measurement begun at t=60 and lost ->
 * dropped, the metric is due again at once (its last finished one ended at 30, 30 + 30 <= now);
 * a job measurement begun at 60 and found at t=75 -> Error finished at 75, next try at 85.
 */
export function recoverInterruptedMeasurements(run: AnalysisRunState, now: number): { run: AnalysisRunState; recovered: RecoveredMeasurement[] } {
  if (isCompletedPhase(run.phase)) return { run, recovered: [] };
  const recovered: RecoveredMeasurement[] = [];
  const metricResults = run.metricResults.map((result, i): MetricResult => {
    const open = inFlight(result);
    const metric = run.metrics[i];
    if (!open || !metric) return result;
    const action = interruptedAction(metric.provider);
    recovered.push({ metricName: result.name, action, startedAt: open.startedAt });
    const earlier = result.measurements.slice(0, -1);
    if (action === 'remeasure') return { ...result, measurements: earlier };
    const lost = { ...open, phase: 'Error' as const, message: INTERRUPTED_JOB_MESSAGE, finishedAt: now };
    return { ...countMeasurement(result, 'Error'), measurements: [...earlier, lost] };
  });
  if (recovered.length === 0) return { run, recovered };
  return { run: assessRun({ ...run, metricResults }, now), recovered };
}
