import { describe, expect, it } from 'vitest';
import { createVirtualClock } from './virtual.js';

describe('virtual clock', () => {
  it('wakes sleepers only when advanced past their time', async () => {
    const clock = createVirtualClock(1000);
    const woke: number[] = [];
    const a = clock.sleepUntil(1500).then(() => woke.push(clock.now()));
    const b = clock.sleepUntil(3000).then(() => woke.push(clock.now()));
    clock.advance(400);
    await Promise.resolve();
    expect(woke).toEqual([]);
    clock.advanceTo(2000);
    await a;
    expect(woke).toEqual([2000]);
    clock.advanceTo(1000); // never backwards
    expect(clock.now()).toBe(2000);
    clock.advance(1000);
    await b;
    expect(woke).toEqual([2000, 3000]);
  });

  it('an aborted signal wakes a sleeper at once', async () => {
    const clock = createVirtualClock(0);
    const ac = new AbortController();
    const p = clock.sleepUntil(10_000, ac.signal);
    ac.abort();
    await p;
    expect(clock.now()).toBe(0);
  });
});
