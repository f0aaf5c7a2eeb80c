import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  it('processes a key queued many times once, in order of first add', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'a', 'a', 'c', 'b']) q.add(k);
    expect(q.length).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['a', 'b', 'c']);
  });

  it('never hands one key to two workers: a key added while processed comes back after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    expect(q.length).toBe(0);
    let second: string | undefined;
    const waiting = q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(first as string);
    await waiting;
    expect(second).toBe('a');
  });

  it('backs off per key, doubling until forget', () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
    expect([q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a')]).toEqual([10, 20, 40, 50]);
    expect(q.addRateLimited('b')).toBe(10);
    q.forget('a');
    expect(q.retries('a')).toBe(0);
    expect(q.addRateLimited('a')).toBe(10);
    q.shutDown();
  });

  it('addAfter queues the key later; the earlier of two schedules wins', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 10_000);
    q.addAfter('a', 20);
    const started = Date.now();
    expect(await q.get()).toBe('a');
    expect(Date.now() - started).toBeLessThan(5_000);
    q.shutDown();
  });

  it('shutDown releases waiting workers with undefined', async () => {
    const q = new WorkQueue();
    const w = q.get();
    q.shutDown();
    expect(await w).toBeUndefined();
  });
});
