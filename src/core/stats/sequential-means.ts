/**
 * The mixture sequential probability ratio test (mSPRT) for a shift in the mean of a roughly
 * normal quantity, canary against baseline: Robbins' normal mixture as Johari, Pekelis & Walsh
 * use it ("Always Valid Inference", Operations Research 2022, eq. 4-5) and Lindon et al. apply
 * it to deployments ("Rapid Regression Detection in Software Deployments through Sequential
 * Testing", KDD 2022). Meant for log latency: a release that adds a fixed fraction to every
 * request shifts the mean of log latency by log(1 + fraction), whatever the typical latency.
 *
 * With d the difference of the group means, v = σ² (1/n_c + 1/n_b) its variance and the shift
 * δ ~ N(0, τ²) as the mixing distribution, the mixture of the likelihood ratios
 * exp((δ d - δ²/2) / v) is
 *
 *   Λ = sqrt(v / (v + τ²)) · exp(d² τ² / (2 v (v + τ²)))                    (two-sided)
 *   Λ₊ = 2 Φ(d τ / sqrt(v (v + τ²))) · Λ                                    (δ > 0 only: half-normal mixing)
 *
 * Λ is a martingale under δ = 0 when the two groups grow in a fixed ratio (a baseline at the
 * canary's weight); reject when Λ >= 1/alpha. σ² is the pooled sample variance once each group
 * has `minSamples` values, a plug-in the papers also use, which makes the bound hold
 * asymptotically rather than exactly; the A/A simulations in the tests measure it.
 *
 * Worked example: n_c = n_b = 1000, σ = 0.5, d = 0.1 (log latency 10 % up), τ = 0.1:
 * v = 0.0005, Λ = sqrt(0.0005/0.0105) · exp(0.01 · 0.01 / (2 · 0.0005 · 0.0105)) = 0.218 · 13 682 = 2986.
 */
import { requireProbability, StatsInputError } from './errors.js';
import { normalCdf } from './special.js';

/** Sufficient statistics of one group: count, Σ values, Σ values². */
export interface MomentSums {
  n: number;
  sum: number;
  sumSquares: number;
}

/** Configuration. */
export interface MeanTestConfig {
  alpha: number;
  /** Standard deviation of the mixing distribution of the shift (in the data's units, e.g. log seconds). */
  tau: number;
  /** 'greater' mixes over positive shifts only (canary slower); default 'greater'. */
  alternative?: 'two-sided' | 'greater';
  /** Known σ; default the pooled sample standard deviation. */
  sigma?: number;
  /** Values each group needs before the test says anything; default 20. */
  minSamples?: number;
}

/** The numbers behind a decision. */
export interface MeanTestVerdict {
  decision: 'reject' | 'continue';
  eValue: number;
  threshold: number;
  /** Canary mean - baseline mean. */
  difference: number;
  sigma: number;
}

function meanVar(s: MomentSums): { mean: number; ss: number } {
  const mean = s.sum / s.n;
  return { mean, ss: Math.max(0, s.sumSquares - s.n * mean * mean) };
}

/** Evaluates the test on cumulative sums (the statistic depends on them only). */
export function meanTest(canary: MomentSums, baseline: MomentSums, config: MeanTestConfig): MeanTestVerdict {
  requireProbability('alpha', config.alpha);
  if (!(config.tau > 0)) throw new StatsInputError('stats-invalid-input', 'tau', `${String(config.tau)} is not a positive number`);
  const threshold = 1 / config.alpha;
  const minSamples = config.minSamples ?? 20;
  if (canary.n < Math.max(2, minSamples) || baseline.n < Math.max(2, minSamples)) {
    return { decision: 'continue', eValue: 1, threshold, difference: Number.NaN, sigma: Number.NaN };
  }
  const c = meanVar(canary);
  const b = meanVar(baseline);
  const sigma = config.sigma ?? Math.sqrt((c.ss + b.ss) / (canary.n + baseline.n - 2));
  const difference = c.mean - b.mean;
  if (sigma === 0) return { decision: difference > 0 ? 'reject' : 'continue', eValue: difference > 0 ? Infinity : 1, threshold, difference, sigma };
  const v = sigma * sigma * (1 / canary.n + 1 / baseline.n);
  const tau2 = config.tau * config.tau;
  let logE = 0.5 * Math.log(v / (v + tau2)) + (difference * difference * tau2) / (2 * v * (v + tau2));
  if ((config.alternative ?? 'greater') === 'greater') logE += Math.log(2 * normalCdf((difference * config.tau) / Math.sqrt(v * (v + tau2))));
  const eValue = Math.exp(logE);
  return { decision: eValue >= threshold ? 'reject' : 'continue', eValue, threshold, difference, sigma };
}
