import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from './labels.js';
import { MemoryStorage } from './storage.js';

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
});
