/**
 * One metric, canary against baseline, classified as Kayenta's NetflixACAJudge and
 * MannWhitneyClassifier do it (spinnaker/kayenta kayenta-judge, read for semantics):
 *
 * 1. NaNs removed or replaced by 0 (nanStrategy); outliers removed when asked (IQR fences with
 *    factor k, widened to the 1st/99th percentiles, R-7 percentiles, as IQRDetector with
 *    reduceSensitivity).
 * 2. No data in either group: Nodata, or NodataFailMetric when mustHaveData on a non-critical
 *    metric; with nanStrategy 'replace' a missing group is a Pass (Kayenta's rule).
 * 3. Identical samples, or a single value across both: Pass.
 * 4. Mann-Whitney with the Hodges-Lehmann interval at confLevel: High when the interval's lower
 *    end is above tolerance·|estimate| (tolerance 0.25 in NetflixACAJudge) and the effect size reaches
 *    allowedIncrease; Low when the upper end is below -tolerance·|estimate| and the effect is at
 *    most allowedDecrease; only in the metric's direction. A NaN effect size is ignored.
 * 5. A critical metric that is High (effect >= criticalIncrease), Low (<= criticalDecrease) or
 *    without data is a critical failure.
 *
 * Baton's additions run through the same labels: `spread` is High when the Brown-Forsythe test
 * finds the canary's spread larger at confLevel and the ratio of spreads reaches
 * allowedIncrease; `count` is High (Low) when Fisher's exact test finds the canary's event
 * probability higher (lower) at confLevel and the rate ratio reaches allowedIncrease (is at
 * most allowedDecrease). Every classification carries the numbers it was made on.
 */
import { spreadIncrease } from './brown-forsythe.js';
import type { JudgeMetricConfig } from './judge-config.js';
import { fisherExact, type CountSample } from './fisher-exact.js';
import { mannWhitney } from './mann-whitney.js';
import { averageRanks, mean } from './rank.js';

/** Kayenta's MetricClassificationLabel. */
export type MetricLabel = 'Pass' | 'High' | 'Low' | 'Nodata' | 'NodataFailMetric' | 'Error';

/** The data of one metric: two series (mannWhitney, spread) or two counts (count). */
export type MetricData = { kind: 'series'; canary: number[]; baseline: number[] } | { kind: 'counts'; canary: CountSample; baseline: CountSample };

/** The numbers a classification was made on. */
export interface MetricNumbers {
  test: JudgeMetricConfig['test'];
  canaryCount: number;
  baselineCount: number;
  canaryMean?: number;
  baselineMean?: number;
  /** The test statistic (W, Brown-Forsythe t). */
  statistic?: number;
  pValue?: number;
  /** Hodges-Lehmann estimate and interval (mannWhitney). */
  estimate?: number;
  confInt?: [number, number];
  confLevel: number;
  /** meanRatio / cles (mannWhitney), spread ratio (spread), rate ratio (count). */
  effectSize?: number;
  allowedIncrease: number;
  allowedDecrease: number;
}

/** One metric's verdict. */
export interface MetricClassification {
  name: string;
  label: MetricLabel;
  /** Whether this result fails the canary on its own (a critical metric). */
  critical: boolean;
  reason?: string;
  groups: string[];
  muted: boolean;
  numbers: MetricNumbers;
}

/** R-7 percentile (Commons Math EstimationType.R_7, which Kayenta uses). */
function percentile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * (p / 100);
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (h - lo) * (b - a);
}

function removeOutliers(values: number[], factor: number): number[] {
  if (values.length < 2) return values;
  const s = [...values].sort((a, b) => a - b);
  const p25 = percentile(s, 25);
  const p75 = percentile(s, 75);
  const iqr = p75 - p25;
  const lower = Math.min(percentile(s, 1), p25 - factor * iqr);
  const upper = Math.max(percentile(s, 99), p75 + factor * iqr);
  return values.filter((v) => v >= lower && v <= upper);
}

function prepare(values: number[], cfg: JudgeMetricConfig): number[] {
  const clean = cfg.nanStrategy === 'remove' ? values.filter((v) => !Number.isNaN(v)) : values.map((v) => (Number.isNaN(v) ? 0 : v));
  return cfg.outliers.strategy === 'remove' ? removeOutliers(clean, cfg.outliers.outlierFactor) : clean;
}

/** Kayenta's EffectSizes.cles(control, experiment): the share of pairs where the canary is higher. */
function cles(canary: number[], baseline: number[]): number {
  const ranks = averageRanks([...canary, ...baseline]);
  let r1 = 0;
  for (let i = 0; i < canary.length; i++) r1 += ranks[i] as number;
  return (2 * r1 - canary.length * (canary.length + 1)) / (2 * baseline.length * canary.length);
}

function meanRatio(canary: number[], baseline: number[]): number {
  const c = mean(canary);
  const b = mean(baseline);
  return c === 0 || b === 0 ? Number.NaN : c / b;
}

const allowsHigh = (cfg: JudgeMetricConfig): boolean => cfg.direction !== 'decrease';
const allowsLow = (cfg: JudgeMetricConfig): boolean => cfg.direction !== 'increase';

/** Classifies one metric. */
export function classifyMetric(cfg: JudgeMetricConfig, data: MetricData): MetricClassification {
  const base = { name: cfg.name, groups: cfg.groups, muted: cfg.muted };
  const numbers: MetricNumbers = {
    test: cfg.test,
    canaryCount: 0,
    baselineCount: 0,
    confLevel: cfg.confLevel,
    allowedIncrease: cfg.effectSize.allowedIncrease,
    allowedDecrease: cfg.effectSize.allowedDecrease,
  };
  const noData = (): MetricClassification => {
    const reason = `Missing data for ${cfg.name}`;
    if (cfg.nanStrategy !== 'remove') return { ...base, label: 'Pass', critical: false, numbers };
    if (cfg.mustHaveData && !cfg.critical) return { ...base, label: 'NodataFailMetric', critical: false, reason, numbers };
    return { ...base, label: 'Nodata', critical: cfg.critical, reason, numbers };
  };
  let label: 'Pass' | 'High' | 'Low';
  if (data.kind === 'counts') {
    numbers.canaryCount = data.canary.total;
    numbers.baselineCount = data.baseline.total;
    if (data.canary.total === 0 || data.baseline.total === 0) return noData();
    label = classifyCounts(cfg, data.canary, data.baseline, numbers);
  } else {
    const canary = prepare(data.canary, cfg);
    const baseline = prepare(data.baseline, cfg);
    numbers.canaryCount = canary.length;
    numbers.baselineCount = baseline.length;
    if (canary.length === 0 || baseline.length === 0) return noData();
    numbers.canaryMean = mean(canary);
    numbers.baselineMean = mean(baseline);
    const sortedC = [...canary].sort((a, b) => a - b);
    const sortedB = [...baseline].sort((a, b) => a - b);
    if (sortedC.length === sortedB.length && sortedC.every((v, i) => v === sortedB[i])) {
      return { ...base, label: 'Pass', critical: false, reason: `The canary and baseline data are identical`, numbers };
    }
    if (new Set([...canary, ...baseline]).size === 1) return { ...base, label: 'Pass', critical: false, numbers };
    label = cfg.test === 'spread' ? classifySpread(cfg, canary, baseline, numbers) : classifyLocation(cfg, canary, baseline, numbers);
  }
  if (label === 'Pass') return { ...base, label, critical: false, numbers };
  const effect = numbers.effectSize ?? Number.NaN;
  const critical =
    cfg.critical &&
    (Number.isNaN(effect) || (label === 'High' ? effect >= cfg.effectSize.criticalIncrease : effect <= cfg.effectSize.criticalDecrease));
  const reason = `The metric ${cfg.name} was classified as ${label}${critical ? ' (Critical)' : ''}`;
  return { ...base, label, critical, reason, numbers };
}

function classifyLocation(cfg: JudgeMetricConfig, canary: number[], baseline: number[], numbers: MetricNumbers): 'Pass' | 'High' | 'Low' {
  const mw = mannWhitney(canary, baseline, { confLevel: cfg.confLevel });
  const effect = cfg.effectSize.measure === 'cles' ? cles(canary, baseline) : meanRatio(canary, baseline);
  Object.assign(numbers, { statistic: mw.statistic, pValue: mw.pValue, estimate: mw.estimate, confInt: mw.confInt, effectSize: effect });
  const bound = cfg.tolerance * Math.abs(mw.estimate);
  const high = allowsHigh(cfg) && mw.confInt[0] > bound && (Number.isNaN(effect) || effect >= cfg.effectSize.allowedIncrease);
  if (high) return 'High';
  const low = allowsLow(cfg) && mw.confInt[1] < -bound && (Number.isNaN(effect) || effect <= cfg.effectSize.allowedDecrease);
  return low ? 'Low' : 'Pass';
}

function classifySpread(cfg: JudgeMetricConfig, canary: number[], baseline: number[], numbers: MetricNumbers): 'Pass' | 'High' {
  const logs = (v: number[]): number[] => (cfg.logScale ? v.filter((x) => x > 0).map(Math.log) : v);
  const c = logs(canary);
  const b = logs(baseline);
  if (c.length < 2 || b.length < 2) return 'Pass';
  const r = spreadIncrease(c, b);
  Object.assign(numbers, { statistic: r.statistic, pValue: r.pValue, effectSize: r.spreadRatio });
  return r.pValue < 1 - cfg.confLevel && r.spreadRatio >= cfg.effectSize.allowedIncrease ? 'High' : 'Pass';
}

function classifyCounts(cfg: JudgeMetricConfig, canary: CountSample, baseline: CountSample, numbers: MetricNumbers): 'Pass' | 'High' | 'Low' {
  const alpha = 1 - cfg.confLevel;
  const greater = fisherExact(canary, baseline, 'greater');
  numbers.canaryMean = greater.canaryRate;
  numbers.baselineMean = greater.baselineRate;
  numbers.effectSize = greater.rateRatio;
  numbers.pValue = greater.pValue;
  if (allowsHigh(cfg) && greater.pValue < alpha && !(greater.rateRatio < cfg.effectSize.allowedIncrease)) return 'High';
  if (allowsLow(cfg)) {
    const less = fisherExact(canary, baseline, 'less');
    if (less.pValue < alpha && !(less.rateRatio > cfg.effectSize.allowedDecrease)) {
      numbers.pValue = less.pValue;
      return 'Low';
    }
  }
  return 'Pass';
}
