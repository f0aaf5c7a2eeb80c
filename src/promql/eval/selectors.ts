/**
 * Vector and matrix selection as promql/engine.go (2.42) does it: an instant selector takes
 * the newest sample in [t - lookback, t] unless it is a stale marker (vectorSelectorSingle);
 * a range selector takes every non-stale sample in [t - range, t] (matrixIterSlice).
 */
import type { MemSeries } from '../series.js';
import type { RangeSeries, Sample } from '../values.js';

/** Instant vector at `refTime` (offset and @ already applied). */
export function selectInstant(series: readonly MemSeries[], refTime: number, lookbackMs: number): Sample[] {
  const out: Sample[] = [];
  for (const s of series) {
    const i = s.upperBound(refTime) - 1;
    if (i < s.start) continue;
    if ((s.ts[i] as number) < refTime - lookbackMs) continue;
    if (s.isStale(i)) continue;
    out.push({ labels: s.labels, value: s.vs[i] as number, t: s.ts[i] });
  }
  return out;
}

/** Range vector over [refTime - rangeMs, refTime], stale markers left out. */
export function selectRange(series: readonly MemSeries[], refTime: number, rangeMs: number): RangeSeries[] {
  const out: RangeSeries[] = [];
  const mint = refTime - rangeMs;
  for (const s of series) {
    const lo = s.lowerBound(mint);
    const hi = s.upperBound(refTime);
    if (hi <= lo) continue;
    let stale = 0;
    for (let i = lo; i < hi; i++) if (s.isStale(i)) stale++;
    if (stale === 0) {
      out.push({ labels: s.labels, ts: s.ts, vs: s.vs, lo, hi });
      continue;
    }
    if (stale === hi - lo) continue;
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = lo; i < hi; i++) {
      if (s.isStale(i)) continue;
      ts.push(s.ts[i] as number);
      vs.push(s.vs[i] as number);
    }
    out.push({ labels: s.labels, ts, vs, lo: 0, hi: ts.length });
  }
  return out;
}
