/**
 * One time series in memory, stored as Prometheus' head does (tsdb/head_append.go): samples in
 * chunks of up to 120, each Gorilla/XOR-encoded (./chunkenc.ts). The open chunk is encoded as
 * samples arrive; a full chunk is sealed into a byte array of its exact length. Retention is a
 * cut-off time: samples before it are gone for every reader at once, and a chunk's bytes are
 * freed when all of its samples are past it (the TSDB drops whole blocks the same way).
 * Stale markers are Prometheus' special NaN (model/value.StaleNaN, 0x7ff0000000000002), stored
 * and read back as their exact bit pattern.
 */
import { labelsKey, type Labels } from './labels.js';
import { ChunkSlab, countInRange, decodeChunk, floatBits, XorAppender } from './chunkenc.js';

const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

/** Samples per chunk, as Prometheus' head (samplesPerChunk = 120). */
export const SAMPLES_PER_CHUNK = 120;

/** Outcome of appending one sample. */
export type AppendOutcome = 'ok' | 'out_of_order' | 'duplicate' | 'ignored';

/** A sealed chunk: its bytes and the time span of its samples. */
interface Chunk {
  /** A shared slab; the chunk's bytes start at `off`. */
  readonly data: Uint8Array;
  readonly off: number;
  readonly len: number;
  readonly n: number;
  readonly mint: number;
  readonly maxt: number;
}

/**
 * Samples of a series decoded for reading: indices lo (inclusive) to hi (exclusive) of ts/vs,
 * in time order, stale markers included (see `isStaleAt`). The arrays may be shared with other
 * views (one buffer per query), so they are read only.
 */
export interface SeriesView {
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  /** The bits of `vs`, two uint32 per value (low word first). */
  readonly bits: Uint32Array;
  readonly lo: number;
  readonly hi: number;
  /** Samples with t < from may be missing from the view. */
  readonly from: number;
}

/** Whether sample `i` of a view is a stale marker. */
export function isStaleAt(view: SeriesView, i: number): boolean {
  return view.bits[2 * i + 1] === STALE_HI && view.bits[2 * i] === STALE_LO;
}

/** First index of a view with ts >= t. */
export function viewLowerBound(view: SeriesView, t: number): number {
  let lo = view.lo;
  let hi = view.hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((view.ts[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index of a view with ts > t. */
export function viewUpperBound(view: SeriesView, t: number): number {
  let lo = view.lo;
  let hi = view.hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((view.ts[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const scratch = { hi: 0, lo: 0 };

/** The float with the given bit pattern. */
function valueOf(hi: number, lo: number): number {
  const u = new Uint32Array([lo, hi]);
  return new Float64Array(u.buffer)[0] as number;
}
/** Where sealed chunks of all series are packed. */
const slab = new ChunkSlab();
const EMPTY_VIEW: SeriesView = { ts: new Float64Array(0), vs: new Float64Array(0), bits: new Uint32Array(0), lo: 0, hi: 0, from: -Infinity };

/** A stored series. */
export class MemSeries {
  private chunks: Chunk[] = [];
  private head: XorAppender | undefined;
  private headMint = 0;
  /** Samples before this time are expired (retention or eviction). */
  private cut = -Infinity;
  private count = 0;

  constructor(
    readonly id: number,
    readonly labels: Labels,
    /** The storage's hash of the label key. */
    readonly hash: number,
  ) {}

  /** The label key (labelsKey), computed when asked rather than kept for every series. */
  get key(): string {
    return labelsKey(this.labels);
  }

  /** Samples held (not yet expired). */
  get length(): number {
    return this.count;
  }

  lastTime(): number | undefined {
    return this.count > 0 && this.head ? this.head.lastT : undefined;
  }

  /**
   * Appends in time order as the TSDB head does: an older timestamp is out of order; the same
   * timestamp with another value is a duplicate; the same timestamp and value is ignored.
   * Timestamps are integer milliseconds (int64 in Prometheus); a fractional one is rounded.
   */
  append(tIn: number, v: number, stale = false): AppendOutcome {
    const t = Math.round(tIn);
    if (!Number.isSafeInteger(t)) return 'out_of_order';
    if (stale) {
      scratch.hi = STALE_HI;
      scratch.lo = STALE_LO;
    } else floatBits(v, scratch);
    const last = this.count > 0 ? this.head : undefined;
    if (last) {
      if (t < last.lastT) return 'out_of_order';
      if (t === last.lastT) {
        const lastStale = last.lastHi === STALE_HI && last.lastLo === STALE_LO;
        let same: boolean;
        if (stale) same = lastStale;
        else if (lastStale) same = false;
        else {
          const lv = valueOf(last.lastHi, last.lastLo);
          same = Object.is(lv, v) || lv === v;
        }
        return same ? 'ignored' : 'duplicate';
      }
    }
    let head = this.head;
    if (!head || head.count >= SAMPLES_PER_CHUNK) {
      if (head) {
        const { buf, off } = head.sealInto(slab);
        // concat keeps the array exactly as long as needed (push would reserve 16 slots).
        this.chunks = this.chunks.concat({ data: buf, off, len: head.bytes().length, n: head.count, mint: this.headMint, maxt: head.lastT });
      }
      this.head = head = new XorAppender();
      this.headMint = t;
    }
    head.append(t, scratch.hi, scratch.lo);
    this.count++;
    return 'ok';
  }

  /** Index of the first chunk that may hold samples at or after `lowT`. */
  private firstChunkFrom(lowT: number): number {
    let first = 0;
    while (first < this.chunks.length && (this.chunks[first] as Chunk).maxt < lowT) first++;
    return first;
  }

  /** An upper bound on how many samples `decodeInto(from, ...)` writes. */
  capacityFrom(from: number): number {
    if (this.count === 0) return 0;
    let cap = this.head ? this.head.count : 0;
    for (let k = this.firstChunkFrom(Math.max(from, this.cut)); k < this.chunks.length; k++) cap += (this.chunks[k] as Chunk).n;
    return cap;
  }

  /**
   * Decodes the samples with t >= max(from, cut-off) into ts/bits from index `at`, skipping
   * whole chunks that end before `from`; returns the index after the last sample written.
   * The arrays need `capacityFrom(from)` free slots.
   */
  decodeInto(from: number, ts: Float64Array, bits: Uint32Array, at: number): number {
    if (this.count === 0) return at;
    const lowT = Math.max(from, this.cut);
    let n = at;
    for (let k = this.firstChunkFrom(lowT); k < this.chunks.length; k++) {
      const c = this.chunks[k] as Chunk;
      n = decodeChunk(c.data, c.n, c.mint >= lowT ? -Infinity : lowT, ts, bits, n, c.off);
    }
    if (this.head && this.head.lastT >= lowT) n = decodeChunk(this.head.bytes(), this.head.count, this.headMint >= lowT ? -Infinity : lowT, ts, bits, n);
    return n;
  }

  /** The samples with t >= max(from, cut-off), decoded into arrays of their own. */
  view(from = -Infinity): SeriesView {
    if (this.count === 0) return EMPTY_VIEW;
    const cap = this.capacityFrom(from);
    const ts = new Float64Array(cap);
    const vs = new Float64Array(cap);
    const bits = new Uint32Array(vs.buffer);
    const hi = this.decodeInto(from, ts, bits, 0);
    return { ts, vs, bits, lo: 0, hi, from: Math.max(from, this.cut) };
  }

  /** Timestamp of the oldest sample held. */
  firstTime(): number | undefined {
    if (this.count === 0) return undefined;
    const v = this.view(this.cut);
    return v.ts[0];
  }

  /**
   * Expires samples with t < mint; returns how many were expired. Chunks whose samples are
   * all expired are freed.
   */
  truncateBefore(mint: number): number {
    if (this.count === 0 || mint <= this.cut) return 0;
    let dropped = 0;
    const old = this.cut;
    for (const c of this.chunks) {
      if (c.mint >= mint) break;
      dropped += c.mint >= old && c.maxt < mint ? c.n : countInRange(c.data, c.n, old, mint, c.off);
    }
    if (this.head && this.headMint < mint) dropped += countInRange(this.head.bytes(), this.head.count, old, mint);
    this.cut = mint;
    this.count -= dropped;
    let k = 0;
    while (k < this.chunks.length && (this.chunks[k] as Chunk).maxt < mint) k++;
    if (k > 0) this.chunks = this.chunks.slice(k);
    if (this.count === 0) {
      this.chunks = [];
      this.head = undefined;
      this.cut = -Infinity;
    }
    return dropped;
  }

  /** Bytes held by the encoded chunks, the open chunk's unused capacity included. */
  bufferBytes(): number {
    let b = this.head ? this.head.capacity() : 0;
    for (const c of this.chunks) b += c.len;
    return b;
  }

  // Index access over all samples held, 0 to `end` (exclusive). Each call decodes the series:
  // for API handlers and tests; queries read views instead.

  /** Always 0: samples held are numbered from 0. */
  get start(): number {
    return 0;
  }

  /** Number of samples held (index after the last). */
  get end(): number {
    return this.count;
  }

  /** Timestamps of all samples held (a decoded copy). */
  get ts(): Float64Array {
    const v = this.view();
    return v.ts.subarray(0, v.hi);
  }

  /** Values of all samples held (a decoded copy; stale markers are NaN). */
  get vs(): Float64Array {
    const v = this.view();
    return v.vs.subarray(0, v.hi);
  }

  /** Whether sample `i` is a stale marker. */
  isStale(i: number): boolean {
    const v = this.view();
    return i >= 0 && i < v.hi && isStaleAt(v, i);
  }

  /** First index with ts >= t. */
  lowerBound(t: number): number {
    return viewLowerBound(this.view(), t);
  }

  /** First index with ts > t. */
  upperBound(t: number): number {
    return viewUpperBound(this.view(), t);
  }
}
