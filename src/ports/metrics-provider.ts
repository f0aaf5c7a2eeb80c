import type { ProviderResult } from '../core/analysis/provider-result.js';
import type { MetricProviderSpec } from '../core/spec/types.js';

/** Context for one measurement. */
export interface MeasureContext {
  /** Aborted when the run is terminated or the measurement must stop (job: kill the process). */
  signal: AbortSignal;
  /** AnalysisRun name, for logs and job process names. */
  runName: string;
  metricName: string;
  /** Directory that relative paths in the manifest (job workingDir) are relative to. */
  baseDir?: string;
  /**
   * Metadata of the metric's latest measurement in this run that has any: the state a
   * sequential provider carries from one measurement to the next (kept with the run, so it
   * survives a restart).
   */
  previousMetadata?: Record<string, string>;
}

/**
 * One outside system that can take a measurement. Implementations never throw for a failed
 * query: they resolve `{kind: 'error'}`. They throw only for programming errors.
 */
export interface MetricsProvider {
  /** The provider kind it runs; `scripted` and `fake` answer for any kind (simulate, tests). */
  readonly type: MetricProviderSpec['type'] | 'scripted' | 'fake';
  measure(spec: MetricProviderSpec, ctx: MeasureContext): Promise<ProviderResult>;
}
