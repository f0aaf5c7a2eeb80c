/**
 * The analysis core: AnalysisRuns as Argo Rollouts decides them. Pure functions over plain data;
 * the engine takes the measurements (dueMeasurements / nextWakeAt), hands the results back
 * (completeMeasurement) and reads the run's phase and message.
 */
export type { ProviderResult } from './provider-result.js';
export {
  DEFAULT_CONSECUTIVE_ERROR_LIMIT,
  DEFAULT_ERROR_RETRY_INTERVAL_MS,
  DEFAULT_MEASUREMENT_HISTORY_LIMIT,
  effectiveCount,
  isCompletedPhase,
  type AnalysisRunKind,
  type AnalysisRunPhase,
  type AnalysisRunState,
  type Measurement,
  type MetricResult,
  type ResolvedMetric,
  type RunArgument,
} from './types.js';
export { createAnalysisRun, type CreateAnalysisRunInput } from './create-run.js';
export { resolveRolloutArgs, AnalysisArgError, secretLookupFromManifests, type RolloutArgsContext, type SecretLookup } from './args.js';
export { substituteArgs, substituteDeep, UnresolvedArgError } from './substitute.js';
export { dueMeasurements, nextWakeAt, type DueMeasurement } from './schedule.js';
export { beginMeasurement, completeMeasurement, completeMeasurements, measurementsInFlight, terminateRun, UnknownMetricError } from './measure.js';
export {
  INTERRUPTED_JOB_MESSAGE,
  interruptedAction,
  recoverInterruptedMeasurements,
  type InterruptedAction,
  type RecoveredMeasurement,
} from './interrupted.js';
export { classifyResult, evaluateConditions, type Classification } from './classify.js';
export { assessMetric, assessMetricLimits, assessRun, isTerminating, isWorse, type LimitVerdict } from './assess.js';
export {
  METRIC_TERMINATED_MESSAGE,
  RUN_TERMINATED_MESSAGE,
  dryRunMetricMessage,
  metricAssessedMessage,
} from './messages.js';
