/**
 * An in-memory TSDB head: series indexed by label (postings), a retention window, and caps
 * on series and samples. Over the series cap new series are rejected; over the sample cap the
 * oldest samples are evicted first. Both are counted so the server can export them.
 */
import { labelsKey, type Label, type Labels } from './labels.js';
import type { Matcher } from './ast.js';
import { matchesValue } from './parse.js';
import { MemSeries, type AppendOutcome } from './series.js';

/** Storage limits. */
export interface StorageOptions {
  /** Samples older than `now - retentionMs` are dropped by `truncate(now)`. Default 1 h. */
  retentionMs?: number;
  /** Most series held at once; appends that would create more are rejected. Default 1,000,000. */
  maxSeries?: number;
  /** Most samples held at once; the oldest are evicted beyond it. Default 10,000,000 (about 130 MB at 13 B a sample). */
  maxSamples?: number;
}

/** Counters of what the storage refused or dropped. */
export interface StorageStats {
  series: number;
  samples: number;
  /** Bytes of encoded chunks (timestamps and values), including the open chunks' unused capacity. */
  bufferBytes: number;
  seriesRejected: number;
  samplesOutOfOrder: number;
  samplesDuplicate: number;
  samplesEvicted: number;
  samplesExpired: number;
}

/** Result of appending a sample by label set. */
export type StorageAppendOutcome = AppendOutcome | 'series_limit';

/**
 * The series holding one label pair, and that pair's one shared Label object: every series
 * with the pair points at the same object (label interning, as Prometheus' symbol table).
 */
interface Posting {
  readonly label: Label;
  series: MemSeries[];
}

/** The in-memory store. */
export class MemoryStorage {
  readonly retentionMs: number;
  readonly maxSeries: number;
  readonly maxSamples: number;
  /**
   * Series by a 30-bit hash of their label key, as tsdb's stripeSeries indexes by labels hash:
   * the key string itself is not kept per series. A hash that fits a V8 small integer is
   * stored unboxed; the few series whose hash is taken go into `collisions`, under their key.
   */
  private readonly byHash = new Map<number, MemSeries>();
  private readonly collisions = new Map<string, MemSeries>();
  private readonly postings = new Map<string, Map<string, Posting>>();
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
    const h = hashKey(key);
    const atHash = this.byHash.get(h);
    if (atHash && sameLabels(atHash.labels, labels)) return atHash;
    const found = this.collisions.size > 0 ? this.collisions.get(key) : undefined;
    if (found) return found;
    if (this.seriesCount >= this.maxSeries) {
      this.counters.seriesRejected++;
      return undefined;
    }
    const ps: Posting[] = [];
    // map() sizes the array exactly; push would leave spare slots in every series' labels.
    const interned = labels.map((l): Label => {
      let vals = this.postings.get(l.name);
      if (!vals) this.postings.set(l.name, (vals = new Map<string, Posting>()));
      let p = vals.get(l.value);
      if (!p) vals.set(l.value, (p = { label: { name: l.name, value: l.value }, series: [] }));
      ps.push(p);
      return p.label;
    });
    const s = new MemSeries(this.nextId++, interned, h);
    if (atHash) this.collisions.set(key, s);
    else this.byHash.set(h, s);
    for (const p of ps) p.series.push(s);
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
    let best: { set: readonly MemSeries[]; m: Matcher } | undefined;
    for (const m of matchers) {
      if (matchesValue(m, '')) continue;
      const set = this.postingsFor(m);
      if (set.length === 0) return [];
      if (!best || set.length < best.set.length) best = { set, m };
    }
    const chosen = best?.m;
    const rest = matchers.filter((m) => m !== chosen);
    const out: MemSeries[] = [];
    for (const s of best?.set ?? this.all()) {
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

  /**
   * Series whose `m.name` label has a value `m` accepts (m rejects ""). A series has one value
   * per name, so the lists of different values never share a series and concatenate as a union.
   */
  private postingsFor(m: Matcher): readonly MemSeries[] {
    const vals = this.postings.get(m.name);
    if (!vals) return [];
    if (m.type === '=') return vals.get(m.value)?.series ?? [];
    const lists: MemSeries[][] = [];
    for (const [v, p] of vals) if (matchesValue(m, v)) lists.push(p.series);
    return lists.length === 1 ? (lists[0] as MemSeries[]) : lists.flat();
  }

  /** Label names of series with samples, sorted. */
  labelNames(): string[] {
    const names: string[] = [];
    for (const [name, vals] of this.postings) {
      for (const p of vals.values()) {
        if (p.series.some((s) => s.length > 0)) {
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
    for (const [v, p] of vals) if (p.series.some((s) => s.length > 0)) out.push(v);
    return out.sort();
  }

  /** Drops samples older than the retention window and series left empty. */
  truncate(now: number): void {
    const mint = now - this.retentionMs;
    const dead: MemSeries[] = [];
    for (const s of this.all()) {
      const n = s.truncateBefore(mint);
      this.samples -= n;
      this.counters.samplesExpired += n;
      if (s.length === 0) dead.push(s);
    }
    this.remove(dead);
  }

  /** Oldest-first eviction: raise a cut-off time until the sample count is under the cap. */
  private evictOldest(): void {
    let oldest = Infinity;
    let newest = -Infinity;
    for (const s of this.all()) {
      if (s.length === 0) continue;
      oldest = Math.min(oldest, s.firstTime() as number);
      newest = Math.max(newest, s.lastTime() as number);
    }
    // Evict in 1 % slices of the stored span until 1 % under the cap, so eviction is not per sample.
    const slice = Math.max(1, (newest - oldest) / 100);
    const target = Math.floor(this.maxSamples * 0.99);
    for (let cut = oldest + slice; this.samples > target && cut <= newest + 1; cut += slice) {
      for (const s of this.all()) {
        const n = s.truncateBefore(cut);
        this.samples -= n;
        this.counters.samplesEvicted += n;
      }
    }
    this.remove([...this.all()].filter((s) => s.length === 0));
  }

  /** Forgets series, filtering each posting list they are in once. */
  private remove(dead: readonly MemSeries[]): void {
    if (dead.length === 0) return;
    const gone = new Set(dead);
    const touched = new Set<Posting>();
    for (const s of dead) {
      if (this.byHash.get(s.hash) === s) this.byHash.delete(s.hash);
      else this.collisions.delete(s.key);
      for (const l of s.labels) {
        const p = this.postings.get(l.name)?.get(l.value);
        if (p) touched.add(p);
      }
    }
    for (const p of touched) {
      p.series = p.series.filter((s) => !gone.has(s));
      if (p.series.length > 0) continue;
      const vals = this.postings.get(p.label.name);
      vals?.delete(p.label.value);
      if (vals && vals.size === 0) this.postings.delete(p.label.name);
    }
  }

  /** Every series held. */
  private *all(): Iterable<MemSeries> {
    yield* this.byHash.values();
    yield* this.collisions.values();
  }

  /** Number of series held. */
  get seriesCount(): number {
    return this.byHash.size + this.collisions.size;
  }

  /** Number of samples held. */
  get sampleCount(): number {
    return this.samples;
  }

  stats(): StorageStats {
    let bufferBytes = 0;
    for (const s of this.all()) bufferBytes += s.bufferBytes();
    return { series: this.seriesCount, samples: this.samples, bufferBytes, ...this.counters };
  }
}

/** Whether two label sets are equal. */
function sameLabels(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Label;
    const y = b[i] as Label;
    if (x.name !== y.name || x.value !== y.value) return false;
  }
  return true;
}

/** A 30-bit hash of a string (FNV-1a folded), small enough to be an unboxed integer in V8. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 30)) & 0x3fffffff;
}
