/**
 * Functions over range vectors (promql/functions.go, Prometheus 2.42): the rate family with
 * its extrapolation, irate/idelta, the *_over_time family, changes, resets, deriv,
 * predict_linear and holt_winters. Each takes one series' points and the window and returns
 * a value, or undefined when the series yields no output.
 */
import { PromQLExecError } from '../errors.js';
import { kahanSumInc, quantileOf } from './kahan.js';

/** The window a range vector was selected over, in ms. */
export interface Window {
  readonly rangeStart: number;
  readonly rangeEnd: number;
  readonly rangeMs: number;
  /** Evaluation time (enh.Ts), for predict_linear's intercept. */
  readonly evalTime: number;
}

/** One series' samples: indexes lo (inclusive) to hi (exclusive) of ts/vs. */
type Points = { readonly ts: ArrayLike<number>; readonly vs: ArrayLike<number>; readonly lo: number; readonly hi: number };

/**
 * `extrapolatedRate`: the increase between the first and last sample (corrected for counter
 * resets), extrapolated to the window edges when the gap to the edge is under 1.1 average
 * sample intervals, else by half an interval; a counter is not extrapolated below zero.
 * Worked example: samples 0,10,20 at 0s,10s,20s in a [0s,30s] window: increase 20 over 20s,
 * gap to start 0s, gap to end 10s < 11s so extrapolate to 30s: 30; rate = 30/30s = 1.
 */
export function extrapolatedRate(p: Points, w: Window, isCounter: boolean, isRate: boolean): number | undefined {
  const o = p.lo;
  const n = p.hi - p.lo;
  if (n < 2) return undefined;
  const firstT = p.ts[o + 0] as number;
  const lastT = p.ts[o + n - 1] as number;
  const firstV = p.vs[o + 0] as number;
  let result = (p.vs[o + n - 1] as number) - firstV;
  if (isCounter) {
    let last = 0;
    for (let i = 0; i < n; i++) {
      const v = p.vs[o + i] as number;
      if (v < last) result += last;
      last = v;
    }
  }
  let durationToStart = (firstT - w.rangeStart) / 1000;
  const durationToEnd = (w.rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (n - 1);
  if (isCounter && result > 0 && firstV >= 0) {
    const durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  result = result * (extrapolateToInterval / sampledInterval);
  if (isRate) result = result / (w.rangeMs / 1000);
  return result;
}

/** `instantValue` for irate (isRate) and idelta: the last two samples only. */
export function instantValue(p: Points, isRate: boolean): number | undefined {
  const o = p.lo;
  const n = p.hi - p.lo;
  if (n < 2) return undefined;
  const lastV = p.vs[o + n - 1] as number;
  const prevV = p.vs[o + n - 2] as number;
  const result = isRate && lastV < prevV ? lastV : lastV - prevV;
  const interval = (p.ts[o + n - 1] as number) - (p.ts[o + n - 2] as number);
  if (interval === 0) return undefined;
  return isRate ? result / (interval / 1000) : result;
}

/** `linearRegression` with Kahan sums; x in seconds relative to `interceptTime`. */
export function linearRegression(p: Points, interceptTime: number): [number, number] {
  const o = p.lo;
  let n = 0;
  let sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = p.vs[o + 0] as number;
  let constY = true;
  for (let i = 0; i < p.hi - p.lo; i++) {
    const v = p.vs[o + i] as number;
    if (constY && i > 0 && v !== initY) constY = false;
    n += 1;
    const x = ((p.ts[o + i] as number) - interceptTime) / 1000;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(v, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * v, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [Number.NaN, Number.NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

function values(p: Points): number[] {
  return Array.from({ length: p.hi - p.lo }, (_x, i) => p.vs[p.lo + i] as number);
}

/** Evaluates a range-vector function on one series; `scalarArg` is q or the prediction horizon. */
export function evalRangeFunction(name: string, p: Points, w: Window, scalarArg: number, scalarArg2 = Number.NaN): number | undefined {
  const o = p.lo;
  const n = p.hi - p.lo;
  if (n === 0) return undefined;
  switch (name) {
    case 'rate':
      return extrapolatedRate(p, w, true, true);
    case 'increase':
      return extrapolatedRate(p, w, true, false);
    case 'delta':
      return extrapolatedRate(p, w, false, false);
    case 'irate':
      return instantValue(p, true);
    case 'idelta':
      return instantValue(p, false);
    case 'count_over_time':
      return n;
    case 'present_over_time':
      return 1;
    case 'last_over_time':
      return p.vs[o + n - 1];
    case 'sum_over_time': {
      let sum = 0, c = 0;
      for (let i = 0; i < n; i++) [sum, c] = kahanSumInc(p.vs[o + i] as number, sum, c);
      return Number.isFinite(sum) ? sum + c : sum;
    }
    case 'avg_over_time': {
      // Incremental mean, avoiding overflow; an infinite mean stays put (functions.go).
      let mean = 0, count = 0, c = 0;
      for (let i = 0; i < n; i++) {
        const v = p.vs[o + i] as number;
        count++;
        if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
          if (!Number.isFinite(v) && !Number.isNaN(v) && mean > 0 === v > 0) continue;
          if (Number.isFinite(v)) continue;
        }
        [mean, c] = kahanSumInc(v / count - mean / count, mean, c);
      }
      return !Number.isFinite(mean) && !Number.isNaN(mean) ? mean : mean + c;
    }
    case 'min_over_time': {
      let m = p.vs[o + 0] as number;
      for (let i = 0; i < n; i++) {
        const v = p.vs[o + i] as number;
        if (v < m || Number.isNaN(m)) m = v;
      }
      return m;
    }
    case 'max_over_time': {
      let m = p.vs[o + 0] as number;
      for (let i = 0; i < n; i++) {
        const v = p.vs[o + i] as number;
        if (v > m || Number.isNaN(m)) m = v;
      }
      return m;
    }
    case 'stddev_over_time':
    case 'stdvar_over_time': {
      let count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
      for (let i = 0; i < n; i++) {
        const v = p.vs[o + i] as number;
        count++;
        const delta = v - (mean + cMean);
        [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
        [aux, cAux] = kahanSumInc(delta * (v - (mean + cMean)), aux, cAux);
      }
      const variance = (aux + cAux) / count;
      return name === 'stddev_over_time' ? Math.sqrt(variance) : variance;
    }
    case 'quantile_over_time':
      return quantileOf(scalarArg, values(p));
    case 'changes': {
      let changes = 0;
      for (let i = 1; i < n; i++) {
        const prev = p.vs[o + i - 1] as number;
        const cur = p.vs[o + i] as number;
        if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
      }
      return changes;
    }
    case 'resets': {
      let resets = 0;
      for (let i = 1; i < n; i++) if ((p.vs[o + i] as number) < (p.vs[o + i - 1] as number)) resets++;
      return resets;
    }
    case 'deriv':
      return n < 2 ? undefined : linearRegression(p, p.ts[o + 0] as number)[0];
    case 'predict_linear': {
      if (n < 2) return undefined;
      const [slope, intercept] = linearRegression(p, w.evalTime);
      return slope * scalarArg + intercept;
    }
    case 'holt_winters':
      return holtWinters(p, scalarArg, scalarArg2);
    default:
      throw new Error(`not a range-vector function: ${name}`);
  }
}

/** Range functions that keep the metric name (engine.go: only last_over_time). */
export function keepsMetricName(name: string): boolean {
  return name === 'last_over_time';
}

/** Go's `%f` for the factor in holt_winters' errors. */
function goFixed6(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(6);
}

/**
 * `funcHoltWinters` (double exponential smoothing, functions.go 2.42): the smoothed value
 * after the last sample, with smoothing factor sf and trend factor tf, both strictly between
 * 0 and 1 (else an evaluation error, raised only for a series that has samples, as Go panics
 * inside the per-series call). Fewer than two samples give no output.
 * Worked example: 0, 10, 20 with sf = tf = 0.5: s1 = 0, b = 10; i=1: b = 10 (first trend),
 * s1 = 0.5*10 + 0.5*(0+10) = 10; i=2: b = 0.5*(10-0) + 0.5*10 = 10, s1 = 0.5*20 + 0.5*(10+10) = 20.
 */
export function holtWinters(p: Points, sf: number, tf: number): number | undefined {
  // As Go compares: a NaN factor passes the checks.
  if (sf <= 0 || sf >= 1) throw new PromQLExecError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${goFixed6(sf)}`);
  if (tf <= 0 || tf >= 1) throw new PromQLExecError(`invalid trend factor. Expected: 0 < tf < 1, got: ${goFixed6(tf)}`);
  const o = p.lo;
  const n = p.hi - p.lo;
  if (n < 2) return undefined;
  let s0 = 0;
  let s1 = p.vs[o] as number;
  let b = (p.vs[o + 1] as number) - s1;
  for (let i = 1; i < n; i++) {
    const x = sf * (p.vs[o + i] as number);
    // calcTrendValue: the first step keeps the initial trend.
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}
