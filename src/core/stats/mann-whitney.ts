/**
 * The two-sample Wilcoxon rank-sum / Mann-Whitney U test with the Hodges-Lehmann estimate of
 * the location shift and its confidence interval, computed as R's `wilcox.test(x, y, conf.int =
 * TRUE)` does (stats/R/wilcox.test.R, two-sample branch):
 *
 * - W = Σ ranks of x - n_x (n_x + 1) / 2, ranks of c(x - mu, y) with ties averaged.
 * - Exact (R's default when both samples have fewer than 50 values and there are no ties): the
 *   p-value from the exact null distribution of W; the interval from the sorted pairwise
 *   differences x_i - y_j at the qwilcox quantiles; the estimate is their median.
 * - Otherwise the normal approximation with the tie-corrected variance
 *   σ² = n_x n_y / 12 · ((N + 1) - Σ(t³ - t) / (N (N - 1))) and the continuity correction
 *   (±0.5 towards zero); the interval ends and the estimate are the shifts d at which the
 *   standardized statistic of c(x - d, y) crosses the normal quantiles (R uses uniroot; a
 *   bisection finds the same step, see `findShift`).
 *
 * Kayenta's MannWhitney.scala computes the same normal-approximation interval (its wilcoxonDiff
 * is R's wdiff) for every sample size; this module follows R, so small samples without ties get
 * R's exact interval, which Kayenta approximates.
 */
import { requireProbability, StatsInputError } from './errors.js';
import { averageRanks, hasTies, median, tieCorrection } from './rank.js';
import { normalCdf, normalQuantile } from './special.js';
import { pwilcox, pwilcoxUpper, qwilcox } from './wilcox-distribution.js';

/** The alternative hypothesis about the shift of x relative to y (R's `alternative`). */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** Options, with R's defaults. */
export interface MannWhitneyOptions {
  /** Default 'two-sided'. */
  alternative?: Alternative;
  /** The shift under the null hypothesis; default 0. */
  mu?: number;
  /** Exact distribution: 'auto' (R's default: n_x, n_y < 50 and no ties), true, or false. */
  exact?: boolean | 'auto';
  /** Continuity correction of the normal approximation; default true. */
  correct?: boolean;
  /** Confidence level of the interval; default 0.95. */
  confLevel?: number;
}

/** The test's numbers. */
export interface MannWhitneyResult {
  /** R's W: the Mann-Whitney U of x. */
  statistic: number;
  pValue: number;
  method: 'exact' | 'normal';
  alternative: Alternative;
  /** Hodges-Lehmann estimate of the shift x - y ("difference in location"). */
  estimate: number;
  /** Confidence interval of the shift; an open side is ±Infinity. */
  confInt: [number, number];
  confLevel: number;
}

/** Runs the test; x and y must each hold at least one finite value (NaNs are the caller's to handle). */
export function mannWhitney(x: readonly number[], y: readonly number[], opts: MannWhitneyOptions = {}): MannWhitneyResult {
  const alternative = opts.alternative ?? 'two-sided';
  const mu = opts.mu ?? 0;
  const correct = opts.correct ?? true;
  const confLevel = opts.confLevel ?? 0.95;
  requireProbability('confLevel', confLevel);
  for (const [name, s] of [['x', x], ['y', y]] as const) {
    if (s.length === 0) throw new StatsInputError('stats-not-enough-data', name, 'is empty; the test needs at least one value per sample');
    if (s.some((v) => !Number.isFinite(v))) throw new StatsInputError('stats-invalid-input', name, 'holds a value that is not a finite number');
  }
  const nx = x.length;
  const ny = y.length;
  const shifted = [...x.map((v) => v - mu), ...y];
  const statistic = uStatistic(shifted, nx);
  const ties = hasTies(shifted);
  const wantExact = opts.exact === undefined || opts.exact === 'auto' ? nx < 50 && ny < 50 : opts.exact;
  if (wantExact && !ties) return exactTest(x, y, statistic, alternative, confLevel);
  return normalTest(x, y, statistic, tieCorrection(shifted), alternative, correct, confLevel);
}

/** U of the first `nx` of `values`: their rank sum minus nx (nx + 1) / 2. */
function uStatistic(values: readonly number[], nx: number): number {
  const ranks = averageRanks(values);
  let rankSum = 0;
  for (let i = 0; i < nx; i++) rankSum += ranks[i] as number;
  return rankSum - (nx * (nx + 1)) / 2;
}

function exactTest(x: readonly number[], y: readonly number[], w: number, alternative: Alternative, confLevel: number): MannWhitneyResult {
  const nx = x.length;
  const ny = y.length;
  let pValue: number;
  switch (alternative) {
    case 'two-sided': {
      const p = w > (nx * ny) / 2 ? pwilcoxUpper(w - 1, nx, ny) : pwilcox(w, nx, ny);
      pValue = Math.min(2 * p, 1);
      break;
    }
    case 'greater':
      pValue = pwilcoxUpper(w - 1, nx, ny);
      break;
    case 'less':
      pValue = pwilcox(w, nx, ny);
      break;
  }
  const diffs: number[] = [];
  for (const a of x) for (const b of y) diffs.push(a - b);
  diffs.sort((a, b) => a - b);
  const alpha = 1 - confLevel;
  // R indexes diffs from 1: diffs[qu] is diffs[qu - 1] here, diffs[ql + 1] is diffs[ql].
  const at = (i: number): number => diffs[Math.min(Math.max(i, 0), diffs.length - 1)] as number;
  let confInt: [number, number];
  if (alternative === 'two-sided') {
    const qu = Math.max(qwilcox(alpha / 2, nx, ny), 1);
    confInt = [at(qu - 1), at(nx * ny - qu)];
  } else {
    const qu = Math.max(qwilcox(alpha, nx, ny), 1);
    confInt = alternative === 'greater' ? [at(qu - 1), Infinity] : [-Infinity, at(nx * ny - qu)];
  }
  return { statistic: w, pValue, method: 'exact', alternative, estimate: median(diffs), confInt, confLevel };
}

function correctionFor(alternative: Alternative, z: number, correct: boolean): number {
  if (!correct) return 0;
  switch (alternative) {
    case 'two-sided':
      return Math.sign(z) * 0.5;
    case 'greater':
      return 0.5;
    case 'less':
      return -0.5;
  }
}

function sigmaOf(nx: number, ny: number, ties: number): number {
  const n = nx + ny;
  return Math.sqrt(((nx * ny) / 12) * (n + 1 - ties / (n * (n - 1))));
}

function normalTest(
  x: readonly number[],
  y: readonly number[],
  w: number,
  ties: number,
  alternative: Alternative,
  correct: boolean,
  confLevel: number,
): MannWhitneyResult {
  const nx = x.length;
  const ny = y.length;
  const centred = w - (nx * ny) / 2;
  const sigma = sigmaOf(nx, ny, ties);
  // Every value tied: W carries no information (R returns NaN); no evidence either way.
  const z = sigma === 0 ? 0 : (centred - correctionFor(alternative, centred, correct)) / sigma;
  let pValue: number;
  switch (alternative) {
    case 'two-sided':
      pValue = sigma === 0 ? 1 : Math.min(1, 2 * Math.min(normalCdf(z), normalCdf(-z)));
      break;
    case 'greater':
      pValue = sigma === 0 ? 1 : normalCdf(-z);
      break;
    case 'less':
      pValue = sigma === 0 ? 1 : normalCdf(z);
      break;
  }
  const alpha = 1 - confLevel;
  const shift = (zq: number): number => findShift(x, y, zq, alternative, correct);
  let confInt: [number, number];
  if (alternative === 'two-sided') confInt = [shift(normalQuantile(1 - alpha / 2)), shift(normalQuantile(alpha / 2))];
  else if (alternative === 'greater') confInt = [shift(normalQuantile(1 - alpha)), Infinity];
  else confInt = [-Infinity, shift(normalQuantile(alpha))];
  return { statistic: w, pValue, method: 'normal', alternative, estimate: shift(0), confInt, confLevel };
}

/**
 * R's `wdiff(d, zq)`: the standardized statistic of c(x - d, y) minus zq. It does not increase
 * with d. Where every value of c(x - d, y) is tied R stops ("cannot compute confidence interval
 * when all observations are tied") and Kayenta adds 1e-5-scaled noise first; here the
 * statistic is taken as 0 there, its value in the limit of vanishing noise.
 */
function wdiff(x: readonly number[], y: readonly number[], d: number, zq: number, alternative: Alternative, correct: boolean): number {
  const nx = x.length;
  const ny = y.length;
  const values = [...x.map((v) => v - d), ...y];
  const dz = uStatistic(values, nx) - (nx * ny) / 2;
  const sigma = sigmaOf(nx, ny, tieCorrection(values));
  if (sigma === 0) return -zq;
  return (dz - correctionFor(alternative, dz, correct)) / sigma - zq;
}

/**
 * The shift d where wdiff(d, zq) changes sign, on [min x - max y, max x - min y] (R's `root`):
 * an end when the function does not change sign there, else a bisection down to the step. R's
 * uniroot stops within tol = 1e-4 of the same step, so results agree to about 1e-4.
 */
function findShift(x: readonly number[], y: readonly number[], zq: number, alternative: Alternative, correct: boolean): number {
  let lo = Math.min(...x) - Math.max(...y);
  let hi = Math.max(...x) - Math.min(...y);
  if (wdiff(x, y, lo, zq, alternative, correct) <= 0) return lo;
  if (wdiff(x, y, hi, zq, alternative, correct) >= 0) return hi;
  const tol = 1e-12 * Math.max(1, Math.abs(lo), Math.abs(hi));
  for (let i = 0; i < 200 && hi - lo > tol; i++) {
    const mid = (lo + hi) / 2;
    if (wdiff(x, y, mid, zq, alternative, correct) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
