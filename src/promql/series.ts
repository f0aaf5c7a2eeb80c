/**
 * One time series in memory: sorted timestamps (ms) and values in two growable Float64Arrays,
 * with a start offset so that retention trims from the front without copying each time.
 * Stale markers are Prometheus' special NaN (model/value.StaleNaN, 0x7ff0000000000002),
 * written and read through a Uint32Array view so that the NaN payload survives.
 */
import type { Labels } from './labels.js';

const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

/** Outcome of appending one sample. */
export type AppendOutcome = 'ok' | 'out_of_order' | 'duplicate' | 'ignored';

/** A stored series. */
export class MemSeries {
  ts: Float64Array;
  vs: Float64Array;
  private bits: Uint32Array;
  start = 0;
  end = 0;

  constructor(
    readonly id: number,
    readonly labels: Labels,
    readonly key: string,
    capacity = 16,
  ) {
    this.ts = new Float64Array(capacity);
    this.vs = new Float64Array(capacity);
    this.bits = new Uint32Array(this.vs.buffer);
  }

  get length(): number {
    return this.end - this.start;
  }

  /** Whether sample `i` (absolute index) is a stale marker. */
  isStale(i: number): boolean {
    return this.bits[2 * i + 1] === STALE_HI && this.bits[2 * i] === STALE_LO;
  }

  lastTime(): number | undefined {
    return this.end > this.start ? this.ts[this.end - 1] : undefined;
  }

  /**
   * Appends in time order as the TSDB head does: an older timestamp is out of order; the same
   * timestamp with another value is a duplicate; the same timestamp and value is ignored.
   */
  append(t: number, v: number, stale = false): AppendOutcome {
    if (this.end > this.start) {
      const lt = this.ts[this.end - 1] as number;
      if (t < lt) return 'out_of_order';
      if (t === lt) {
        const i = this.end - 1;
        const same = stale ? this.isStale(i) : !this.isStale(i) && (Object.is(this.vs[i], v) || this.vs[i] === v);
        return same ? 'ignored' : 'duplicate';
      }
    }
    if (this.end === this.ts.length) this.grow();
    const i = this.end++;
    this.ts[i] = t;
    if (stale) {
      this.bits[2 * i] = STALE_LO;
      this.bits[2 * i + 1] = STALE_HI;
    } else {
      this.vs[i] = v;
    }
    return 'ok';
  }

  private grow(): void {
    const n = this.length;
    // Compact when at least half the buffer is trimmed history; otherwise double.
    const cap = this.start >= this.ts.length / 2 ? this.ts.length : this.ts.length * 2;
    const ts = new Float64Array(cap);
    const vs = new Float64Array(cap);
    ts.set(this.ts.subarray(this.start, this.end));
    vs.set(this.vs.subarray(this.start, this.end));
    this.ts = ts;
    this.vs = vs;
    this.bits = new Uint32Array(vs.buffer);
    this.start = 0;
    this.end = n;
  }

  /** Drops samples with t < mint; returns how many were dropped. */
  truncateBefore(mint: number): number {
    const i = this.lowerBound(mint);
    const dropped = i - this.start;
    this.start = i;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return dropped;
  }

  /** First absolute index with ts >= t. */
  lowerBound(t: number): number {
    let lo = this.start;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ts[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First absolute index with ts > t. */
  upperBound(t: number): number {
    let lo = this.start;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ts[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bytes held by the sample buffers. */
  bufferBytes(): number {
    return this.ts.byteLength + this.vs.byteLength;
  }
}
