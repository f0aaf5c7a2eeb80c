import { describe, expect, it } from 'vitest';
import { brownForsythe, spreadIncrease } from './brown-forsythe.js';
import { fisherExact } from './fisher-exact.js';

// NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.5.10 (Levene test), GEAR.DAT: gear
// diameters, 10 batches of 10. Median-based statistic W = 1.705910; p = 0.0991 as
// HypothesisTests.jl's BrownForsytheTest test states it.
const GEAR = [
  [1.006, 0.996, 0.998, 1.0, 0.992, 0.993, 1.002, 0.999, 0.994, 1.0],
  [0.998, 1.006, 1.0, 1.002, 0.997, 0.998, 0.996, 1.0, 1.006, 0.988],
  [0.991, 0.987, 0.997, 0.999, 0.995, 0.994, 1.0, 0.999, 0.996, 0.996],
  [1.005, 1.002, 0.994, 1.0, 0.995, 0.994, 0.998, 0.996, 1.002, 0.996],
  [0.998, 0.998, 0.982, 0.99, 1.002, 0.984, 0.996, 0.993, 0.98, 0.996],
  [1.009, 1.013, 1.009, 0.997, 0.988, 1.002, 0.995, 0.998, 0.981, 0.996],
  [0.99, 1.004, 0.996, 1.001, 0.998, 1.0, 1.018, 1.01, 0.996, 1.002],
  [0.998, 1.0, 1.006, 1.0, 1.002, 0.996, 0.998, 0.996, 1.002, 1.006],
  [1.002, 0.998, 0.996, 0.995, 0.996, 1.004, 1.004, 0.998, 0.999, 0.991],
  [0.991, 0.995, 0.984, 0.994, 0.997, 0.997, 0.991, 0.998, 1.004, 0.997],
];

describe('Brown-Forsythe', () => {
  it('NIST GEAR.DAT: W = 1.705910 on (9, 90) df, p = 0.0991', () => {
    const r = brownForsythe(GEAR);
    expect(r.df1).toBe(9);
    expect(r.df2).toBe(90);
    // HypothesisTests.jl checks this value with atol 1e-5 too.
    expect(Math.abs(r.statistic - 1.70591)).toBeLessThan(1e-5);
    expect(r.pValue).toBeCloseTo(0.0991, 4);
  });

  it('two groups: the one-sided t squared is the F, and the direction is the canary spread', () => {
    const [a, b] = [GEAR[5] as number[], GEAR[2] as number[]];
    const f = brownForsythe([a, b]);
    const t = spreadIncrease(a, b);
    expect(t.statistic ** 2).toBeCloseTo(f.statistic, 10);
    // One tail of t is half the F's p-value when t > 0.
    expect(t.statistic).toBeGreaterThan(0);
    expect(t.pValue).toBeCloseTo(f.pValue / 2, 10);
    expect(spreadIncrease(b, a).pValue).toBeCloseTo(1 - f.pValue / 2, 10);
    expect(t.spreadRatio).toBeGreaterThan(1);
  });

  it('needs two values per group', () => {
    expect(() => spreadIncrease([1], [1, 2])).toThrow(/^canary:/);
  });
});

describe('Fisher exact count test', () => {
  it('R ?fisher.test TeaTasting, alternative "greater": p-value = 0.2429', () => {
    const r = fisherExact({ events: 3, total: 4 }, { events: 1, total: 4 });
    expect(r.pValue).toBeCloseTo(0.2429, 4);
  });

  it('R ?fisher.test Convictions: "less" p-value = 0.0004652, two-sided 0.0005367', () => {
    // Rows (Dizygotic: 2 convicted of 17), (Monozygotic: 10 of 13).
    expect(fisherExact({ events: 2, total: 17 }, { events: 10, total: 13 }, 'less').pValue).toBeCloseTo(0.0004652, 7);
    expect(fisherExact({ events: 2, total: 17 }, { events: 10, total: 13 }, 'two-sided').pValue).toBeCloseTo(0.0005367, 7);
  });

  it('sparse errors: 5 canary errors in 1000 against 0 in 1000 is exactly C(1000,5)/C(2000,5)', () => {
    const r = fisherExact({ events: 5, total: 1000 }, { events: 0, total: 1000 });
    let expected = 1;
    for (let i = 0; i < 5; i++) expected *= (1000 - i) / (2000 - i);
    expect(r.pValue / expected).toBeCloseTo(1, 10);
    expect(r.rateRatio).toBe(Infinity);
  });
});
