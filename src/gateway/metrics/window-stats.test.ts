import { describe, expect, it } from 'vitest';
import { createWindowStats } from './window-stats.js';

describe('window stats', () => {
  it('counts requests, 5xx and connection failures inside the window only', () => {
    const s = createWindowStats();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 100; i++) s.record(t0, i < 5 ? 503 : 200, 10);
    s.recordConnectionFailure(t0);
    s.record(t0 + 30_000, 200, 10);
    const a = s.summarize(t0 + 30_000, 60);
    expect(a).toMatchObject({ requests: 101, errors5xx: 5, connectionFailures: 1 });
    expect(a.errorRate).toBeCloseTo(5 / 101, 6);
    const b = s.summarize(t0 + 61_000, 60);
    expect(b).toMatchObject({ requests: 1, errors5xx: 0, connectionFailures: 0 });
    expect(s.summarize(t0 + 200_000, 60)).toMatchObject({ requests: 0, errorRate: 0, latencyMs: { p50: null, p95: null, p99: null } });
  });

  it('reports percentiles within 15 % of the true value', () => {
    const s = createWindowStats();
    const t = 1_000_000;
    for (let i = 1; i <= 1000; i++) s.record(t, 200, i); // 1..1000 ms
    const { latencyMs } = s.summarize(t, 10);
    expect(latencyMs.p50).toBeGreaterThan(500 * 0.85);
    expect(latencyMs.p50).toBeLessThan(500 * 1.15);
    expect(latencyMs.p99).toBeGreaterThan(990 * 0.85);
    expect(latencyMs.p99).toBeLessThan(990 * 1.15);
  });

  it('reuses a ring slot for a later second without keeping old counts', () => {
    const s = createWindowStats();
    s.record(0, 500, 1);
    s.record(600_000, 200, 1); // same slot, 600 s later
    expect(s.summarize(600_000, 600)).toMatchObject({ requests: 1, errors5xx: 0 });
  });
});
