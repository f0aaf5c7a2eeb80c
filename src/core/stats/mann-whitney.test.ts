import { describe, expect, it } from 'vitest';
import { StatsInputError } from './errors.js';
import { TIE_OUT_CONTROL, TIE_OUT_EXPERIMENT, TIE_OUT_LARGE_CONTROL, TIE_OUT_LARGE_EXPERIMENT } from './kayenta-tie-out.test-util.js';
import { mannWhitney } from './mann-whitney.js';

// Hollander & Wolfe (1973), p. 69f: permeability constants at term (x) and at 12-26 weeks (y),
// the two-sample example of R's ?wilcox.test.
const HW_X = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const HW_Y = [1.15, 0.88, 0.9, 0.74, 1.21];

// R's datasets::airquality, Ozone in May and August with the NAs dropped (26 values each).
const MAY = [41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4, 32, 23, 45, 115, 37];
const AUG = [39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23, 31, 44, 21, 9, 45, 168, 73, 76, 118, 84, 85];

describe('mannWhitney against R wilcox.test outputs', () => {
  it('exact, alternative greater: W = 35, p-value = 0.1272 (R ?wilcox.test example)', () => {
    const r = mannWhitney(HW_X, HW_Y, { alternative: 'greater' });
    expect(r.method).toBe('exact');
    expect(r.statistic).toBe(35);
    expect(r.pValue).toBeCloseTo(0.1272, 4);
  });

  it('normal without continuity correction: W = 35, p-value = 0.1103 (R ?wilcox.test, "H&W large sample approximation")', () => {
    const r = mannWhitney(HW_X, HW_Y, { alternative: 'greater', exact: false, correct: false });
    expect(r.method).toBe('normal');
    expect(r.pValue).toBeCloseTo(0.1103, 4);
  });

  it('ties force the normal approximation: airquality May vs August, W = 127.5, p-value = 0.0001208 (R ?wilcox.test example)', () => {
    const r = mannWhitney(MAY, AUG);
    expect(r.method).toBe('normal');
    expect(r.statistic).toBe(127.5);
    expect(r.pValue).toBeCloseTo(0.0001208, 7);
  });

  it('W = 51.5, p-value = 0.5966 and W = 0, p-value = 0.001364 (endmemo.com/r/wilcoxon.php, R output)', () => {
    const x = [1, 5, 9, 24, 56, 21, 3, 7, 21, 4];
    const a = mannWhitney(x, [12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5]);
    expect(a.statistic).toBe(51.5);
    expect(a.pValue).toBeCloseTo(0.5966, 4);
    const b = mannWhitney(x, [1233, 4356, 987, 39999, 1111, 200000]);
    expect(b.statistic).toBe(0);
    expect(b.pValue).toBeCloseTo(0.001364, 6);
  });

  it('exact interval and Hodges-Lehmann estimate: 10..40 vs 1..4 gives [6, 39], 22.5 (Kayenta MannWhitneySuite)', () => {
    const r = mannWhitney([10, 20, 30, 40], [1, 2, 3, 4]);
    expect(r.confInt).toEqual([6, 39]);
    expect(r.estimate).toBe(22.5);
    // Two-sided exact p: W = 16 is the maximum, P(W >= 16) = 1/70, doubled.
    expect(r.pValue).toBeCloseTo(2 / 70, 12);
  });

  // R's uniroot stops within 1e-4 of the step where the statistic crosses the quantile; the
  // bisection here finds the step itself, so the ends agree to 1e-4.
  it('normal interval with ties, conf.level 0.95, as R computed it (Kayenta "Tie out with R Version")', () => {
    const r = mannWhitney(TIE_OUT_EXPERIMENT, TIE_OUT_CONTROL, { confLevel: 0.95 });
    expect(r.method).toBe('normal');
    expect(Math.abs(r.confInt[0] - -0.500002521696696)).toBeLessThan(1e-4);
    expect(Math.abs(r.confInt[1] - -3.486287505871302e-5)).toBeLessThan(1e-4);
    expect(Math.abs(r.estimate - -0.4999393907180323)).toBeLessThan(1e-4);
  });

  it('normal interval, conf.level 0.98, 180 values each, as R computed it (Kayenta "Tie out with R Version (Large)")', () => {
    const r = mannWhitney(TIE_OUT_LARGE_EXPERIMENT, TIE_OUT_LARGE_CONTROL, { confLevel: 0.98 });
    expect(Math.abs(r.confInt[0] - -0.4999173250549087)).toBeLessThan(1e-4);
    expect(Math.abs(r.confInt[1] - -6.912685789769486e-6)).toBeLessThan(1e-4);
    expect(Math.abs(r.estimate - -3.45044082729315e-5)).toBeLessThan(1e-4);
  });
});

describe('mannWhitney properties', () => {
  it('one-sided p-values of the two directions add to 1 + P(W = w) in the exact case', () => {
    const g = mannWhitney(HW_X, HW_Y, { alternative: 'greater' });
    const l = mannWhitney(HW_X, HW_Y, { alternative: 'less' });
    expect(g.pValue + l.pValue).toBeGreaterThan(1);
    expect(g.pValue + l.pValue).toBeLessThan(1.1);
    expect(l.confInt[0]).toBe(-Infinity);
    expect(g.confInt[1]).toBe(Infinity);
  });

  it('the interval covers the estimate and moves with a shift of x', () => {
    const r = mannWhitney(MAY, AUG, { confLevel: 0.9 });
    expect(r.confInt[0]).toBeLessThanOrEqual(r.estimate);
    expect(r.estimate).toBeLessThanOrEqual(r.confInt[1]);
    const shifted = mannWhitney(MAY.map((v) => v + 100), AUG, { confLevel: 0.9 });
    expect(shifted.estimate).toBeCloseTo(r.estimate + 100, 6);
  });

  it('all values tied: no evidence (p = 1), estimate 0', () => {
    const r = mannWhitney([3, 3, 3], [3, 3, 3, 3]);
    expect(r.pValue).toBe(1);
    expect(r.estimate).toBe(0);
  });

  it('bad input is a typed error naming it', () => {
    expect(() => mannWhitney([], [1])).toThrow(StatsInputError);
    expect(() => mannWhitney([1], [1], { confLevel: 1.5 })).toThrow(/confLevel/);
    expect(() => mannWhitney([Number.NaN], [1])).toThrow(/^x:/);
  });
});
