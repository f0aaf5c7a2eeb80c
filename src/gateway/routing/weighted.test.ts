import { describe, expect, it } from 'vitest';
import { createSmoothPicker, hashKey, pickByHash, pickSmooth, readCookie } from './weighted.js';

describe('smooth weighted round-robin', () => {
  it('gives nginx sequence for 5/1/1', () => {
    // nginx's own example (ngx_http_upstream_round_robin.c commit 52327e0): a a b a c a a.
    const p = createSmoothPicker([5, 1, 1]);
    expect(Array.from({ length: 7 }, () => 'abc'[pickSmooth(p)]).join('')).toBe('aabacaa');
  });

  it('holds the exact ratio over every window of sum(weights) picks', () => {
    const p = createSmoothPicker([90, 10]);
    const picks = Array.from({ length: 10_000 }, () => pickSmooth(p));
    expect(picks.filter((i) => i === 1).length).toBe(1000);
    for (let start = 0; start + 100 <= picks.length; start += 37) {
      expect(picks.slice(start, start + 100).filter((i) => i === 1).length).toBe(10);
    }
  });

  it('never picks a zero weight and answers -1 when all are zero', () => {
    const p = createSmoothPicker([0, 3, 0]);
    for (let i = 0; i < 10; i++) expect(pickSmooth(p)).toBe(1);
    expect(pickSmooth(createSmoothPicker([0, 0]))).toBe(-1);
  });
});

describe('sticky hashing', () => {
  it('keeps a key on one side and splits many keys near the weights', () => {
    const w = [90, 10];
    let canary = 0;
    for (let u = 0; u < 10_000; u++) {
      const key = `user-${u}`;
      const side = pickByHash(w, 100, key);
      expect(pickByHash(w, 100, key)).toBe(side);
      if (side === 1) canary++;
    }
    expect(canary).toBeGreaterThan(900);
    expect(canary).toBeLessThan(1100);
  });

  it('moves only keys near the boundary when the canary weight grows', () => {
    let moved = 0;
    for (let u = 0; u < 5000; u++) {
      const a = pickByHash([90, 10], 100, `u${u}`);
      const b = pickByHash([80, 20], 100, `u${u}`);
      if (a === 1) expect(b).toBe(1);
      if (a !== b) moved++;
    }
    expect(moved / 5000).toBeGreaterThan(0.07);
    expect(moved / 5000).toBeLessThan(0.13);
  });

  it('hashes to 32-bit unsigned values', () => {
    expect(hashKey('a')).not.toBe(hashKey('b'));
    expect(hashKey('')).toBeGreaterThanOrEqual(0);
    expect(hashKey('x'.repeat(100))).toBeLessThan(2 ** 32);
  });

  it('reads cookies', () => {
    expect(readCookie('a=1; session=abc; b=2', 'session')).toBe('abc');
    expect(readCookie('a=1', 'session')).toBeUndefined();
    expect(readCookie(undefined, 'session')).toBeUndefined();
  });
});
