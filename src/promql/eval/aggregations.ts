/**
 * Aggregation operators (promql/engine.go `aggregation`, 2.42): grouping by/without, and
 * the running computations Prometheus uses (incremental mean for avg, Welford for
 * stddev/stdvar, NaN-replacing min/max, topk/bottomk keeping the input labels).
 */
import type { AggregateOp } from '../ast.js';
import { PromQLExecError } from '../errors.js';
import { formatGoFloat } from '../go-float.js';
import { dropLabels, keepLabels, labelsKey, METRIC_NAME, setLabel, type Labels } from '../labels.js';
import type { Sample } from '../values.js';
import { quantileOf } from './kahan.js';

interface Group {
  labels: Labels;
  value: number;
  mean: number;
  count: number;
  samples: Sample[];
}

/** Parameters of one aggregation. */
export interface AggregateArgs {
  op: AggregateOp;
  grouping: readonly string[];
  without: boolean;
  /** k for topk/bottomk, q for quantile. */
  param?: number;
  /** Label name for count_values. */
  label?: string;
}

function isInf(v: number): boolean {
  return v === Infinity || v === -Infinity;
}

const NO_LABELS: Labels = [];
const groupCache = new WeakMap<Labels, Map<string, Labels>>();

/**
 * The output labels of a sample's group. Memoized per input label set and grouping, so the
 * same object (and its cached key) comes back at every step of a range query.
 */
function groupLabels(ls: Labels, grouping: readonly string[], without: boolean, sig: string): Labels {
  if (!without && grouping.length === 0) return NO_LABELS;
  let bySig = groupCache.get(ls);
  if (!bySig) groupCache.set(ls, (bySig = new Map<string, Labels>()));
  let out = bySig.get(sig);
  if (!out) bySig.set(sig, (out = without ? dropLabels(ls, [...grouping, METRIC_NAME]) : keepLabels(ls, grouping)));
  return out;
}

/** Aggregates an instant vector. */
export function aggregate(samples: readonly Sample[], a: AggregateArgs): Sample[] {
  const { op } = a;
  let grouping = a.grouping;
  let k = 0;
  if (op === 'topk' || op === 'bottomk') {
    k = Math.trunc(a.param ?? 0);
    if (!(k >= 1)) return [];
  }
  if (op === 'count_values') {
    const label = a.label ?? '';
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw new PromQLExecError(`invalid label name ${JSON.stringify(label)}`);
    // engine.go: the value label joins `by` grouping, and is never removed by `without`.
    grouping = a.without ? grouping.filter((g) => g !== label) : [...grouping, label];
  }
  const sig = `${a.without ? '-' : '+'}${grouping.join(',')}`;
  const groups = new Map<string, Group>();
  const order: Group[] = [];
  for (const s0 of samples) {
    let s = s0;
    if (op === 'count_values') s = { labels: setLabel(s.labels, a.label ?? '', formatGoFloat(s.value)), value: s.value };
    const labels = groupLabels(s.labels, grouping, a.without, sig);
    const key = labelsKey(labels);
    const g = groups.get(key);
    if (!g) {
      const ng: Group = { labels, value: s.value, mean: s.value, count: 1, samples: [s] };
      if (op === 'stddev' || op === 'stdvar') ng.value = 0;
      if (op === 'group') ng.value = 1;
      groups.set(key, ng);
      order.push(ng);
      continue;
    }
    switch (op) {
      case 'sum':
        g.value += s.value;
        break;
      case 'avg':
        g.count++;
        if (isInf(g.mean)) {
          if (isInf(s.value) && g.mean > 0 === s.value > 0) break;
          if (!isInf(s.value) && !Number.isNaN(s.value)) break;
        }
        // Dividing each side by the count avoids float64 overflow (engine.go).
        g.mean += s.value / g.count - g.mean / g.count;
        break;
      case 'group':
        break;
      case 'max':
        if (g.value < s.value || Number.isNaN(g.value)) g.value = s.value;
        break;
      case 'min':
        if (g.value > s.value || Number.isNaN(g.value)) g.value = s.value;
        break;
      case 'count':
      case 'count_values':
        g.count++;
        break;
      case 'stddev':
      case 'stdvar': {
        g.count++;
        const delta = s.value - g.mean;
        g.mean += delta / g.count;
        g.value += delta * (s.value - g.mean);
        break;
      }
      case 'topk':
      case 'bottomk':
      case 'quantile':
        g.samples.push(s);
        break;
      default: {
        const never: never = op;
        throw new Error(`unknown aggregation ${String(never)}`);
      }
    }
  }
  const out: Sample[] = [];
  for (const g of order) {
    switch (op) {
      case 'avg':
        out.push({ labels: g.labels, value: g.mean });
        break;
      case 'count':
      case 'count_values':
        out.push({ labels: g.labels, value: g.count });
        break;
      case 'stdvar':
        out.push({ labels: g.labels, value: g.value / g.count });
        break;
      case 'stddev':
        out.push({ labels: g.labels, value: Math.sqrt(g.value / g.count) });
        break;
      case 'quantile':
        out.push({ labels: g.labels, value: quantileOf(a.param ?? Number.NaN, g.samples.map((s) => s.value)) });
        break;
      case 'topk':
      case 'bottomk': {
        const dir = op === 'topk' ? -1 : 1;
        // NaN sorts as the least wanted value in both directions (vectorByValueHeap).
        const sorted = [...g.samples].sort((x, y) => {
          if (Number.isNaN(x.value)) return Number.isNaN(y.value) ? 0 : 1;
          if (Number.isNaN(y.value)) return -1;
          return dir * (x.value - y.value);
        });
        for (const s of sorted.slice(0, k)) out.push({ labels: s.labels, value: s.value });
        break;
      }
      case 'sum':
      case 'min':
      case 'max':
      case 'group':
        out.push({ labels: g.labels, value: g.value });
        break;
      default: {
        const never: never = op;
        throw new Error(`unknown aggregation ${String(never)}`);
      }
    }
  }
  return out;
}
