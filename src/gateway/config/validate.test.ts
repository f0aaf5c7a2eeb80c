import { describe, expect, it } from 'vitest';
import { validateConfig, checkRe2Regex } from './validate.js';

const good = {
  version: 7,
  routes: [
    { name: 'api-health', hosts: ['tbyte.local'], match: [{ uri: { exact: '/api/health' } }], rewrite: { uri: '/health' }, destinations: [{ cluster: 'backend-stable', weight: 100 }] },
    {
      name: 'frontend',
      hosts: ['tbyte.local', '*'],
      match: [{ uri: { prefix: '/' }, headers: { 'x-canary': { exact: 'always' } } }],
      timeoutMs: 15000,
      destinations: [
        { cluster: 'backend-stable', weight: 90 },
        { cluster: 'canary', weight: 10 },
      ],
      mirror: { cluster: 'canary', percentage: 0 },
      hashOn: { header: 'x-user' },
    },
  ],
  clusters: {
    'backend-stable': { endpoints: ['127.0.0.1:41001', '127.0.0.1:41002'], labels: { role: 'stable' } },
    canary: { endpoints: [] },
  },
};

describe('validateConfig', () => {
  it('accepts the contract example', () => {
    const v = validateConfig(good);
    expect(v.ok).toBe(true);
  });

  it('lists every problem with its JSON path', () => {
    const bad = {
      version: -1,
      routes: [
        { name: 'a', match: [{ uri: { exact: '/', prefix: '/' } }], destinations: [{ cluster: 'nope', weight: 10 }] },
        { name: 'a', hosts: ['bad host'], destinations: [{ cluster: 'c', weight: 'x' }], mirror: { cluster: 'c', percentage: 101 }, hashOn: { ip: true } },
        { name: 'b', match: [{ headers: { 'x-a': { regex: '(?=a)b' } } }], destinations: [{ cluster: 'c', weight: 0 }] },
      ],
      clusters: { c: { endpoints: ['localhost', '127.0.0.1:99999', '127.0.0.1:1', '127.0.0.1:1'], labels: { status: 'x', '0bad': 'y' } } },
      extra: 1,
    };
    const v = validateConfig(bad);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const paths = v.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'extra',
        'version',
        'clusters.c.endpoints[0]',
        'clusters.c.endpoints[1]',
        'clusters.c.endpoints[3]',
        'clusters.c.labels.status',
        'clusters.c.labels.0bad',
        'routes[0].match[0].uri',
        'routes[0].destinations[0].cluster',
        'routes[1].name',
        'routes[1].hosts[0]',
        'routes[1].destinations[0].weight',
        'routes[1].mirror.percentage',
        'routes[1].hashOn',
        'routes[2].match[0].headers.x-a.regex',
        'routes[2].destinations',
      ]),
    );
    expect(paths).not.toContain('clusters.c.endpoints[2]');
  });

  it('refuses non-objects and missing parts', () => {
    expect(validateConfig(null)).toEqual({ ok: false, problems: [{ path: '$', message: 'config must be a JSON object' }] });
    const v = validateConfig({ version: 1 });
    expect(v.ok ? [] : v.problems.map((p) => p.path)).toEqual(['clusters', 'routes']);
  });

  it('lets a single destination omit its weight (Istio gives it 100)', () => {
    expect(validateConfig({ version: 1, routes: [{ name: 'r', destinations: [{ cluster: 'c' }] }], clusters: { c: { endpoints: [] } } }).ok).toBe(true);
    expect(validateConfig({ version: 1, routes: [{ name: 'r', destinations: [{ cluster: 'c' }, { cluster: 'c', weight: 1 }] }], clusters: { c: { endpoints: [] } } }).ok).toBe(false);
  });
});

describe('checkRe2Regex', () => {
  it('refuses what RE2 does not have, and broken patterns', () => {
    expect(checkRe2Regex('/api/v[0-9]+/.*')).toBeUndefined();
    expect(checkRe2Regex('a(?!b)')).toMatch(/lookaround/);
    expect(checkRe2Regex('(a)\\1')).toMatch(/backreference/);
    expect(checkRe2Regex('[')).toMatch(/not a valid/);
  });
});
