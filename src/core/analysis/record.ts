/**
 * Bookkeeping of one metric's measurements, as Argo's `runMeasurements` (`analysis/analysis.go`)
 * keeps it: counters per finished measurement, the in-flight measurement replaced when it ends.
 */
import { METRIC_TERMINATED_MESSAGE } from './messages.js';
import type { Measurement, MetricResult } from './types.js';

/** The last measurement when it is still in flight (no finishedAt). */
export function inFlight(result: MetricResult): Measurement | undefined {
  const last = result.measurements[result.measurements.length - 1];
  return last !== undefined && last.finishedAt === undefined ? last : undefined;
}

/** Counters for one finished measurement; errors do not count towards `count`. */
export function countMeasurement(result: MetricResult, phase: Measurement['phase']): MetricResult {
  const r = { ...result };
  switch (phase) {
    case 'Successful':
      r.successful++;
      r.count++;
      r.consecutiveError = 0;
      r.consecutiveSuccess++;
      break;
    case 'Failed':
      r.failed++;
      r.count++;
      r.consecutiveError = 0;
      r.consecutiveSuccess = 0;
      break;
    case 'Inconclusive':
      r.inconclusive++;
      r.count++;
      r.consecutiveError = 0;
      r.consecutiveSuccess = 0;
      break;
    case 'Error':
      r.error++;
      r.consecutiveError++;
      r.consecutiveSuccess = 0;
      break;
    case 'Pending':
    case 'Running':
      break;
    default: {
      const never: never = phase;
      return never;
    }
  }
  return r;
}

/** The last measurement replaced when it was in flight, else the new one appended. */
export function recordMeasurement(result: MetricResult, m: Measurement): MetricResult {
  const list = inFlight(result) ? result.measurements.slice(0, -1) : result.measurements.slice();
  list.push(m);
  // Argo creates a metric's result in phase Running with its first measurement.
  return { ...result, phase: result.phase === 'Pending' ? 'Running' : result.phase, measurements: list };
}

/**
 * A terminating run ends its in-flight measurement: Argo's providers terminate it as Successful
 * (the Job is deleted) and the controller words it "Metric Terminated". Unchanged when none.
 */
export function endInFlight(result: MetricResult, now: number): MetricResult {
  const open = inFlight(result);
  if (!open) return result;
  return recordMeasurement(countMeasurement(result, 'Successful'), {
    ...open,
    phase: 'Successful',
    message: METRIC_TERMINATED_MESSAGE,
    finishedAt: now,
  });
}
