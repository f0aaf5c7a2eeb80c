import { describe, expect, it } from 'vitest';
import { compileConfig, shouldMirror } from './compile.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import { createWindowStats } from '../metrics/window-stats.js';

describe('compileConfig', () => {
  it('shares endpoints by key and fills defaults', () => {
    const metrics = createMetricsRegistry();
    const made = new Map<string, { key: string }>();
    const deps = {
      endpoint: (k: string) => made.get(k) ?? (made.set(k, { key: k }), made.get(k)),
      series: (l: Record<string, string>, r: string) => metrics.group(l, r),
      stats: () => createWindowStats(),
    };
    const c = compileConfig(
      {
        version: 3,
        routes: [{ name: 'r', destinations: [{ cluster: 'a', weight: 1 }, { cluster: 'b', weight: 3 }], mirror: { cluster: 'b', percentage: 0 } }],
        clusters: { a: { endpoints: ['127.0.0.1:1'] }, b: { endpoints: ['127.0.0.1:1', '127.0.0.1:2'], labels: { role: 'canary' } } },
      },
      deps,
    );
    const r = c.routes[0];
    expect(r?.timeoutMs).toBe(15_000);
    expect(r?.totalWeight).toBe(4);
    expect(r?.mirror).toBeUndefined();
    expect(c.clusters.get('a')?.endpoints[0]).toBe(c.clusters.get('b')?.endpoints[0]);
    expect([...c.endpointKeys].sort()).toEqual(['127.0.0.1:1', '127.0.0.1:2']);
  });
});

describe('shouldMirror', () => {
  it('mirrors exactly the percentage, spread evenly', () => {
    const m = { percentage: 10, seen: { n: 0 } };
    const picks = Array.from({ length: 100 }, () => shouldMirror(m));
    expect(picks.filter(Boolean).length).toBe(10);
    expect(picks.indexOf(true)).toBe(9);
    const half = { percentage: 0.5, seen: { n: 0 } };
    expect(Array.from({ length: 1000 }, () => shouldMirror(half)).filter(Boolean).length).toBe(5);
    const all = { percentage: 100, seen: { n: 0 } };
    expect(shouldMirror(all)).toBe(true);
  });
});
