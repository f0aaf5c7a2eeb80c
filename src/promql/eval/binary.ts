/**
 * Binary operators (promql/engine.go 2.42): scalar/scalar, vector/scalar and vector/vector
 * with one-to-one, many-to-one and one-to-many matching, and the set operators. Arithmetic
 * drops the metric name; a comparison without `bool` filters and keeps the vector's value.
 */
import { isComparison, type ArithOp, type BinaryOp, type CompareOp, type SetOp, type VectorMatching } from '../ast.js';
import { PromQLExecError } from '../errors.js';
import { dropLabels, dropMetricName, formatLabels, getLabel, keepLabels, labelsKey, METRIC_NAME, setLabel, type Labels } from '../labels.js';
import type { Sample } from '../values.js';
import { goPow } from './kahan.js';

/** `vectorElemBinop`: the value and whether a comparison keeps the element. */
export function elemBinop(op: ArithOp | CompareOp, lhs: number, rhs: number): [number, boolean] {
  switch (op) {
    case '+':
      return [lhs + rhs, true];
    case '-':
      return [lhs - rhs, true];
    case '*':
      return [lhs * rhs, true];
    case '/':
      return [lhs / rhs, true];
    case '^':
      return [goPow(lhs, rhs), true];
    case '%':
      return [lhs % rhs, true];
    case 'atan2':
      return [Math.atan2(lhs, rhs), true];
    case '==':
      return [lhs, lhs === rhs];
    case '!=':
      return [lhs, lhs !== rhs];
    case '>':
      return [lhs, lhs > rhs];
    case '<':
      return [lhs, lhs < rhs];
    case '>=':
      return [lhs, lhs >= rhs];
    case '<=':
      return [lhs, lhs <= rhs];
    default: {
      const never: never = op;
      throw new Error(`unknown operator ${String(never)}`);
    }
  }
}

/** `scalarBinop`: comparisons yield 1 or 0 (the parser demands `bool` there). */
export function scalarBinop(op: ArithOp | CompareOp, lhs: number, rhs: number): number {
  const [v, keep] = elemBinop(op, lhs, rhs);
  return isComparison(op) ? (keep ? 1 : 0) : v;
}

/**
 * Operators whose result drops `__name__` (engine.go `shouldDropMetricName`, 2.42): the
 * arithmetic ones except `atan2`, which keeps the left-hand name (`trigy atan2 trigx` is
 * `trigy{}` in operators.test).
 */
function dropsName(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^';
}

/** `VectorscalarBinop`; `swap` when the scalar was the left operand. */
export function vectorScalarBinop(op: ArithOp | CompareOp, vec: readonly Sample[], scalar: number, swap: boolean, returnBool: boolean): Sample[] {
  const out: Sample[] = [];
  for (const s of vec) {
    const lv = swap ? scalar : s.value;
    const rv = swap ? s.value : scalar;
    let [value, keep] = elemBinop(op, lv, rv);
    // A comparison keeps the vector element's value even when the vector is on the right.
    if (isComparison(op) && swap) value = rv;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    out.push({ labels: dropsName(op) || returnBool ? dropMetricName(s.labels) : s.labels, value });
  }
  return out;
}

/** `signatureFunc`: on(...) hashes only the listed labels; ignoring(...) all but them and the name. */
function signature(ls: Labels, on: boolean, names: readonly string[]): string {
  return labelsKey(on ? keepLabels(ls, names) : dropLabels(ls, [...names, METRIC_NAME]));
}

function resultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, m: VectorMatching): Labels {
  let out = lhs;
  if (dropsName(op)) out = dropMetricName(out);
  if (m.card === 'one-to-one') out = m.on ? keepLabels(out, m.labels) : dropLabels(out, m.labels);
  for (const ln of m.include) out = setLabel(out, ln, getLabel(rhs, ln));
  return out;
}

/** `VectorBinop` for arithmetic and comparison operators between two instant vectors. */
export function vectorBinop(op: ArithOp | CompareOp, lhs0: readonly Sample[], rhs0: readonly Sample[], m: VectorMatching, returnBool: boolean): Sample[] {
  if (lhs0.length === 0 || rhs0.length === 0) return [];
  const swap = m.card === 'one-to-many';
  const lhs = swap ? rhs0 : lhs0;
  const rhs = swap ? lhs0 : rhs0;
  const rightSigs = new Map<string, Sample>();
  for (const rs of rhs) {
    const sig = signature(rs.labels, m.on, m.labels);
    const dup = rightSigs.get(sig);
    if (dup) {
      const matched = m.on ? keepLabels(rs.labels, m.labels) : dropLabels(rs.labels, m.labels);
      throw new PromQLExecError(
        `found duplicate series for the match group ${formatLabels(matched)} on the ${swap ? 'left' : 'right'} hand-side of the operation: [${formatLabels(rs.labels)}, ${formatLabels(dup.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    rightSigs.set(sig, rs);
  }
  const matchedSigs = new Map<string, Set<string> | null>();
  const out: Sample[] = [];
  for (const ls of lhs) {
    const sig = signature(ls.labels, m.on, m.labels);
    const rs = rightSigs.get(sig);
    if (!rs) continue;
    const vl = swap ? rs.value : ls.value;
    const vr = swap ? ls.value : rs.value;
    const [v0, keep] = elemBinop(op, vl, vr);
    let value = v0;
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) continue;
    let metric = resultMetric(ls.labels, rs.labels, op, m);
    if (returnBool) metric = dropMetricName(metric);
    const inserted = matchedSigs.get(sig);
    if (m.card === 'one-to-one') {
      if (inserted !== undefined) throw new PromQLExecError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      matchedSigs.set(sig, null);
    } else {
      const insertSig = labelsKey(metric);
      if (!inserted) matchedSigs.set(sig, new Set([insertSig]));
      else if (inserted.has(insertSig)) throw new PromQLExecError('multiple matches for labels: grouping labels must ensure unique matches');
      else inserted.add(insertSig);
    }
    out.push({ labels: metric, value });
  }
  return out;
}

/** `VectorAnd`, `VectorOr`, `VectorUnless`. */
export function setBinop(op: SetOp, lhs: readonly Sample[], rhs: readonly Sample[], m: VectorMatching): Sample[] {
  const sig = (s: Sample): string => signature(s.labels, m.on, m.labels);
  switch (op) {
    case 'and': {
      if (lhs.length === 0 || rhs.length === 0) return [];
      const right = new Set(rhs.map(sig));
      return lhs.filter((s) => right.has(sig(s)));
    }
    case 'or': {
      if (lhs.length === 0) return [...rhs];
      if (rhs.length === 0) return [...lhs];
      const left = new Set(lhs.map(sig));
      return [...lhs, ...rhs.filter((s) => !left.has(sig(s)))];
    }
    case 'unless': {
      if (lhs.length === 0 || rhs.length === 0) return [...lhs];
      const right = new Set(rhs.map(sig));
      return lhs.filter((s) => !right.has(sig(s)));
    }
    default: {
      const never: never = op;
      throw new Error(`unknown set operator ${String(never)}`);
    }
  }
}
