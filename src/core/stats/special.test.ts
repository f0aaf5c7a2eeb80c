import { describe, expect, it } from 'vitest';
import { logGamma, normalCdf, normalQuantile, studentTUpper } from './special.js';

// Reference values: R 4.x, qnorm/pnorm/pt/lgamma (also in Abramowitz & Stegun tables 26.1, 26.7).
describe('special functions', () => {
  it('normal quantiles and tails', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874040841, 12);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9);
    expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 14);
    // Far tail, where 1 - Φ(x) computed naively would be 0: pnorm(-10) = 7.619853e-24.
    expect(normalCdf(-10) / 7.619853024160527e-24).toBeCloseTo(1, 9);
  });

  it('log-gamma and the t tail', () => {
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9); // ln(100!)
    // P(T > 2), 10 df: 0.0366940173853748 by Simpson's rule on the t density over [2, 400].
    expect(studentTUpper(2, 10)).toBeCloseTo(0.0366940173853748, 11);
    expect(studentTUpper(-2, 10)).toBeCloseTo(1 - 0.0366940173853748, 11);
  });
});
