/**
 * `histogram_quantile` over classic buckets (promql/quantile.go `bucketQuantile`, 2.42):
 * buckets grouped by their labels without `le`, sorted by upper bound, equal bounds merged,
 * counts forced monotonic, linear interpolation inside the bucket holding the rank.
 */
import { dropLabels, getLabel, labelsKey, METRIC_NAME, type Labels } from '../labels.js';
import { parseGoFloat } from '../go-float.js';
import type { Sample } from '../values.js';

interface Bucket {
  upperBound: number;
  count: number;
}

/**
 * The q-quantile of cumulative buckets. Worked example: buckets le=1:10, le=2:20, le=+Inf:20,
 * q=0.5: rank 10 falls in le=1 (count 10 >= 10), bucket [0,1] holds 10, so 0 + 1*(10/10) = 1.
 */
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  let buckets = [...input].sort((a, b) => a.upperBound - b.upperBound);
  const last = buckets[buckets.length - 1];
  if (!last || last.upperBound !== Infinity) return Number.NaN;
  buckets = coalesce(buckets);
  ensureMonotonic(buckets);
  if (buckets.length < 2) return Number.NaN;
  const observations = (buckets[buckets.length - 1] as Bucket).count;
  if (observations === 0) return Number.NaN;
  let rank = q * observations;
  // sort.Search over all but the +Inf bucket: first bucket whose count >= rank.
  let b = 0;
  while (b < buckets.length - 1 && !((buckets[b] as Bucket).count >= rank)) b++;
  if (b === buckets.length - 1) return (buckets[buckets.length - 2] as Bucket).upperBound;
  const bk = buckets[b] as Bucket;
  if (b === 0 && bk.upperBound <= 0) return bk.upperBound;
  let bucketStart = 0;
  const bucketEnd = bk.upperBound;
  let count = bk.count;
  if (b > 0) {
    const prev = buckets[b - 1] as Bucket;
    bucketStart = prev.upperBound;
    count -= prev.count;
    rank -= prev.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

function coalesce(buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const b of buckets) {
    const last = out[out.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else out.push({ ...b });
  }
  return out;
}

function ensureMonotonic(buckets: Bucket[]): void {
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
}

/**
 * histogram_quantile(q, v): one output per bucket group; series without a valid `le` are
 * skipped. Buckets group by all labels but `le`, the metric name included, and each output
 * drops the name (functions.go 2.42), so two histograms that differ only in their names give
 * two outputs with one label set, which the engine refuses as a duplicate
 * (prometheus/prometheus#9910, histograms.test).
 */
export function histogramQuantile(q: number, samples: readonly Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const s of samples) {
    const upperBound = parseGoFloat(getLabel(s.labels, 'le'));
    if (upperBound === undefined) continue;
    const key = labelsKey(dropLabels(s.labels, ['le']));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: dropLabels(s.labels, ['le', METRIC_NAME]), buckets: [] }));
    g.buckets.push({ upperBound, count: s.value });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}
