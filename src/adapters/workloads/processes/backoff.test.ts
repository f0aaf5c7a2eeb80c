import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, restartDelayMs } from './backoff.js';

describe('restartDelayMs', () => {
  it('restarts at once the first time, then waits 10 s doubling up to 5 min', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => restartDelayMs(n))).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    expect(restartDelayMs(10_000)).toBe(BACKOFF_MAX_MS);
  });
  it('scales with the time scale', () => {
    expect(restartDelayMs(3, 0.1)).toBeCloseTo(2_000);
    expect(restartDelayMs(1, 0.1)).toBe(0);
  });
});
