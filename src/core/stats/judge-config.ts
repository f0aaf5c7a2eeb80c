/**
 * Configuration of the judge, in Kayenta's names: a metric's `analysisConfigurations.canary`
 * block (direction, nanStrategy, critical, mustHaveData, muted, effectSize, outliers) as
 * NetflixACAJudge.scala reads it, the classifier's groupWeights and the score thresholds
 * (CanaryClassifierThresholdsConfig: pass, marginal). Baton adds `confLevel` (Kayenta fixes
 * 0.98) and `test`, the comparison to run: Kayenta's Mann-Whitney, or what Kayenta misses, a
 * spread increase (Brown-Forsythe) and sparse event counts (Fisher's exact test).
 */

/** Which change of the canary counts against it (Kayenta's MetricDirection). */
export type Direction = 'increase' | 'decrease' | 'either';
/** What to do with NaN values (Kayenta's NaNStrategy): drop them, or count them as 0. */
export type NanStrategy = 'remove' | 'replace';
/** The comparison a metric runs. */
export type JudgeTest = 'mannWhitney' | 'spread' | 'count';

/** Kayenta's `effectSize` block. */
export interface EffectSizeConfig {
  /** 'meanRatio' (canary mean / baseline mean, default) or 'cles' (common-language effect size). */
  measure: 'meanRatio' | 'cles';
  /** High only when the effect is at least this; default 1 (meanRatio) or 0.5 (cles). */
  allowedIncrease: number;
  /** Low only when the effect is at most this. */
  allowedDecrease: number;
  /** A critical metric fails the canary only when the effect reaches this. */
  criticalIncrease: number;
  criticalDecrease: number;
}

/** One metric's judging configuration. */
export interface JudgeMetricConfig {
  name: string;
  /** Kayenta's `groups`; default ['default']. */
  groups: string[];
  test: JudgeTest;
  direction: Direction;
  nanStrategy: NanStrategy;
  /** A High/Low (or Nodata) on a critical metric fails the whole canary (score 0). */
  critical: boolean;
  /** Missing data counts as a failure of this metric (NodataFailMetric). */
  mustHaveData: boolean;
  /** Classified and reported but left out of the score. */
  muted: boolean;
  effectSize: EffectSizeConfig;
  /** Kayenta's `outliers`: 'remove' drops values outside the IQR fences (factor default 3). */
  outliers: { strategy: 'remove' | 'keep'; outlierFactor: number };
  /** Confidence level of the test; default 0.98, Kayenta's fixed level. */
  confLevel: number;
  /**
   * The interval must clear tolerance · |Hodges-Lehmann estimate| (MannWhitneyClassifier's
   * tolerance); default 0.25, the value NetflixACAJudge fixes.
   */
  tolerance: number;
  /** spread test: compare log values (default true, for latency). */
  logScale: boolean;
}

/** The judge's scoring configuration. */
export interface JudgeScoringConfig {
  /** Kayenta's classifier.groupWeights (percent); groups without a weight share what is left of 100. */
  groupWeights: Record<string, number>;
  /** Kayenta's scoreThresholds. */
  scoreThresholds: { pass: number; marginal: number };
}

/** A metric's configuration with Kayenta's defaults for everything not written. */
export function judgeMetricDefaults(name: string, partial: Partial<Omit<JudgeMetricConfig, 'effectSize' | 'outliers'>> & { effectSize?: Partial<EffectSizeConfig>; outliers?: Partial<JudgeMetricConfig['outliers']> } = {}): JudgeMetricConfig {
  const measure = partial.effectSize?.measure ?? 'meanRatio';
  // NetflixACAJudge: `val defaultEffect = if (effectSizeMeasure == "cles") 0.5 else 1.0`.
  const neutral = measure === 'cles' ? 0.5 : 1;
  return {
    name,
    groups: partial.groups && partial.groups.length ? partial.groups : ['default'],
    test: partial.test ?? 'mannWhitney',
    direction: partial.direction ?? 'either',
    nanStrategy: partial.nanStrategy ?? 'remove',
    critical: partial.critical ?? false,
    mustHaveData: partial.mustHaveData ?? false,
    muted: partial.muted ?? false,
    effectSize: {
      measure,
      allowedIncrease: partial.effectSize?.allowedIncrease ?? neutral,
      allowedDecrease: partial.effectSize?.allowedDecrease ?? neutral,
      criticalIncrease: partial.effectSize?.criticalIncrease ?? neutral,
      criticalDecrease: partial.effectSize?.criticalDecrease ?? neutral,
    },
    outliers: { strategy: partial.outliers?.strategy ?? 'keep', outlierFactor: partial.outliers?.outlierFactor ?? 3 },
    confLevel: partial.confLevel ?? 0.98,
    tolerance: partial.tolerance ?? 0.25,
    logScale: partial.logScale ?? true,
  };
}
