/**
 * The exact null distribution of the Mann-Whitney statistic W (= U of the first sample), as
 * R's `dwilcox` / `pwilcox` / `qwilcox` (src/nmath/wilcox.c) give it: the number of ways W = w
 * arises among the C(m + n, m) equally likely rank assignments, from the recursion
 *
 *   c(w; m, n) = c(w - n; m - 1, n) + c(w; m, n - 1)
 *
 * (the largest of the m + n ranks belongs either to the first sample, adding n to W, or to the
 * second). Worked example: m = n = 2 gives counts [1, 1, 2, 1, 1] for w = 0..4 over 6 ways, so
 * P(W <= 1) = 2/6.
 */

const cache = new Map<string, Float64Array>();

/** Frequencies of W = 0..m*n for samples of sizes m and n (cached; m, n up to a few hundred). */
export function wilcoxFrequencies(m: number, n: number): Float64Array {
  const key = `${m},${n}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let out: Float64Array;
  if (m === 0 || n === 0) {
    out = new Float64Array([1]);
  } else {
    const withoutLargestInFirst = wilcoxFrequencies(m - 1, n);
    const withoutLargestInSecond = wilcoxFrequencies(m, n - 1);
    out = new Float64Array(m * n + 1);
    for (let w = 0; w < withoutLargestInSecond.length; w++) out[w] = withoutLargestInSecond[w] as number;
    for (let w = 0; w < withoutLargestInFirst.length; w++) out[w + n] = (out[w + n] as number) + (withoutLargestInFirst[w] as number);
  }
  cache.set(key, out);
  return out;
}

function total(freq: Float64Array): number {
  let s = 0;
  for (const f of freq) s += f;
  return s;
}

/** P(W <= q) (R's pwilcox(q, m, n)). */
export function pwilcox(q: number, m: number, n: number): number {
  const freq = wilcoxFrequencies(m, n);
  const upto = Math.floor(q + 1e-7);
  if (upto < 0) return 0;
  if (upto >= m * n) return 1;
  let s = 0;
  for (let w = 0; w <= upto; w++) s += freq[w] as number;
  return s / total(freq);
}

/** P(W > q) (R's pwilcox(q, m, n, lower.tail = FALSE)), summed from the upper end for accuracy. */
export function pwilcoxUpper(q: number, m: number, n: number): number {
  const freq = wilcoxFrequencies(m, n);
  const from = Math.floor(q + 1e-7) + 1;
  if (from <= 0) return 1;
  let s = 0;
  for (let w = from; w < freq.length; w++) s += freq[w] as number;
  return s / total(freq);
}

/**
 * The smallest q with P(W <= q) >= p (R's qwilcox(p, m, n)) for p <= 0.5, the only use here
 * (tail quantiles of confidence intervals); R's nmath/wilcox.c lowers p by 10 DBL_EPSILON first
 * so that a sum landing exactly on p counts.
 */
export function qwilcox(p: number, m: number, n: number): number {
  const freq = wilcoxFrequencies(m, n);
  const all = total(freq);
  const target = p - 10 * Number.EPSILON;
  let s = 0;
  for (let w = 0; w < freq.length; w++) {
    s += (freq[w] as number) / all;
    if (s >= target) return w;
  }
  return m * n;
}
