import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../promql/storage.js';
import { nextScrapeAt, ScrapeLoop, type ScrapeClock } from './scraper.js';

describe('nextScrapeAt', () => {
  it('keeps each loop on a fixed grid of interval plus offset', () => {
    expect(nextScrapeAt(100_000, 15_000, 4_000)).toBe(109_000);
    expect(nextScrapeAt(109_000, 15_000, 4_000)).toBe(109_000);
    expect(nextScrapeAt(109_001, 15_000, 4_000)).toBe(124_000);
  });
});

describe('ScrapeLoop', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('scrapes on its timers and stops with stale markers', async () => {
    let hits = 0;
    server = createServer((_req, res) => void res.end(`hits ${++hits}\n`));
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    let now = 1_000_000;
    const timers: Array<{ fn: () => void; at: number }> = [];
    const clock: ScrapeClock = {
      now: () => now,
      setTimeout: (fn, ms) => {
        const t = { fn, at: now + ms };
        timers.push(t);
        return t;
      },
      clearTimeout: (h) => void timers.splice(timers.indexOf(h as (typeof timers)[number]), 1),
    };
    const storage = new MemoryStorage();
    const job = { jobName: 'j', scrapeIntervalMs: 10_000, scrapeTimeoutMs: 5_000, metricsPath: '/metrics', honorLabels: false, honorTimestamps: true, targets: [] };
    const loop = new ScrapeLoop(storage, job, { address, labels: {} }, clock);
    loop.start();
    // Fire each due timer in turn, as time passes.
    for (let i = 0; i < 3; i++) {
      const t = timers.shift();
      if (!t) throw new Error('no timer scheduled');
      expect(t.at - 1_000_000).toBeLessThan(10_000 * (i + 1));
      now = t.at;
      t.fn();
      await new Promise<void>((r) => {
        const check = (): void => (timers.length > 0 ? r() : void setImmediate(check));
        check();
      });
    }
    expect(hits).toBe(3);
    const [first, , third] = storage.select([{ name: '__name__', type: '=', value: 'hits' }])[0]!.ts;
    expect((third as number) - (first as number)).toBe(20_000);
    await loop.stop();
    expect(timers).toHaveLength(0);
    const s = storage.select([{ name: '__name__', type: '=', value: 'hits' }])[0]!;
    expect(s.isStale(s.end - 1)).toBe(true);
  });
});
