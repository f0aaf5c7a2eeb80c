import { describe, expect, it } from 'vitest';
import { createVirtualClock } from './virtual.js';
import { createScaledClock, nextAnchor } from './scaled.js';

describe('scaled clock', () => {
  it('runs engine time 1/scale as fast and sleeps scale times as long', async () => {
    const wall = createVirtualClock(1000);
    const clock = createScaledClock({ wall: 1000, engine: 1000, scale: 0.1 }, wall);
    wall.advanceTo(4000);
    expect(clock.now()).toBe(31000);
    let woke = false;
    const p = clock.sleepUntil(61000).then(() => (woke = true));
    wall.advanceTo(6999);
    await Promise.resolve();
    expect(woke).toBe(false);
    wall.advanceTo(7000);
    await p;
    expect(woke).toBe(true);
    expect(clock.toWall(61000)).toBe(7000);
  });

  it('keeps the anchor for the same scale and continues engine time for a new one', () => {
    const a = { wall: 0, engine: 0, scale: 0.5 };
    expect(nextAnchor(a, 0.5, 10_000)).toBe(a);
    const b = nextAnchor(a, 1, 10_000);
    expect(b).toEqual({ wall: 10_000, engine: 20_000, scale: 1 });
    expect(nextAnchor(undefined, 2, 5)).toEqual({ wall: 5, engine: 5, scale: 2 });
  });
});
