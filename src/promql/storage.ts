/**
 * An in-memory TSDB head: series indexed by label (postings), a retention window, and caps
 * on series and samples. Over the series cap new series are rejected; over the sample cap the
 * oldest samples are evicted first. Both are counted so the server can export them.
 */
import { labelsKey, type Labels } from './labels.js';
import type { Matcher } from './ast.js';
import { matchesValue } from './parse.js';
import { MemSeries, type AppendOutcome } from './series.js';

/** Storage limits. */
export interface StorageOptions {
  /** Samples older than `now - retentionMs` are dropped by `truncate(now)`. Default 1 h. */
  retentionMs?: number;
  /** Most series held at once; appends that would create more are rejected. Default 1,000,000. */
  maxSeries?: number;
  /** Most samples held at once; the oldest are evicted beyond it. Default 10,000,000 (about 330 MB). */
  maxSamples?: number;
}

/** Counters of what the storage refused or dropped. */
export interface StorageStats {
  series: number;
  samples: number;
  /** Bytes of sample buffers (timestamps and values), including unused capacity. */
  bufferBytes: number;
  seriesRejected: number;
  samplesOutOfOrder: number;
  samplesDuplicate: number;
  samplesEvicted: number;
  samplesExpired: number;
}

/** Result of appending a sample by label set. */
export type StorageAppendOutcome = AppendOutcome | 'series_limit';

/** The in-memory store. */
export class MemoryStorage {
  readonly retentionMs: number;
  readonly maxSeries: number;
  readonly maxSamples: number;
  private readonly byKey = new Map<string, MemSeries>();
  private readonly postings = new Map<string, Map<string, Set<MemSeries>>>();
  private nextId = 1;
  private samples = 0;
  private readonly counters = { seriesRejected: 0, samplesOutOfOrder: 0, samplesDuplicate: 0, samplesEvicted: 0, samplesExpired: 0 };

  constructor(opts: StorageOptions = {}) {
    this.retentionMs = opts.retentionMs ?? 3_600_000;
    this.maxSeries = opts.maxSeries ?? 1_000_000;
    this.maxSamples = opts.maxSamples ?? 10_000_000;
  }

  /** The series for a label set, created when missing (undefined over the series cap). */
  getOrCreate(labels: Labels, key = labelsKey(labels)): MemSeries | undefined {
    const found = this.byKey.get(key);
    if (found) return found;
    if (this.byKey.size >= this.maxSeries) {
      this.counters.seriesRejected++;
      return undefined;
    }
    const s = new MemSeries(this.nextId++, labels, key);
    this.byKey.set(key, s);
    for (const l of labels) {
      let vals = this.postings.get(l.name);
      if (!vals) this.postings.set(l.name, (vals = new Map<string, Set<MemSeries>>()));
      let set = vals.get(l.value);
      if (!set) vals.set(l.value, (set = new Set<MemSeries>()));
      set.add(s);
    }
    return s;
  }

  /** Appends a sample (or a stale marker) to the series of `labels`. */
  append(labels: Labels, t: number, v: number, stale = false): StorageAppendOutcome {
    const s = this.getOrCreate(labels);
    if (!s) return 'series_limit';
    return this.appendTo(s, t, v, stale);
  }

  /** Appends to a series already looked up. */
  appendTo(s: MemSeries, t: number, v: number, stale = false): AppendOutcome {
    const out = s.append(t, v, stale);
    if (out === 'ok') {
      this.samples++;
      if (this.samples > this.maxSamples) this.evictOldest();
    } else if (out === 'out_of_order') this.counters.samplesOutOfOrder++;
    else if (out === 'duplicate') this.counters.samplesDuplicate++;
    return out;
  }

  /**
   * Series whose labels satisfy every matcher. As tsdb's PostingsForMatchers: each matcher
   * that rejects the empty value narrows the candidates through the postings of the label
   * values it accepts (a regex is tried once per distinct value, not once per series); the
   * smallest such set is scanned and the remaining matchers checked per series.
   */
  select(matchers: readonly Matcher[]): MemSeries[] {
    let best: { set: Set<MemSeries>; m: Matcher } | undefined;
    for (const m of matchers) {
      if (matchesValue(m, '')) continue;
      const set = this.postingsFor(m);
      if (set.size === 0) return [];
      if (!best || set.size < best.set.size) best = { set, m };
    }
    const chosen = best?.m;
    const rest = matchers.filter((m) => m !== chosen);
    const out: MemSeries[] = [];
    for (const s of best?.set ?? this.byKey.values()) {
      if (s.length === 0) continue;
      let ok = true;
      for (const m of rest) {
        let v = '';
        for (const l of s.labels) if (l.name === m.name) v = l.value;
        if (!matchesValue(m, v)) {
          ok = false;
          break;
        }
      }
      if (ok) out.push(s);
    }
    return out;
  }

  /** Series whose `m.name` label has a value `m` accepts (m rejects ""). */
  private postingsFor(m: Matcher): Set<MemSeries> {
    const vals = this.postings.get(m.name);
    if (!vals) return new Set();
    if (m.type === '=') {
      return vals.get(m.value) ?? new Set();
    }
    let out: Set<MemSeries> | undefined;
    let union = false;
    for (const [v, set] of vals) {
      if (!matchesValue(m, v)) continue;
      if (!out) out = set;
      else {
        if (!union) {
          out = new Set(out);
          union = true;
        }
        for (const x of set) out.add(x);
      }
    }
    return out ?? new Set();
  }

  /** Label names of series with samples, sorted. */
  labelNames(): string[] {
    const names: string[] = [];
    for (const [name, vals] of this.postings) {
      for (const set of vals.values()) {
        if ([...set].some((s) => s.length > 0)) {
          names.push(name);
          break;
        }
      }
    }
    return names.sort();
  }

  /** Values of one label over series with samples, sorted. */
  labelValues(name: string): string[] {
    const vals = this.postings.get(name);
    if (!vals) return [];
    const out: string[] = [];
    for (const [v, set] of vals) if ([...set].some((s) => s.length > 0)) out.push(v);
    return out.sort();
  }

  /** Drops samples older than the retention window and series left empty. */
  truncate(now: number): void {
    const mint = now - this.retentionMs;
    for (const s of this.byKey.values()) {
      const n = s.truncateBefore(mint);
      this.samples -= n;
      this.counters.samplesExpired += n;
      if (s.length === 0) this.remove(s);
    }
  }

  /** Oldest-first eviction: raise a cut-off time until the sample count is under the cap. */
  private evictOldest(): void {
    let oldest = Infinity;
    let newest = -Infinity;
    for (const s of this.byKey.values()) {
      if (s.length === 0) continue;
      oldest = Math.min(oldest, s.ts[s.start] as number);
      newest = Math.max(newest, s.ts[s.end - 1] as number);
    }
    // Evict in 1 % slices of the stored span until 1 % under the cap, so eviction is not per sample.
    const slice = Math.max(1, (newest - oldest) / 100);
    const target = Math.floor(this.maxSamples * 0.99);
    for (let cut = oldest + slice; this.samples > target && cut <= newest + 1; cut += slice) {
      for (const s of this.byKey.values()) {
        const n = s.truncateBefore(cut);
        this.samples -= n;
        this.counters.samplesEvicted += n;
      }
    }
    for (const s of [...this.byKey.values()]) if (s.length === 0) this.remove(s);
  }

  private remove(s: MemSeries): void {
    this.byKey.delete(s.key);
    for (const l of s.labels) {
      const vals = this.postings.get(l.name);
      const set = vals?.get(l.value);
      set?.delete(s);
      if (set && set.size === 0) vals?.delete(l.value);
      if (vals && vals.size === 0) this.postings.delete(l.name);
    }
  }

  /** Number of series held. */
  get seriesCount(): number {
    return this.byKey.size;
  }

  /** Number of samples held. */
  get sampleCount(): number {
    return this.samples;
  }

  stats(): StorageStats {
    let bufferBytes = 0;
    for (const s of this.byKey.values()) bufferBytes += s.bufferBytes();
    return { series: this.byKey.size, samples: this.samples, bufferBytes, ...this.counters };
  }
}
