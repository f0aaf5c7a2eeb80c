/**
 * An analysis metric as a chart: each measurement's number, its phase, and the thresholds the
 * template's conditions draw (`result[0] <= 0.05` is a success line at 0.05). Conditions are
 * expr-lang (src/core/expr); only a comparison of `result` / `result[0]` with a number can be
 * drawn as a line, and any other condition is shown as text beside the chart. Pure and
 * unit-tested (test/dashboard/metrics.test.ts).
 */
import type { MeasurementView, MetricView } from '../../../src/api/types.js';

export type Comparison = '<' | '<=' | '>' | '>=' | '==';

export interface Threshold {
  /** Which condition it comes from. */
  of: 'success' | 'failure';
  op: Comparison;
  value: number;
  /** The whole condition as written. */
  condition: string;
}

export interface MeasurementPoint {
  /** Position in the run (0 = the first measurement). */
  index: number;
  /** Engine clock, epoch ms, when the measurement was taken (for the text alternative). */
  at?: number;
  /** The number measured (the first of a vector result), or undefined (an Error, NaN, no data). */
  value?: number;
  /** Successful | Failed | Inconclusive | Error | Running. */
  phase: string;
  /** What the measurement said (an error's message). */
  message?: string;
}

const FLIP: Record<Comparison, Comparison> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==' };
const NUMBER = String.raw`-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
const RESULT = String.raw`result(?:\s*\[\s*0\s*\])?`;
const OP = String.raw`<=|>=|==|<|>`;

/**
 * The first comparison of `result` (or `result[0]`) with a number in `condition`, either way
 * round (`0.8 <= result[0]` is `result[0] >= 0.8`), or undefined when it has none.
 */
export function thresholdOf(condition: string | undefined, of: Threshold['of']): Threshold | undefined {
  if (!condition) return undefined;
  const left = new RegExp(String.raw`(?:^|[^\w.\]])${RESULT}\s*(${OP})\s*(${NUMBER})(?![\w.])`).exec(condition);
  if (left) return { of, op: left[1] as Comparison, value: Number(left[2]), condition };
  const right = new RegExp(String.raw`(?:^|[^\w.])(${NUMBER})\s*(${OP})\s*${RESULT}(?![\w[])`).exec(condition);
  if (right) return { of, op: FLIP[right[2] as Comparison], value: Number(right[1]), condition };
  return undefined;
}

/** The thresholds a metric's conditions draw (zero, one or two). */
export function thresholdsOf(m: Pick<MetricView, 'successCondition' | 'failureCondition'>): Threshold[] {
  return [thresholdOf(m.successCondition, 'success'), thresholdOf(m.failureCondition, 'failure')].filter((t): t is Threshold => t !== undefined);
}

/**
 * The number in a measurement's value as the providers write it: `0.012`, `[0.012]` (a
 * Prometheus vector, first element), `[]` or `NaN` (none).
 */
export function measuredNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let parsed: unknown = text;
  if (text.startsWith('[')) {
    try {
      parsed = (JSON.parse(text) as unknown[])[0];
    } catch {
      parsed = /^\[\s*([^,\]]+)/.exec(text)?.[1];
    }
  }
  const n = typeof parsed === 'number' ? parsed : typeof parsed === 'string' && parsed.trim() !== '' ? Number(parsed) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function measurementPoints(measurements: readonly MeasurementView[]): MeasurementPoint[] {
  return measurements.map((m, index) => {
    const value = measuredNumber(m.value);
    return { index, phase: m.phase, ...(m.startedAt !== undefined ? { at: m.startedAt } : {}), ...(value !== undefined ? { value } : {}), ...(m.message ? { message: m.message } : {}) };
  });
}

/**
 * The y range of a chart: from 0 (or the lowest value, when negative) to a little above the
 * highest of the values and the thresholds, so a threshold is never drawn off the chart.
 */
export function valueRange(points: readonly MeasurementPoint[], thresholds: readonly Threshold[]): { min: number; max: number } {
  const values = [...points.flatMap((p) => (p.value === undefined ? [] : [p.value])), ...thresholds.map((t) => t.value)];
  const min = Math.min(0, ...values);
  const hi = Math.max(min, ...values);
  // Nothing above the floor (no data, or all zero): a unit range, so the chart still has a scale.
  return { min, max: hi > min ? (hi > 0 ? hi * 1.15 : hi) : min + 1 };
}

/** A number as a chart label: at most 3 significant digits, no trailing zeros (`0.05`, `1.25k`). */
export function formatValue(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e3) return `${trim(n / 1e3)}k`;
  return trim(n);
}

function trim(n: number): string {
  return String(Number(n.toPrecision(3)));
}
