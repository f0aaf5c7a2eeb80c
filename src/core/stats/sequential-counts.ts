/**
 * An anytime-valid sequential test that the canary's event probability (errors, or requests
 * slower than a bound) is higher than the baseline's: a mixture likelihood-ratio martingale
 * that may be looked at after every measurement, as often as one likes, and rejects with
 * false-abort probability at most alpha (Ville's inequality: under the null a nonnegative
 * martingale with mean 1 ever reaches 1/alpha with probability at most alpha).
 *
 * Data come in blocks, one per measurement: the requests and events of each group since the
 * previous one. Conditional on a block's margins (requests per group, events in all), the
 * canary's event count is hypergeometric when both groups share one event probability,
 * whatever that probability is and however it drifts between blocks, and Fisher's noncentral
 * hypergeometric with odds ratio ψ when the canary's odds are ψ times the baseline's. So
 *
 *   LR_b(ψ) = ψ^x / E_1[ψ^X]     (x the canary's events in block b, X ~ the central hypergeometric)
 *
 * has conditional mean 1 under the null, the product over blocks is a test martingale for
 * each ψ, and so is the mixture E_t = Σ_j w_j Π_b LR_b(ψ_j) over a fixed grid of odds ratios.
 * This is the conditioning Lindon & Malek use for count data ("Anytime-Valid Inference for
 * Multinomial Count Data", NeurIPS 2022, section 4: given the number of events, their split
 * between arms is multinomial with the arms' shares of traffic), made exact for finite blocks
 * (hypergeometric instead of binomial) and for traffic shares that change between blocks (a
 * canary going 10 -> 25 -> 50 %). The mixture over ψ plays the role of their Dirichlet prior.
 *
 * Worked example: a block of 100 canary and 100 baseline requests with 5 canary errors and none
 * in the baseline: X ~ Hypergeometric(200, 100, 5), P(X = 5) = 0.0297, LR(ψ = 64) = 64^5 /
 * E_1[64^X] = 31.1, and the average over the 16 grid points is E = 21.9 after this one block;
 * alpha = 0.01 needs E >= 100, which a second such block gives.
 *
 * The state is plain data (cumulative log-LR per grid point and the counts), so it can be kept
 * in a measurement's metadata and survive a restart.
 */
import { requireCount, requireProbability, StatsInputError } from './errors.js';
import { logCentralWeights } from './hypergeometric.js';
import { logSumExp } from './special.js';

/** Events and draws of one group in one block. */
export interface GroupCounts {
  events: number;
  total: number;
}

/** The odds ratios mixed over: √2, 2, 2√2, ..., 256 (16 points), equal weights. */
export const DEFAULT_ODDS_RATIOS: readonly number[] = Array.from({ length: 16 }, (_, k) => 2 ** ((k + 1) / 2));

/** The test's running state (JSON-serialisable). */
export interface CountTestState {
  /** Σ over blocks of log LR_b(ψ_j), one per grid point. */
  logLr: number[];
  canary: GroupCounts;
  baseline: GroupCounts;
  blocks: number;
  /** The block at which the e-value first reached 1/alpha; the decision is final from then on. */
  rejectedAtBlock?: number;
}

/** Configuration of the test. */
export interface CountTestConfig {
  /** The false-abort rate; reject when the e-value reaches 1/alpha. */
  alpha: number;
  /** The grid of odds ratios (all > 1); default {@link DEFAULT_ODDS_RATIOS}. */
  oddsRatios?: readonly number[];
}

/** What one update reports: the numbers behind the decision. */
export interface CountTestVerdict {
  decision: 'reject' | 'continue';
  /** The mixture e-value E_t (1 at the start). */
  eValue: number;
  /** 1/alpha, the bound E_t must reach. */
  threshold: number;
  canaryRate: number;
  baselineRate: number;
}

/** The state before any data. */
export function initialCountState(config: CountTestConfig): CountTestState {
  const grid = config.oddsRatios ?? DEFAULT_ODDS_RATIOS;
  return { logLr: grid.map(() => 0), canary: { events: 0, total: 0 }, baseline: { events: 0, total: 0 }, blocks: 0 };
}

function checkGroup(name: string, g: GroupCounts): void {
  requireCount(`${name}.events`, g.events);
  requireCount(`${name}.total`, g.total);
  if (g.events > g.total) throw new StatsInputError('stats-invalid-input', `${name}.events`, `${g.events} events exceed ${g.total} draws`);
}

/** The mixture e-value of a state. */
export function countEValue(state: CountTestState): number {
  return Math.exp(logSumExp(state.logLr) - Math.log(state.logLr.length));
}

/** Adds one block (the counts since the last update) and decides. */
export function updateCountTest(state: CountTestState, block: { canary: GroupCounts; baseline: GroupCounts }, config: CountTestConfig): { state: CountTestState; verdict: CountTestVerdict } {
  requireProbability('alpha', config.alpha);
  checkGroup('canary', block.canary);
  checkGroup('baseline', block.baseline);
  const grid = config.oddsRatios ?? DEFAULT_ODDS_RATIOS;
  if (grid.length !== state.logLr.length) throw new StatsInputError('stats-invalid-input', 'oddsRatios', `the state has ${state.logLr.length} grid points, the config ${grid.length}`);
  const logLr = state.logLr.slice();
  const events = block.canary.events + block.baseline.events;
  // A block without events, or with requests in one group only, carries no evidence (LR = 1).
  if (events > 0 && block.canary.total > 0 && block.baseline.total > 0) {
    const { lo, weights } = logCentralWeights({ rowA: block.canary.total, rowB: block.baseline.total, events });
    const logNull = logSumExp(weights);
    grid.forEach((psi, j) => {
      const lp = Math.log(psi);
      const tilted = weights.map((w, i) => w + (lo + i) * lp);
      logLr[j] = (logLr[j] as number) + block.canary.events * lp - (logSumExp(tilted) - logNull);
    });
  }
  const next: CountTestState = {
    logLr,
    canary: { events: state.canary.events + block.canary.events, total: state.canary.total + block.canary.total },
    baseline: { events: state.baseline.events + block.baseline.events, total: state.baseline.total + block.baseline.total },
    blocks: state.blocks + 1,
  };
  const eValue = countEValue(next);
  const threshold = 1 / config.alpha;
  const rejectedAtBlock = state.rejectedAtBlock ?? (eValue >= threshold ? next.blocks : undefined);
  if (rejectedAtBlock !== undefined) next.rejectedAtBlock = rejectedAtBlock;
  return {
    state: next,
    verdict: {
      decision: rejectedAtBlock !== undefined ? 'reject' : 'continue',
      eValue,
      threshold,
      canaryRate: next.canary.total ? next.canary.events / next.canary.total : Number.NaN,
      baselineRate: next.baseline.total ? next.baseline.events / next.baseline.total : Number.NaN,
    },
  };
}
