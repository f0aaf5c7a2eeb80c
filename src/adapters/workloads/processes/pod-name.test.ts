import { describe, expect, it } from 'vitest';
import { newPodName, podFilePattern } from './pod-name.js';

describe('pod names', () => {
  it('are <owner>-<hash>-<5 chars> from the Kubernetes alphabet and avoid taken names', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const n = newPodName('shop', '6d4f8b7c9', (x) => seen.has(x));
      expect(n).toMatch(/^shop-6d4f8b7c9-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(seen.has(n)).toBe(false);
      seen.add(n);
    }
  });
  it('log file patterns keep owners that share a prefix apart', () => {
    const re = podFilePattern('shop');
    expect(re.test('shop-abc-bcdfg.log')).toBe(true);
    expect(re.test('shop-api-abc-bcdfg.log')).toBe(false);
    expect(podFilePattern('shop-api').test('shop-api-abc-bcdfg.log')).toBe(true);
    expect(podFilePattern('shop', 'abc').test('shop-abd-bcdfg.log')).toBe(false);
    expect(podFilePattern('a.b').test('axb-h-bcdfg.log')).toBe(false);
  });
});
