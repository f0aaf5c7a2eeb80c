/**
 * Fisher's exact test of a 2x2 table, for sparse event counts: canary events out of canary
 * draws against baseline events out of baseline draws. Conditional on the margins the canary's
 * count is hypergeometric under the null of equal event probabilities, whatever that
 * probability is, so the test is exact for any count, however small: 3 errors in 400 canary
 * requests against 0 in 400 baseline ones is judged on its exact probability, where a rate
 * comparison of two near-zero series (Kayenta's Mann-Whitney on per-interval rates) sees mostly
 * zeros and ties. As R's fisher.test (stats/R/fisher.test.R): one-sided p-values sum the tail;
 * the two-sided one sums every table no more probable than the one observed (relative
 * tolerance 1e-7).
 */
import type { Alternative } from './mann-whitney.js';
import { logCentralWeights } from './hypergeometric.js';
import { logSumExp } from './special.js';

/** Counts of the two groups. */
export interface CountSample {
  /** Events, e.g. failed requests. */
  events: number;
  /** All draws, e.g. requests (events included). */
  total: number;
}

/** The test's numbers. */
export interface FisherResult {
  pValue: number;
  alternative: Alternative;
  /** Canary event rate / baseline event rate (Infinity when the baseline has none and the canary some; NaN when neither). */
  rateRatio: number;
  canaryRate: number;
  baselineRate: number;
}

/** Tests canary against baseline; 'greater' asks whether the canary's event probability is higher. */
export function fisherExact(canary: CountSample, baseline: CountSample, alternative: Alternative = 'greater'): FisherResult {
  const { lo, weights } = logCentralWeights({ rowA: canary.total, rowB: baseline.total, events: canary.events + baseline.events });
  const logTotal = logSumExp(weights);
  const x = canary.events;
  const at = (k: number): number => (weights[k - lo] as number) - logTotal;
  const tail = (from: number, to: number): number => {
    const part: number[] = [];
    for (let k = from; k <= to; k++) part.push(at(k));
    return Math.min(1, Math.exp(logSumExp(part)));
  };
  const hi = lo + weights.length - 1;
  let pValue: number;
  switch (alternative) {
    case 'greater':
      pValue = tail(x, hi);
      break;
    case 'less':
      pValue = tail(lo, x);
      break;
    case 'two-sided': {
      const observed = at(x);
      const part: number[] = [];
      // R: sum(d[d <= d[x - lo + 1] * (1 + 1e-7)]).
      for (let k = lo; k <= hi; k++) if (at(k) <= observed + Math.log1p(1e-7)) part.push(at(k));
      pValue = Math.min(1, Math.exp(logSumExp(part)));
      break;
    }
  }
  const canaryRate = canary.total > 0 ? canary.events / canary.total : Number.NaN;
  const baselineRate = baseline.total > 0 ? baseline.events / baseline.total : Number.NaN;
  return { pValue, alternative, rateRatio: canaryRate / baselineRate, canaryRate, baselineRate };
}
