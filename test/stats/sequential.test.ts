/**
 * The sequential tests' guarantees, measured: under the null, the share of A/A sequences that
 * ever reject when looked at after every block stays at most alpha (Ville's inequality); under
 * a real regression, the test stops within a bounded number of requests. Every simulation is
 * seeded, so a run is reproducible and a failure can be replayed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logCentralWeights } from '../../src/core/stats/hypergeometric.js';
import { binomialDraw, normalDraw, seededRandom, type Random } from '../../src/core/stats/random.js';
import { DEFAULT_ODDS_RATIOS, initialCountState, updateCountTest, type CountTestState } from '../../src/core/stats/sequential-counts.js';
import { meanTest, type MomentSums } from '../../src/core/stats/sequential-means.js';
import { logSumExp } from '../../src/core/stats/special.js';

/** Requests each of `runs` releases needed before the test rejected (Infinity: never), sorted. */
function requestsToDetect(runs: number, perLook: number, run: () => number | undefined): number[] {
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const at = run();
    out.push(at === undefined ? Infinity : at * perLook);
  }
  return out.sort((a, b) => a - b);
}

/** Three binomial standard errors above alpha: the simulation margin the bound is checked with. */
function margin(alpha: number, runs: number): number {
  return alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs);
}

describe('sequential count test', () => {
  it('the worked example of sequential-counts.ts: 5 canary errors in 100 against 0 in 100 gives E = 21.9', () => {
    const { verdict, state } = updateCountTest(initialCountState({ alpha: 0.01 }), { canary: { events: 5, total: 100 }, baseline: { events: 0, total: 100 } }, { alpha: 0.01 });
    expect(verdict.eValue).toBeCloseTo(21.876, 2);
    expect(Math.exp(state.logLr[DEFAULT_ODDS_RATIOS.indexOf(64)] as number)).toBeCloseTo(31.07, 1);
    expect(verdict.decision).toBe('continue');
    const second = updateCountTest(state, { canary: { events: 5, total: 100 }, baseline: { events: 0, total: 100 } }, { alpha: 0.01 });
    expect(second.verdict.decision).toBe('reject');
  });

  it('each block likelihood ratio has conditional mean exactly 1 under the null (any margins, any odds ratio)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 60 }), fc.double({ min: 1.01, max: 500, noNaN: true }), (a, b, e, psi) => {
        const events = Math.min(e, a + b);
        const { lo, weights } = logCentralWeights({ rowA: a, rowB: b, events });
        const logNull = logSumExp(weights);
        const logNorm = logSumExp(weights.map((w, i) => w + (lo + i) * Math.log(psi)));
        // Σ_x P0(x) · ψ^x / E0[ψ^X] = 1.
        const mean = weights.reduce((s, w, i) => s + Math.exp(w - logNull + (lo + i) * Math.log(psi) - logNorm + logNull), 0);
        expect(mean).toBeCloseTo(1, 9);
      }),
      { seed: 13, numRuns: 300 },
    );
  });

  /** Runs one sequence of blocks; returns the block at which it rejected, or undefined. */
  function runSequence(rand: Random, blocks: number, perBlock: (b: number) => { canaryN: number; baselineN: number; pc: number; pb: number }, alpha: number): number | undefined {
    let state: CountTestState = initialCountState({ alpha });
    for (let b = 0; b < blocks; b++) {
      const { canaryN, baselineN, pc, pb } = perBlock(b);
      const block = { canary: { total: canaryN, events: binomialDraw(rand, canaryN, pc) }, baseline: { total: baselineN, events: binomialDraw(rand, baselineN, pb) } };
      const out = updateCountTest(state, block, { alpha });
      state = out.state;
      if (out.verdict.decision === 'reject') return b + 1;
    }
    return undefined;
  }

  it('A/A: over 2,000 seeded sequences of 60 blocks, looked at after every block, false aborts <= alpha = 0.05', () => {
    const rand = seededRandom(20240613);
    const runs = 2000;
    let aborted = 0;
    for (let r = 0; r < runs; r++) {
      // The canary's share of traffic steps 10 -> 25 -> 50 %, the error rate drifts with time
      // (the same for both groups), as in a real release: the null allows both.
      const seq = runSequence(rand, 60, (b) => {
        const share = b < 20 ? 0.1 : b < 40 ? 0.25 : 0.5;
        const p = 0.02 * (1 + Math.sin(b / 5)) + 0.001;
        return { canaryN: Math.round(200 * share), baselineN: Math.round(200 * (1 - share)), pc: p, pb: p };
      }, 0.05);
      if (seq !== undefined) aborted++;
    }
    expect(aborted / runs).toBeLessThanOrEqual(margin(0.05, runs));
  });

  it('detects 5 % vs 0.1 % errors within 1,000 canary requests in at least 99 % of 500 seeded releases (alpha 0.01)', () => {
    const rand = seededRandom(7);
    const runs = 500;
    const needed = requestsToDetect(runs, 50, () => runSequence(rand, 100, () => ({ canaryN: 50, baselineN: 50, pc: 0.05, pb: 0.001 }), 0.01));
    expect(needed[Math.floor(runs * 0.99) - 1]).toBeLessThanOrEqual(1000);
    // Typical: a few hundred canary requests, i.e. about 10 failed requests.
    expect(needed[runs / 2]).toBeLessThanOrEqual(400);
  });

  it('bad input names the field', () => {
    const s = initialCountState({ alpha: 0.01 });
    expect(() => updateCountTest(s, { canary: { events: 3, total: 2 }, baseline: { events: 0, total: 1 } }, { alpha: 0.01 })).toThrow(/^canary\.events/);
    expect(() => updateCountTest(s, { canary: { events: 0, total: 2 }, baseline: { events: 0, total: 1 } }, { alpha: 2 })).toThrow(/^alpha/);
  });
});

describe('sequential mean test (mSPRT on log latency)', () => {
  it('the closed form equals the mixture integral computed numerically', () => {
    const canary: MomentSums = { n: 400, sum: 400 * 0.05, sumSquares: 0 };
    const baseline: MomentSums = { n: 400, sum: 0, sumSquares: 0 };
    const sigma = 0.5;
    const tau = 0.1;
    const v = sigma * sigma * (2 / 400);
    const d = 0.05;
    // ∫ exp((δ d - δ²/2) / v) φ(δ; 0, τ²) dδ by the trapezoid rule on ±10 τ; the half-normal
    // version doubles the density on δ > 0.
    let two = 0;
    let half = 0;
    const steps = 200_000;
    const h = (20 * tau) / steps;
    for (let i = 0; i <= steps; i++) {
      const delta = -10 * tau + i * h;
      const w = i === 0 || i === steps ? 0.5 : 1;
      const f = Math.exp((delta * d - (delta * delta) / 2) / v) * Math.exp(-(delta * delta) / (2 * tau * tau)) / Math.sqrt(2 * Math.PI * tau * tau);
      two += w * f * h;
      if (delta > 0) half += 2 * w * f * h;
    }
    expect(meanTest(canary, baseline, { alpha: 0.05, tau, sigma, alternative: 'two-sided' }).eValue / two).toBeCloseTo(1, 6);
    expect(meanTest(canary, baseline, { alpha: 0.05, tau, sigma }).eValue / half).toBeCloseTo(1, 3);
  });

  it('the worked example: n = 1000 each, σ = 0.5, d = 0.1, τ = 0.1 gives Λ = 2986', () => {
    const r = meanTest({ n: 1000, sum: 100, sumSquares: 0 }, { n: 1000, sum: 0, sumSquares: 0 }, { alpha: 0.01, tau: 0.1, sigma: 0.5, alternative: 'two-sided' });
    expect(r.eValue).toBeCloseTo(2985.58, 1);
  });

  function add(s: MomentSums, x: number): MomentSums {
    return { n: s.n + 1, sum: s.sum + x, sumSquares: s.sumSquares + x * x };
  }

  /** One sequence of `steps` looks, `perStep` log latencies per group between looks; the look at which it rejects. */
  function runLatency(rand: Random, steps: number, perStep: number, shift: number, alpha: number): number | undefined {
    let c: MomentSums = { n: 0, sum: 0, sumSquares: 0 };
    let b: MomentSums = { n: 0, sum: 0, sumSquares: 0 };
    for (let s = 0; s < steps; s++) {
      for (let i = 0; i < perStep; i++) {
        // Log-normal latency around 50 ms: log t = log 0.05 + 0.5 Z.
        c = add(c, Math.log(0.05) + shift + 0.5 * normalDraw(rand));
        b = add(b, Math.log(0.05) + 0.5 * normalDraw(rand));
      }
      if (meanTest(c, b, { alpha, tau: 0.1 }).decision === 'reject') return s + 1;
    }
    return undefined;
  }

  it('A/A with the plug-in σ: over 1,000 seeded sequences of 100 looks, false aborts <= alpha = 0.05', () => {
    const rand = seededRandom(99);
    const runs = 1000;
    let aborted = 0;
    for (let r = 0; r < runs; r++) if (runLatency(rand, 100, 10, 0, 0.05) !== undefined) aborted++;
    expect(aborted / runs).toBeLessThanOrEqual(margin(0.05, runs));
  });

  it('detects latency up 10 % (log shift 0.0953, σ 0.5) within 2,000 canary requests in 99 % of 300 seeded releases (alpha 0.01)', () => {
    const rand = seededRandom(5);
    const runs = 300;
    const needed = requestsToDetect(runs, 20, () => runLatency(rand, 150, 20, Math.log(1.1), 0.01));
    expect(needed[Math.floor(runs * 0.99) - 1]).toBeLessThanOrEqual(2000);
  });
});
