/**
 * The PromQL evaluator: evaluates an expression at one timestamp (an instant query), and a
 * range query as one instant evaluation per step, which is what promql/engine.go's step-wise
 * `rangeEval` computes. Lookback delta 5 m and the subquery default step are options.
 */
import { typeOf, type AtModifier, type Call, type Expr, type Matcher, type SubqueryExpr } from '../ast.js';
import type { MemSeries } from '../series.js';
import { PromQLExecError, PromQLTimeoutError } from '../errors.js';
import { dropMetricName, labelsKey } from '../labels.js';
import type { MemoryStorage } from '../storage.js';
import type { MatrixValue, Sample, Value } from '../values.js';
import { aggregate } from './aggregations.js';
import { scalarBinop, setBinop, vectorBinop, vectorScalarBinop } from './binary.js';
import { absentLabels, clamp, DATE_FUNCTIONS, dateFunction, isMathFunction, labelJoin, labelReplace, mathFunction, round } from './functions.js';
import { histogramQuantile } from './histogram.js';
import { evalRangeFunction, keepsMetricName } from './range-functions.js';
import { cachingReader, selectInstant, selectRange } from './selectors.js';
import { isSetOp } from '../ast.js';

/** Evaluation settings (Prometheus flags --query.lookback-delta, global.evaluation_interval). */
export interface EvalOptions {
  /** Default 5 m. */
  lookbackMs?: number;
  /** Step of subqueries written without one; Prometheus uses the evaluation interval (default 1 m). */
  defaultSubqueryStepMs?: number;
  /** Called often; returning true aborts the query with a timeout error. */
  isExpired?: () => boolean;
}

const RANGE_FUNCTIONS = new Set([
  'rate', 'increase', 'delta', 'irate', 'idelta', 'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time',
  'count_over_time', 'last_over_time', 'present_over_time', 'quantile_over_time', 'stddev_over_time', 'stdvar_over_time',
  'changes', 'resets', 'deriv', 'predict_linear', 'holt_winters',
]);

/** Evaluates expressions against one storage for one query (start/end feed `@ start()`/`@ end()`). */
export class Evaluator {
  private readonly lookbackMs: number;
  private readonly defaultStepMs: number;
  private readonly isExpired: () => boolean;

  constructor(
    private readonly storage: MemoryStorage,
    private readonly start: number,
    private readonly end: number,
    opts: EvalOptions = {},
  ) {
    this.lookbackMs = opts.lookbackMs ?? 300_000;
    this.defaultStepMs = opts.defaultSubqueryStepMs ?? 60_000;
    this.isExpired = opts.isExpired ?? (() => false);
  }

  /**
   * The series a selector matches, looked up once per query: the store does not change while
   * a query runs, and a range query evaluates every selector once per step.
   */
  private seriesFor(matchers: readonly Matcher[]): MemSeries[] {
    let found = this.selected.get(matchers);
    if (!found) this.selected.set(matchers, (found = this.storage.select(matchers)));
    return found;
  }

  private readonly selected = new Map<readonly Matcher[], MemSeries[]>();
  /** Decoded samples per series, kept for the query. */
  private readonly read = cachingReader();

  private refTime(t: number, at: AtModifier | undefined, offsetMs: number): number {
    const base = at === undefined ? t : at.kind === 'time' ? at.ms : at.kind === 'start' ? this.start : this.end;
    return base - offsetMs;
  }

  private checkTime(): void {
    if (this.isExpired()) throw new PromQLTimeoutError('query timed out in expression evaluation');
  }

  /** Evaluates `e` at time `t` (ms). */
  eval(e: Expr, t: number): Value {
    switch (e.type) {
      case 'number':
        return { kind: 'scalar', value: e.value };
      case 'string':
        return { kind: 'string', value: e.value };
      case 'paren':
        return this.eval(e.expr, t);
      case 'vectorSelector':
        this.checkTime();
        return { kind: 'vector', samples: selectInstant(this.seriesFor(e.matchers), this.refTime(t, e.at, e.offsetMs), this.lookbackMs, this.read) };
      case 'matrixSelector': {
        this.checkTime();
        const ref = this.refTime(t, e.selector.at, e.selector.offsetMs);
        return { kind: 'matrix', series: selectRange(this.seriesFor(e.selector.matchers), ref, e.rangeMs, this.read), rangeStart: ref - e.rangeMs, rangeEnd: ref, rangeMs: e.rangeMs };
      }
      case 'subquery':
        return this.subquery(e, t);
      case 'unary': {
        const v = this.eval(e.expr, t);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', value: -v.value };
        if (v.kind !== 'vector') throw new Error('unary minus on a non-vector');
        return { kind: 'vector', samples: checkDuplicates(v.samples.map((s) => ({ labels: dropMetricName(s.labels), value: -s.value }))) };
      }
      case 'call':
        return this.call(e, t);
      case 'aggregate': {
        const v = this.vector(e.expr, t);
        let param: number | undefined;
        let label: string | undefined;
        if (e.param) {
          const p = this.eval(e.param, t);
          if (p.kind === 'string') label = p.value;
          else param = this.scalar(p);
        }
        return { kind: 'vector', samples: aggregate(v, { op: e.op, grouping: e.grouping, without: e.without, param, label }) };
      }
      case 'binary':
        return this.binary(e, t);
      default: {
        const never: never = e;
        return never;
      }
    }
  }

  private scalar(v: Value): number {
    if (v.kind === 'scalar') return v.value;
    throw new Error(`expected a scalar, got ${v.kind}`);
  }

  private vector(e: Expr, t: number): readonly Sample[] {
    const v = this.eval(e, t);
    if (v.kind !== 'vector') throw new Error(`expected an instant vector, got ${v.kind}`);
    return v.samples;
  }

  private matrix(e: Expr, t: number): MatrixValue {
    const v = this.eval(e, t);
    if (v.kind !== 'matrix') throw new Error(`expected a range vector, got ${v.kind}`);
    return v;
  }

  private binary(e: Extract<Expr, { type: 'binary' }>, t: number): Value {
    const lhs = this.eval(e.lhs, t);
    const rhs = this.eval(e.rhs, t);
    if (isSetOp(e.op)) {
      if (lhs.kind !== 'vector' || rhs.kind !== 'vector') throw new Error('set operator on non-vectors');
      const m = e.matching ?? { card: 'many-to-many', on: false, labels: [], include: [] };
      return { kind: 'vector', samples: setBinop(e.op, lhs.samples, rhs.samples, m) };
    }
    const op = e.op;
    if (lhs.kind === 'scalar' && rhs.kind === 'scalar') return { kind: 'scalar', value: scalarBinop(op, lhs.value, rhs.value) };
    if (lhs.kind === 'vector' && rhs.kind === 'scalar') return { kind: 'vector', samples: checkDuplicates(vectorScalarBinop(op, lhs.samples, rhs.value, false, e.returnBool)) };
    if (lhs.kind === 'scalar' && rhs.kind === 'vector') return { kind: 'vector', samples: checkDuplicates(vectorScalarBinop(op, rhs.samples, lhs.value, true, e.returnBool)) };
    if (lhs.kind === 'vector' && rhs.kind === 'vector') {
      const m = e.matching ?? { card: 'one-to-one', on: false, labels: [], include: [] };
      return { kind: 'vector', samples: checkDuplicates(vectorBinop(op, lhs.samples, rhs.samples, m, e.returnBool)) };
    }
    throw new Error(`binary ${op} between ${lhs.kind} and ${rhs.kind}`);
  }

  private subquery(e: SubqueryExpr, t: number): MatrixValue {
    const ref = this.refTime(t, e.at, e.offsetMs);
    const step = e.stepMs > 0 ? e.stepMs : this.defaultStepMs;
    const from = ref - e.rangeMs;
    // engine.go: the first step-aligned timestamp at or after ref - range (Go integer division).
    let s = step * Math.trunc(from / step);
    if (s < from) s += step;
    const series = new Map<string, { labels: Sample['labels']; ts: number[]; vs: number[] }>();
    for (let ts = s; ts <= ref; ts += step) {
      this.checkTime();
      const v = this.eval(e.expr, ts);
      const samples = v.kind === 'vector' ? v.samples : v.kind === 'scalar' ? [{ labels: [], value: v.value }] : [];
      for (const smp of samples) {
        const key = labelsKey(smp.labels);
        let ser = series.get(key);
        if (!ser) series.set(key, (ser = { labels: smp.labels, ts: [], vs: [] }));
        ser.ts.push(ts);
        ser.vs.push(smp.value);
      }
    }
    return { kind: 'matrix', series: [...series.values()].map((x) => ({ ...x, lo: 0, hi: x.ts.length })), rangeStart: from, rangeEnd: ref, rangeMs: e.rangeMs };
  }

  private call(e: Call, t: number): Value {
    const f = e.func;
    if (RANGE_FUNCTIONS.has(f)) {
      const mIndex = f === 'quantile_over_time' ? 1 : 0;
      const m = this.matrix(e.args[mIndex] as Expr, t);
      let scalarArg = Number.NaN;
      if (f === 'quantile_over_time') scalarArg = this.scalar(this.eval(e.args[0] as Expr, t));
      if (f === 'predict_linear' || f === 'holt_winters') scalarArg = this.scalar(this.eval(e.args[1] as Expr, t));
      const scalarArg2 = f === 'holt_winters' ? this.scalar(this.eval(e.args[2] as Expr, t)) : Number.NaN;
      const w = { rangeStart: m.rangeStart, rangeEnd: m.rangeEnd, rangeMs: m.rangeMs, evalTime: t };
      const out: Sample[] = [];
      for (const s of m.series) {
        const v = evalRangeFunction(f, s, w, scalarArg, scalarArg2);
        if (v === undefined) continue;
        out.push({ labels: keepsMetricName(f) ? s.labels : dropMetricName(s.labels), value: v });
      }
      return { kind: 'vector', samples: checkDuplicates(out) };
    }
    const arg = (i: number): Value => this.eval(e.args[i] as Expr, t);
    const vec = (i: number): readonly Sample[] => this.vector(e.args[i] as Expr, t);
    const num = (i: number): number => this.scalar(arg(i));
    const str = (i: number): string => {
      const v = arg(i);
      if (v.kind !== 'string') throw new Error('expected a string');
      return v.value;
    };
    const out = (samples: Sample[]): Value => ({ kind: 'vector', samples: checkDuplicates(samples) });
    if (isMathFunction(f)) return out(mathFunction(f, vec(0)));
    if (DATE_FUNCTIONS.has(f)) return out(dateFunction(f, e.args.length > 0 ? vec(0) : [{ labels: [], value: t / 1000 }]));
    switch (f) {
      case 'time':
        return { kind: 'scalar', value: t / 1000 };
      case 'pi':
        return { kind: 'scalar', value: Math.PI };
      case 'vector':
        return { kind: 'vector', samples: [{ labels: [], value: num(0) }] };
      case 'scalar': {
        const v = vec(0);
        return { kind: 'scalar', value: v.length === 1 ? (v[0] as Sample).value : Number.NaN };
      }
      case 'round':
        return out(round(vec(0), e.args.length > 1 ? num(1) : 1));
      case 'clamp':
        return out(clamp(vec(0), num(1), num(2)));
      case 'clamp_min':
        return out(clamp(vec(0), num(1), Infinity));
      case 'clamp_max':
        return out(clamp(vec(0), -Infinity, num(1)));
      case 'timestamp': {
        let a = e.args[0] as Expr;
        while (a.type === 'paren') a = a.expr;
        const direct = a.type === 'vectorSelector';
        return out(vec(0).map((s) => ({ labels: dropMetricName(s.labels), value: (direct && s.t !== undefined ? s.t : t) / 1000 })));
      }
      case 'absent':
        return { kind: 'vector', samples: vec(0).length > 0 ? [] : [{ labels: absentLabels(e.args[0] as Expr), value: 1 }] };
      case 'absent_over_time':
        return { kind: 'vector', samples: this.matrix(e.args[0] as Expr, t).series.length > 0 ? [] : [{ labels: absentLabels(e.args[0] as Expr), value: 1 }] };
      case 'histogram_quantile':
        return out(histogramQuantile(num(0), vec(1)));
      case 'label_replace':
        return out(labelReplace(vec(0), str(1), str(2), str(3), str(4)));
      case 'label_join':
        return out(labelJoin(vec(0), str(1), str(2), e.args.slice(3).map((_a, i) => str(i + 3))));
      case 'sort':
      case 'sort_desc': {
        const dir = f === 'sort' ? 1 : -1;
        // Go's sort puts NaN last for sort() and for sort_desc().
        return {
          kind: 'vector',
          samples: [...vec(0)].sort((a, b) => (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : dir * (a.value - b.value))),
        };
      }
      default:
        throw new PromQLExecError(`function ${JSON.stringify(f)} is not supported by the embedded engine`);
    }
  }
}

/** engine.go: "vector cannot contain metrics with the same labelset". */
function checkDuplicates(samples: Sample[]): Sample[] {
  if (samples.length < 2) return samples;
  const seen = new Set<string>();
  for (const s of samples) {
    const k = labelsKey(s.labels);
    if (seen.has(k)) throw new PromQLExecError('vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
  return samples;
}

/** Result of a range query: one series per label set, points in time order. */
export interface RangeResult {
  series: { labels: Sample['labels']; ts: number[]; vs: number[] }[];
}

/** Checks the expression type of a range query (api.go: only scalars and instant vectors). */
export function checkRangeQueryType(e: Expr): string | undefined {
  const t = typeOf(e);
  if (t === 'scalar' || t === 'vector') return undefined;
  return `invalid expression type ${JSON.stringify(t === 'matrix' ? 'range vector' : 'string')} for range query, must be Scalar or instant Vector`;
}

/** Evaluates a range query: one instant evaluation per step from start to end inclusive. */
export function evalRange(storage: MemoryStorage, e: Expr, start: number, end: number, stepMs: number, opts: EvalOptions = {}): RangeResult {
  const ev = new Evaluator(storage, start, end, opts);
  const series = new Map<string, RangeResult['series'][number]>();
  for (let t = start; t <= end; t += stepMs) {
    const v = ev.eval(e, t);
    const samples = v.kind === 'vector' ? v.samples : v.kind === 'scalar' ? [{ labels: [], value: v.value }] : [];
    for (const s of samples) {
      const key = labelsKey(s.labels);
      let ser = series.get(key);
      if (!ser) series.set(key, (ser = { labels: s.labels, ts: [], vs: [] }));
      ser.ts.push(t);
      ser.vs.push(s.value);
    }
  }
  return { series: [...series.values()].sort((a, b) => (labelsKey(a.labels) < labelsKey(b.labels) ? -1 : 1)) };
}

/** Evaluates an instant query at `t`. */
export function evalInstant(storage: MemoryStorage, e: Expr, t: number, opts: EvalOptions = {}): Value {
  return new Evaluator(storage, t, t, opts).eval(e, t);
}
