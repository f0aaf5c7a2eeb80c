/**
 * Values of PromQL evaluation (promql/value.go): scalars, strings, instant vectors and range
 * vectors. Range vectors keep the window they were selected over, which `rate` needs for its
 * extrapolation.
 */
import type { Labels } from './labels.js';

/** One element of an instant vector. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
  /** The stored sample's own timestamp, set by instant selectors (for `timestamp()`). */
  readonly t?: number;
}

/**
 * One series of a range vector: its samples are ts/vs from index lo (inclusive) to hi
 * (exclusive). The arrays may be the store's own buffers, so they are read only and valid for
 * the current query.
 */
export interface RangeSeries {
  readonly labels: Labels;
  readonly ts: ArrayLike<number>;
  readonly vs: ArrayLike<number>;
  readonly lo: number;
  readonly hi: number;
}

export interface ScalarValue {
  readonly kind: 'scalar';
  readonly value: number;
}
export interface StringValue {
  readonly kind: 'string';
  readonly value: string;
}
export interface VectorValue {
  readonly kind: 'vector';
  readonly samples: readonly Sample[];
}
export interface MatrixValue {
  readonly kind: 'matrix';
  readonly series: readonly RangeSeries[];
  /** Window of the selection in ms: samples lie in [rangeStart, rangeEnd]. */
  readonly rangeStart: number;
  readonly rangeEnd: number;
  readonly rangeMs: number;
}

/** Any evaluated value. */
export type Value = ScalarValue | StringValue | VectorValue | MatrixValue;

/** A query result over time (a range query): series with their points. */
export interface SeriesPoints {
  labels: Labels;
  ts: number[];
  vs: number[];
}
