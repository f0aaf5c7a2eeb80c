/**
 * Vector and matrix selection as promql/engine.go (2.42) does it: an instant selector takes
 * the newest sample in [t - lookback, t] unless it is a stale marker (vectorSelectorSingle);
 * a range selector takes every non-stale sample in [t - range, t] (matrixIterSlice).
 */
import { isStaleAt, viewLowerBound, viewUpperBound, type MemSeries, type SeriesView } from '../series.js';
import type { RangeSeries, Sample } from '../values.js';

/**
 * Decoded samples of a series from a time on. Chunks are compressed, so a query decodes each
 * series it reads once and keeps the view: a range query reads the same series at every step.
 */
export type SeriesReader = (s: MemSeries, from: number) => SeriesView;

/** Samples per block of a reader's decode buffer. */
const BLOCK = 1 << 16;

/**
 * A reader that keeps one view per series for the life of a query, decoded from the earliest
 * time asked so far (a range query's steps go forward in time, so the first decode serves them
 * all; an earlier request decodes again from there). Views are cut from large shared blocks,
 * so a query that reads thousands of series allocates a few buffers, not thousands.
 */
export function cachingReader(): SeriesReader {
  const cache = new Map<MemSeries, SeriesView>();
  let ts = new Float64Array(0);
  let vs = new Float64Array(0);
  let bits = new Uint32Array(0);
  let used = 0;
  return (s, from) => {
    const hit = cache.get(s);
    if (hit && hit.from <= from) return hit;
    const cap = s.capacityFrom(from);
    if (used + cap > ts.length) {
      const size = Math.max(BLOCK, cap);
      ts = new Float64Array(size);
      vs = new Float64Array(size);
      bits = new Uint32Array(vs.buffer);
      used = 0;
    }
    const lo = used;
    const hi = s.decodeInto(from, ts, bits, lo);
    used = hi;
    const v: SeriesView = { ts, vs, bits, lo, hi, from };
    cache.set(s, v);
    return v;
  };
}

const direct: SeriesReader = (s, from) => s.view(from);

/** Instant vector at `refTime` (offset and @ already applied). */
export function selectInstant(series: readonly MemSeries[], refTime: number, lookbackMs: number, read: SeriesReader = direct): Sample[] {
  const out: Sample[] = [];
  const mint = refTime - lookbackMs;
  for (const s of series) {
    if ((s.lastTime() ?? -Infinity) < mint) continue;
    const v = read(s, mint);
    const i = viewUpperBound(v, refTime) - 1;
    if (i < v.lo) continue;
    if ((v.ts[i] as number) < mint) continue;
    if (isStaleAt(v, i)) continue;
    out.push({ labels: s.labels, value: v.vs[i] as number, t: v.ts[i] });
  }
  return out;
}

/** Range vector over [refTime - rangeMs, refTime], stale markers left out. */
export function selectRange(series: readonly MemSeries[], refTime: number, rangeMs: number, read: SeriesReader = direct): RangeSeries[] {
  const out: RangeSeries[] = [];
  const mint = refTime - rangeMs;
  for (const s of series) {
    if ((s.lastTime() ?? -Infinity) < mint) continue;
    const v = read(s, mint);
    const lo = viewLowerBound(v, mint);
    const hi = viewUpperBound(v, refTime);
    if (hi <= lo) continue;
    let stale = 0;
    for (let i = lo; i < hi; i++) if (isStaleAt(v, i)) stale++;
    if (stale === 0) {
      out.push({ labels: s.labels, ts: v.ts, vs: v.vs, lo, hi });
      continue;
    }
    if (stale === hi - lo) continue;
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = lo; i < hi; i++) {
      if (isStaleAt(v, i)) continue;
      ts.push(v.ts[i] as number);
      vs.push(v.vs[i] as number);
    }
    out.push({ labels: s.labels, ts, vs, lo: 0, hi: ts.length });
  }
  return out;
}
