/**
 * The manifest shapes of Baton's two release-safety metric providers, as a metric's `provider`
 * block in an (Cluster)AnalysisTemplate holds them (see docs/release-safety.md):
 *
 * - `judge`: canary against baseline per metric over a look-back window, Kayenta-compatible.
 * - `sequential`: anytime-valid tests on cumulative counters, read every measurement.
 *
 * Queries name the group with `${role}` (Kayenta's template syntax), replaced by the `canary`
 * and `baseline` role values; `{{...}}` is not used because Argo's substitution resolves every
 * `{{tag}}` in a metric and fails on unknown ones.
 */
import type { JudgeMetricConfig } from './judge-config.js';

/** How the provider reaches Prometheus (as the prometheus provider's fields). */
export interface PrometheusSource {
  address: string;
  /** Seconds per query; default 30 (Argo's prometheus default). */
  timeout?: number;
  insecure: boolean;
  headers: { key: string; value: string }[];
  /** The value `${role}` takes for each group; defaults canary and baseline. */
  roles: { canary: string; baseline: string };
}

/** One judged metric: a series query (mannWhitney, spread) or two count queries (count). */
export interface JudgeMetricSpec {
  config: JudgeMetricConfig;
  /** Range query giving one series per role (mannWhitney, spread). */
  query?: string;
  /** Instant queries giving the events and the total per role (count). */
  events?: string;
  total?: string;
}

/** `provider.judge`. */
export interface JudgeProvider extends PrometheusSource {
  type: 'judge';
  /** Window of the series, ending at the measurement; seconds, default 300. */
  lookbackSeconds: number;
  /** Resolution of the series; seconds, default 10. */
  stepSeconds: number;
  metrics: JudgeMetricSpec[];
  groupWeights: Record<string, number>;
  scoreThresholds: { pass: number; marginal: number };
}

/** One sequential test: cumulative counters of events and of all draws, per role. */
export interface SequentialTestSpec {
  name: string;
  events: string;
  total: string;
}

/** `provider.sequential`. */
export interface SequentialProvider extends PrometheusSource {
  type: 'sequential';
  /** False-abort rate of the whole provider, split evenly over its tests (Bonferroni). */
  alpha: number;
  tests: SequentialTestSpec[];
}

/** Replaces every `${role}` (spaces allowed inside the braces) with `role`. */
export function substituteRole(query: string, role: string): string {
  return query.replace(/\$\{\s*role\s*\}/g, role);
}
