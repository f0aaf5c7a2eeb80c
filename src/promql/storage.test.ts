import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from './labels.js';
import { hashKey, MemoryStorage } from './storage.js';
import { labelsKey } from './labels.js';
import { isStaleAt, SAMPLES_PER_CHUNK } from './series.js';

const L = (rec: Record<string, string>) => labelsFromRecord(rec);

describe('MemoryStorage', () => {
  it('keeps samples in order and refuses out-of-order and conflicting duplicates', () => {
    const s = new MemoryStorage();
    const a = L({ __name__: 'a' });
    expect(s.append(a, 1000, 1)).toBe('ok');
    expect(s.append(a, 2000, 2)).toBe('ok');
    expect(s.append(a, 1500, 3)).toBe('out_of_order');
    expect(s.append(a, 2000, 2)).toBe('ignored');
    expect(s.append(a, 2000, 5)).toBe('duplicate');
    const st = s.stats();
    expect([st.samples, st.samplesOutOfOrder, st.samplesDuplicate]).toEqual([2, 1, 1]);
  });

  it('stores stale markers distinctly from NaN values', () => {
    const s = new MemoryStorage();
    const a = L({ __name__: 'a' });
    s.append(a, 1000, NaN);
    s.append(a, 2000, NaN, true);
    const ser = s.select([{ name: '__name__', type: '=', value: 'a' }])[0]!;
    expect(ser.isStale(ser.start)).toBe(false);
    expect(ser.isStale(ser.start + 1)).toBe(true);
    // A stale marker after a NaN at the same timestamp is a different sample.
    expect(s.append(a, 2000, NaN)).toBe('duplicate');
  });

  it('drops samples past retention and forgets empty series', () => {
    const s = new MemoryStorage({ retentionMs: 10_000 });
    for (let t = 0; t <= 20_000; t += 1000) s.append(L({ __name__: 'a' }), t, t);
    s.append(L({ __name__: 'old' }), 0, 1);
    s.truncate(20_000);
    const st = s.stats();
    expect(st.series).toBe(1);
    expect(st.samples).toBe(11);
    expect(st.samplesExpired).toBe(11);
    expect(s.labelValues('__name__')).toEqual(['a']);
  });

  it('rejects new series over the series cap, counted', () => {
    const s = new MemoryStorage({ maxSeries: 2 });
    expect(s.append(L({ __name__: 'a' }), 0, 1)).toBe('ok');
    expect(s.append(L({ __name__: 'b' }), 0, 1)).toBe('ok');
    expect(s.append(L({ __name__: 'c' }), 0, 1)).toBe('series_limit');
    expect(s.append(L({ __name__: 'a' }), 1, 1)).toBe('ok');
    expect(s.stats().seriesRejected).toBe(1);
  });

  it('evicts the oldest samples over the sample cap, counted', () => {
    const s = new MemoryStorage({ maxSamples: 1000 });
    for (let t = 0; t < 1500; t++) {
      s.append(L({ __name__: 'a' }), t * 1000, t);
      s.append(L({ __name__: 'b' }), t * 1000, t);
    }
    const st = s.stats();
    expect(st.samples).toBeLessThanOrEqual(1000);
    expect(st.samplesEvicted).toBe(3000 - st.samples);
    const a = s.select([{ name: '__name__', type: '=', value: 'a' }])[0]!;
    // The newest data is kept.
    expect(a.ts[a.end - 1]).toBe(1_499_000);
    expect(a.ts[a.start]).toBeGreaterThan(900_000);
  });

  it('selects by all four matcher types using postings', () => {
    const s = new MemoryStorage();
    s.append(L({ __name__: 'x', env: 'prod', code: '200' }), 0, 1);
    s.append(L({ __name__: 'x', env: 'dev', code: '500' }), 0, 1);
    s.append(L({ __name__: 'y', env: 'prod' }), 0, 1);
    const names = (ms: Parameters<MemoryStorage['select']>[0]) => s.select(ms).map((x) => x.key).length;
    expect(names([{ name: '__name__', type: '=', value: 'x' }])).toBe(2);
    expect(names([{ name: 'env', type: '!=', value: 'prod' }])).toBe(1);
    expect(names([{ name: 'code', type: '=~', value: '5..', re: /^(?:5..)$/ }])).toBe(1);
    expect(names([{ name: 'code', type: '!~', value: '.+', re: /^(?:.+)$/ }])).toBe(1);
    expect(s.labelNames()).toEqual(['__name__', 'code', 'env']);
  });

  it('keeps samples across sealed chunks exactly, stale markers included', () => {
    const s = new MemoryStorage();
    const a = L({ __name__: 'a' });
    const n = 3 * SAMPLES_PER_CHUNK + 7;
    for (let i = 0; i < n; i++) s.append(a, i * 15_000, i % 50 === 7 ? NaN : i * 0.1, i % 100 === 99);
    const ser = s.select([{ name: '__name__', type: '=', value: 'a' }])[0]!;
    const v = ser.view();
    expect(v.hi).toBe(n);
    for (let i = 0; i < n; i++) {
      expect(v.ts[i]).toBe(i * 15_000);
      expect(isStaleAt(v, i)).toBe(i % 100 === 99);
      if (i % 100 !== 99) expect(v.vs[i]).toBe(i % 50 === 7 ? NaN : i * 0.1);
    }
    // A view from a time skips what is before it.
    const w = ser.view(200 * 15_000);
    expect(w.ts[0]).toBe(200 * 15_000);
    expect(w.hi).toBe(n - 200);
    // Compressed below the raw 16 bytes a sample even though values like i * 0.1 keep most of
    // their mantissa bits under XOR.
    expect(s.stats().bufferBytes / n).toBeLessThan(10);
  });

  it('expires samples exactly at the retention cut and frees whole chunks past it', () => {
    const s = new MemoryStorage({ retentionMs: 100_000 });
    const a = L({ __name__: 'a' });
    const n = 3 * SAMPLES_PER_CHUNK;
    for (let i = 0; i < n; i++) s.append(a, i * 1000, i);
    const full = s.stats().bufferBytes;
    // Cut inside the second chunk: the first is freed, the second kept for its newer samples.
    s.truncate((SAMPLES_PER_CHUNK + 10) * 1000 + 100_000);
    const st = s.stats();
    expect(st.samples).toBe(n - SAMPLES_PER_CHUNK - 10);
    expect(st.samplesExpired).toBe(SAMPLES_PER_CHUNK + 10);
    expect(st.bufferBytes).toBeLessThan(full);
    const ser = s.select([{ name: '__name__', type: '=', value: 'a' }])[0]!;
    expect(ser.firstTime()).toBe((SAMPLES_PER_CHUNK + 10) * 1000);
    expect(ser.ts[0]).toBe((SAMPLES_PER_CHUNK + 10) * 1000);
    expect(ser.lowerBound(0)).toBe(0);
    // Truncating again at the same time expires nothing more.
    s.truncate((SAMPLES_PER_CHUNK + 10) * 1000 + 100_000);
    expect(s.stats().samplesExpired).toBe(SAMPLES_PER_CHUNK + 10);
    // Appends continue after the cut.
    expect(s.append(a, n * 1000, 1)).toBe('ok');
    expect(s.stats().samples).toBe(n - SAMPLES_PER_CHUNK - 10 + 1);
  });

  it('keeps series whose label hashes collide apart', () => {
    // Two label sets whose 30-bit key hashes are equal (found by search).
    const a = L({ __name__: 'c', i: '193018' });
    const b = L({ __name__: 'c', i: '218669' });
    expect(hashKey(labelsKey(a))).toBe(hashKey(labelsKey(b)));
    const s = new MemoryStorage({ retentionMs: 10_000 });
    expect(s.append(a, 1000, 1)).toBe('ok');
    expect(s.append(b, 1000, 2)).toBe('ok');
    expect(s.append(b, 2000, 3)).toBe('ok');
    expect(s.append(a, 1000, 5)).toBe('duplicate');
    expect(s.stats().series).toBe(2);
    const sel = (v: string) => s.select([{ name: 'i', type: '=', value: v }]).map((x) => Array.from(x.vs));
    expect(sel('193018')).toEqual([[1]]);
    expect(sel('218669')).toEqual([[2, 3]]);
    // Expiring the first one leaves the second findable, and the reverse.
    s.truncate(11_500);
    expect(s.stats().series).toBe(1);
    expect(s.append(b, 3000, 4)).toBe('ok');
    expect(sel('218669')).toEqual([[3, 4]]);
    expect(s.append(a, 3000, 6)).toBe('ok');
    expect(s.stats().series).toBe(2);
    s.truncate(12_500);
    expect(sel('218669')).toEqual([[4]]);
    expect(s.append(a, 4000, 7)).toBe('ok');
    expect(sel('193018')).toEqual([[6, 7]]);
  });
});
