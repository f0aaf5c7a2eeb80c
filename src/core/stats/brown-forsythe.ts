/**
 * The Brown-Forsythe test for a change in spread: Levene's test with deviations from each
 * group's median (Brown & Forsythe, JASA 1974), the one-way ANOVA F of z_ij = |y_ij - median_i|.
 * Chosen over the F-test of variances because latency is heavy-tailed and the F-test's size
 * depends on normality, which latency never has; the median-centred version keeps its size for
 * skewed data (Conover, Johnson & Johnson, Technometrics 1981). A canary whose latency becomes
 * erratic (a retry storm, a cold cache on some requests) widens its spread while its median may
 * not move, which Kayenta's location test does not see.
 *
 * For canary against baseline the two-group F equals t², t being the pooled two-sample t of the
 * deviations; its one-sided p-value asks whether the canary's spread is larger. Applied to log
 * values (the judge's default for latency), the spread is relative: a canary whose requests take
 * from 0.5x to 2x their usual time has a larger log spread whatever its typical latency.
 */
import { StatsInputError } from './errors.js';
import { mean, median } from './rank.js';
import { incompleteBeta, studentTUpper } from './special.js';

/** The k-group statistic. */
export interface BrownForsytheResult {
  /** The F statistic (NIST calls it W). */
  statistic: number;
  df1: number;
  df2: number;
  /** P(F(df1, df2) > statistic). */
  pValue: number;
}

function deviations(group: readonly number[]): number[] {
  const m = median(group);
  return group.map((v) => Math.abs(v - m));
}

/** The k-group test (NIST/SEMATECH e-Handbook 1.3.5.10, Levene test based on the median). */
export function brownForsythe(groups: readonly (readonly number[])[]): BrownForsytheResult {
  if (groups.length < 2) throw new StatsInputError('stats-not-enough-data', 'groups', 'needs at least two groups');
  groups.forEach((g, i) => {
    if (g.length < 2) throw new StatsInputError('stats-not-enough-data', `groups[${i}]`, `has ${g.length} value(s); the test needs at least 2 per group`);
  });
  const z = groups.map(deviations);
  const n = z.reduce((s, g) => s + g.length, 0);
  const k = z.length;
  const groupMeans = z.map(mean);
  const grand = z.reduce((s, g) => s + g.reduce((a, b) => a + b, 0), 0) / n;
  let between = 0;
  let within = 0;
  z.forEach((g, i) => {
    const gm = groupMeans[i] as number;
    between += g.length * (gm - grand) ** 2;
    for (const v of g) within += (v - gm) ** 2;
  });
  const df1 = k - 1;
  const df2 = n - k;
  const statistic = within === 0 ? (between === 0 ? 0 : Infinity) : (between / df1) / (within / df2);
  const pValue = statistic === Infinity ? 0 : incompleteBeta(df2 / (df2 + df1 * statistic), df2 / 2, df1 / 2);
  return { statistic, df1, df2, pValue };
}

/** Canary against baseline, one-sided: is the canary's spread larger? */
export interface SpreadResult {
  /** Pooled t of the deviations (t² is the Brown-Forsythe F). */
  statistic: number;
  df: number;
  /** P(T > t): small when the canary's spread is larger. */
  pValue: number;
  /** Mean absolute deviation from the median, canary / baseline. */
  spreadRatio: number;
}

/** One-sided Brown-Forsythe for two groups. */
export function spreadIncrease(canary: readonly number[], baseline: readonly number[]): SpreadResult {
  for (const [name, g] of [['canary', canary], ['baseline', baseline]] as const) {
    if (g.length < 2) throw new StatsInputError('stats-not-enough-data', name, `has ${g.length} value(s); the test needs at least 2`);
  }
  const zc = deviations(canary);
  const zb = deviations(baseline);
  const mc = mean(zc);
  const mb = mean(zb);
  const ss = zc.reduce((s, v) => s + (v - mc) ** 2, 0) + zb.reduce((s, v) => s + (v - mb) ** 2, 0);
  const df = zc.length + zb.length - 2;
  const se = Math.sqrt((ss / df) * (1 / zc.length + 1 / zb.length));
  const diff = mc - mb;
  const statistic = se === 0 ? (diff === 0 ? 0 : Math.sign(diff) * Infinity) : diff / se;
  const pValue = statistic === Infinity ? 0 : statistic === -Infinity ? 1 : studentTUpper(statistic, df);
  return { statistic, df, pValue, spreadRatio: mb === 0 ? (mc === 0 ? 1 : Infinity) : mc / mb };
}
