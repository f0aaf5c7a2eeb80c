/**
 * Runs PromQL test script commands as promql/test.go of Prometheus 2.42 runs them:
 *
 * - `load` appends every series' samples (a refused append fails the script);
 * - each `eval` runs the instant query at its time, then, unless the expression calls a
 *   function of `AtModifierUnsafeFunctions`, the same expression with `@ <time>` on every
 *   selector and subquery that has none (not inside subqueries), printed back to text and
 *   evaluated at -10t, 0, t/5, t and 10t (or -1s, 0, 1s when t is 0) (`atModifierTestCases`);
 * - every one of those also as a range query from t - 1m to t + 1m with a 1m step, whose
 *   points at t must equal the expectation too (not for eval_ordered);
 * - results compare as `compareResult`: the same label sets, position for eval_ordered, and
 *   values by `almostEqual` (relative 1e-6, both NaN equal).
 */
import type { Expr } from '../../../src/promql/ast.js';
import { PromQLExecError } from '../../../src/promql/errors.js';
import { checkRangeQueryType, evalInstant, evalRange } from '../../../src/promql/eval/engine.js';
import { labelsKey, labelsToRecord, type Labels } from '../../../src/promql/labels.js';
import { parsePromQL } from '../../../src/promql/parse.js';
import { formatExpr } from '../../../src/promql/print.js';
import { MemoryStorage } from '../../../src/promql/storage.js';
import type { Value } from '../../../src/promql/values.js';
import type { EvalCommand, LoadCommand } from './promql-test-script.js';

const MIN_NORMAL = 2.2250738585072014e-308;
const EPSILON = 0.000001;

/** test.go's almostEqual. */
export function almostEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || diff < MIN_NORMAL) return diff < EPSILON * MIN_NORMAL;
  return diff / (Math.abs(a) + Math.abs(b)) < EPSILON;
}

/** functions.go's AtModifierUnsafeFunctions (2.42). */
const AT_MODIFIER_UNSAFE = new Set(['days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'hour', 'minute', 'month', 'year', 'predict_linear', 'time', 'timestamp']);

/** A fresh storage as test.go's `clear` makes. */
export function newTestStorage(): MemoryStorage {
  return new MemoryStorage({ retentionMs: Number.MAX_SAFE_INTEGER, maxSeries: Number.MAX_SAFE_INTEGER, maxSamples: Number.MAX_SAFE_INTEGER });
}

/** Appends a load command; returns the refused appends (test.go fails the script on any). */
export function runLoad(storage: MemoryStorage, cmd: LoadCommand): string[] {
  const errors: string[] = [];
  for (const s of cmd.series) {
    s.values.forEach((v, k) => {
      if (v.kind === 'omitted') return;
      const out = storage.append(s.labels, k * cmd.stepMs, v.kind === 'stale' ? Number.NaN : v.value, v.kind === 'stale');
      if (out !== 'ok') errors.push(`append ${fmt(s.labels)} at ${k * cmd.stepMs}: ${out}`);
    });
  }
  return errors;
}

type AtSetter = <T extends Expr>(e: T) => T;

/** The expression with `@ ts` set as atModifierTestCases sets it, or undefined when skipped. */
export function withAtModifier(e: Expr, ts: number): Expr | undefined {
  let unsafe = false;
  const at = { kind: 'time' as const, ms: ts };
  const visit: AtSetter = (x) => {
    switch (x.type) {
      case 'number':
      case 'string':
        return x;
      case 'vectorSelector':
        return x.at?.kind === 'time' ? x : { ...x, at };
      case 'matrixSelector':
        return x.selector.at?.kind === 'time' ? x : { ...x, selector: { ...x.selector, at } };
      case 'subquery':
        // Selectors inside a subquery (which now has a timestamp) are left alone, and so are
        // the calls in it: test.go's walk returns before looking at them.
        return x.at?.kind === 'time' ? x : { ...x, at };
      case 'paren':
      case 'unary':
        return { ...x, expr: visit(x.expr) };
      case 'call':
        if (AT_MODIFIER_UNSAFE.has(x.func)) unsafe = true;
        return { ...x, args: x.args.map(visit) };
      case 'aggregate':
        return { ...x, expr: visit(x.expr), param: x.param ? visit(x.param) : undefined };
      case 'binary':
        return { ...x, lhs: visit(x.lhs), rhs: visit(x.rhs) };
      default: {
        const never: never = x;
        return never;
      }
    }
  };
  const out = visit(e);
  return unsafe ? undefined : out;
}

/** The (expression, time) pairs test.go evaluates for one eval command. */
export function evalQueries(expr: string, t: number): Array<{ expr: string; t: number }> {
  const queries = [{ expr, t }];
  const at = withAtModifier(parsePromQL(expr), t);
  if (!at) return queries;
  const text = formatExpr(at);
  // Go's integer division truncates toward zero.
  const times = t === 0 ? [-1000, 0, 1000] : [-10 * t, 0, Math.trunc(t / 5), t, 10 * t];
  for (const et of times) queries.push({ expr: text, t: et });
  return queries;
}

function fmt(ls: Labels): string {
  return JSON.stringify(labelsToRecord(ls));
}

type Got = { kind: 'scalar'; value: number } | { kind: 'vector'; samples: Array<{ labels: Labels; value: number }> };

/** test.go's compareResult; returns the first difference or undefined. */
function compareResult(cmd: EvalCommand, got: Got, ordered: boolean): string | undefined {
  if (got.kind === 'scalar') {
    if (cmd.scalar === undefined) return `got scalar ${got.value}, expected a vector`;
    if (!almostEqual(cmd.scalar, got.value)) return `expected Scalar ${cmd.scalar} but got ${got.value}`;
    return undefined;
  }
  const seen = new Set<string>();
  for (const [pos, s] of got.samples.entries()) {
    const k = labelsKey(s.labels);
    const exp = cmd.samples.get(k);
    if (!exp) return `unexpected metric ${fmt(s.labels)} in result`;
    if (ordered && exp.pos !== pos + 1) return `expected metric ${fmt(s.labels)} at position ${exp.pos} but was at ${pos + 1}`;
    if (!almostEqual(exp.value, s.value)) return `expected ${exp.value} for ${fmt(s.labels)} but got ${s.value}`;
    seen.add(k);
  }
  if (cmd.scalar !== undefined) return `expected scalar ${cmd.scalar}, got a vector of ${got.samples.length}`;
  for (const [k, exp] of cmd.samples) if (!seen.has(k)) return `expected metric ${fmt(exp.labels)} with ${exp.value} not found (got ${got.samples.map((s) => `${fmt(s.labels)} ${s.value}`).join(', ')})`;
  return undefined;
}

function asGot(v: Value): Got | string {
  if (v.kind === 'scalar') return { kind: 'scalar', value: v.value };
  if (v.kind === 'vector') return { kind: 'vector', samples: [...v.samples] };
  return v.kind === 'matrix' ? 'received range result on instant evaluation' : `unexpected result type ${v.kind}`;
}

/**
 * Runs one eval command against the storage; returns the failures (empty when it passes).
 * Only evaluation errors (PromQLExecError) count as the failure eval_fail expects; a parse
 * error fails the command as it fails test.go's query creation.
 */
export function runEval(storage: MemoryStorage, cmd: EvalCommand): string[] {
  let queries: Array<{ expr: string; t: number }>;
  try {
    queries = evalQueries(cmd.expr, cmd.atMs);
  } catch (e) {
    return [`parse error: ${(e as Error).message}`];
  }
  const failures: string[] = [];
  for (const q of queries) {
    const where = `${q.expr} at ${q.t}`;
    let expr: Expr;
    let res: Value;
    try {
      expr = parsePromQL(q.expr);
    } catch (e) {
      failures.push(`${where}: parse error: ${(e as Error).message}`);
      continue;
    }
    try {
      res = evalInstant(storage, expr, q.t);
    } catch (e) {
      if (cmd.fail && e instanceof PromQLExecError) continue;
      failures.push(`${where}: error evaluating query: ${(e as Error).message}`);
      continue;
    }
    if (cmd.fail) {
      failures.push(`${where}: expected an error, got none`);
      continue;
    }
    const got = asGot(res);
    if (typeof got === 'string') {
      failures.push(`${where}: ${got}`);
      continue;
    }
    const diff = compareResult(cmd, got, cmd.ordered);
    if (diff) {
      failures.push(`${where}: ${diff}`);
      continue;
    }
    // Range mode: from t - 1m to t + 1m, step 1m, compared at t.
    const typeErr = checkRangeQueryType(expr);
    if (typeErr) {
      failures.push(`${where} range mode: ${typeErr}`);
      continue;
    }
    let range;
    try {
      range = evalRange(storage, expr, q.t - 60_000, q.t + 60_000, 60_000);
    } catch (e) {
      failures.push(`${where}: error evaluating query in range mode: ${(e as Error).message}`);
      continue;
    }
    if (cmd.ordered) continue;
    const vec: Array<{ labels: Labels; value: number }> = [];
    for (const s of range.series) {
      const i = s.ts.indexOf(q.t);
      if (i >= 0) vec.push({ labels: s.labels, value: s.vs[i] as number });
    }
    let rangeGot: Got = { kind: 'vector', samples: vec };
    if (got.kind === 'scalar') {
      const first = vec[0];
      if (!first) {
        failures.push(`${where} range mode: no point at ${q.t}`);
        continue;
      }
      rangeGot = { kind: 'scalar', value: first.value };
    }
    const rdiff = compareResult(cmd, rangeGot, false);
    if (rdiff) failures.push(`${where} range mode: ${rdiff}`);
  }
  return failures;
}
