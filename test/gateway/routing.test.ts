/**
 * Routing through a real gateway to real upstream servers on 127.0.0.1: the weighted split,
 * header routes, host and path matching with rewrite, stickiness, and the answers the gateway
 * gives itself (404/413/502/503/504).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/gateway/server.js';
import { blast, send, splitConfig, startTestGateway, startUpstream, type Upstream } from './support.js';
import { freePort } from '../support/net.js';

let stable: Upstream;
let canary: Upstream;
let slow: Upstream;
let gw: RunningGateway;
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  stable = await startUpstream('stable');
  canary = await startUpstream('canary');
  slow = await startUpstream('slow', (_req, res) => {
    const t = setTimeout(() => res.end('late'), 2_000);
    res.on('close', () => clearTimeout(t));
  });
  gw = await startTestGateway();
  cleanup.push(() => gw.close(), () => stable.close(), () => canary.close(), () => slow.close());
});
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const clusters = () => ({
  stable: { endpoints: [stable.key], labels: { role: 'stable' } },
  canary: { endpoints: [canary.key], labels: { role: 'canary' } },
});

describe('weighted split', () => {
  it('sends 10 % of 10,000 requests to the canary, within 1 %', async () => {
    expect((await gw.apply(splitConfig(1, clusters(), { stable: 90, canary: 10 }))).ok).toBe(true);
    const replies = await blast(gw.url, '/', 10_000);
    const toCanary = replies.filter((r) => r.body === 'canary').length;
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(Math.abs(toCanary - 1000)).toBeLessThanOrEqual(100);
    const metrics = await send(gw.adminUrl, '/metrics');
    expect(metrics.body).toContain(`http_requests_total{role="canary",route="main",method="GET",status="200"} ${toCanary}`);
  });

  it('keeps a user on one side with hashOn while the weights stay the same', async () => {
    await gw.apply(splitConfig(2, clusters(), { stable: 50, canary: 50 }, { hashOn: { header: 'x-user' } }));
    const sides = new Map<string, string>();
    for (let u = 0; u < 40; u++) {
      for (let k = 0; k < 3; k++) {
        const r = await send(gw.url, '/', { headers: { 'x-user': `user-${u}` } });
        const prior = sides.get(`user-${u}`);
        if (prior !== undefined) expect(r.body).toBe(prior);
        sides.set(`user-${u}`, r.body);
      }
    }
    const values = [...sides.values()];
    expect(values).toContain('stable');
    expect(values).toContain('canary');

    await gw.apply(splitConfig(3, clusters(), { stable: 50, canary: 50 }, { hashOn: { cookie: 'session' } }));
    const first = await send(gw.url, '/', { headers: { cookie: 'a=1; session=s-42' } });
    for (let k = 0; k < 5; k++) expect((await send(gw.url, '/', { headers: { cookie: `session=s-42; b=${k}` } })).body).toBe(first.body);
  });
});

describe('matching', () => {
  beforeAll(async () => {
    const out = await gw.apply({
      version: 10,
      routes: [
        { name: 'api-health', hosts: ['tbyte.local'], match: [{ uri: { exact: '/api/health' } }], rewrite: { uri: '/health' }, destinations: [{ cluster: 'stable', weight: 100 }] },
        { name: 'api', hosts: ['*.tbyte.local'], match: [{ uri: { prefix: '/api/' } }], rewrite: { uri: '/v2/', authority: 'backend.internal' }, destinations: [{ cluster: 'canary', weight: 100 }] },
        { name: 'canary-header', hosts: ['tbyte.local'], match: [{ uri: { prefix: '/' }, headers: { 'x-canary': { exact: 'always' } } }], destinations: [{ cluster: 'canary', weight: 100 }] },
        { name: 'posts', hosts: ['tbyte.local'], match: [{ uri: { regex: '/items/[0-9]+' }, method: { exact: 'POST' } }], destinations: [{ cluster: 'canary', weight: 100 }] },
        { name: 'frontend', hosts: ['tbyte.local'], match: [{ uri: { prefix: '/' } }], destinations: [{ cluster: 'stable', weight: 100 }] },
      ],
      clusters: clusters(),
    });
    expect(out).toMatchObject({ ok: true, version: 10 });
  });

  it('routes by header', async () => {
    expect((await send(gw.url, '/page', { headers: { host: 'tbyte.local', 'x-canary': 'always' } })).body).toBe('canary');
    expect((await send(gw.url, '/page', { headers: { host: 'tbyte.local', 'x-canary': 'sometimes' } })).body).toBe('stable');
    expect((await send(gw.url, '/page', { headers: { host: 'tbyte.local' } })).body).toBe('stable');
  });

  it('matches host and exact path and rewrites the path, keeping the query', async () => {
    const before = stable.seen.length;
    const r = await send(gw.url, '/api/health?probe=1', { headers: { host: 'TByte.local:8080' } });
    expect(r.body).toBe('stable');
    expect(stable.seen[before]?.url).toBe('/health?probe=1');
    expect(stable.seen[before]?.headers['x-forwarded-host']).toBe('TByte.local:8080');
  });

  it('matches *.suffix hosts and rewrites a prefix and the authority', async () => {
    const before = canary.seen.length;
    expect((await send(gw.url, '/api/users/7', { headers: { host: 'eu.tbyte.local' } })).body).toBe('canary');
    expect(canary.seen[before]?.url).toBe('/v2/users/7');
    expect(canary.seen[before]?.headers.host).toBe('backend.internal');
  });

  it('matches regex on the whole path and the method', async () => {
    expect((await send(gw.url, '/items/12', { method: 'POST', headers: { host: 'tbyte.local' }, body: 'x' })).body).toBe('canary');
    expect((await send(gw.url, '/items/12', { headers: { host: 'tbyte.local' } })).body).toBe('stable');
    expect((await send(gw.url, '/items/12/x', { method: 'POST', headers: { host: 'tbyte.local' }, body: 'x' })).body).toBe('stable');
  });

  it('answers 404 with a JSON body when no route matches', async () => {
    const r = await send(gw.url, '/page', { headers: { host: 'elsewhere.example' } });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'no-route' });
    expect(r.headers['content-type']).toBe('application/json');
  });
});

describe('answers of the gateway itself', () => {
  it('413 for a body over the limit, by content-length and when chunked', async () => {
    await gw.apply(splitConfig(20, clusters(), { stable: 100 }, { maxRequestBodyBytes: 1000 }));
    const r = await send(gw.url, '/', { method: 'POST', body: 'x'.repeat(1001) });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'body-too-large', route: 'main', cluster: 'stable' });
    const ok = await send(gw.url, '/', { method: 'POST', body: 'x'.repeat(1000) });
    expect(ok.status).toBe(200);

    const chunked = await new Promise<number>((resolve, reject) => {
      const u = new URL(gw.url);
      void import('node:http').then(({ request }) => {
        const req = request({ host: u.hostname, port: u.port, method: 'POST', path: '/', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write('y'.repeat(600));
        req.write('y'.repeat(600));
        req.end();
      });
    });
    expect(chunked).toBe(413);
  });

  it('503 when the cluster has no endpoint', async () => {
    await gw.apply({ version: 21, routes: [{ name: 'empty', destinations: [{ cluster: 'none', weight: 100 }] }], clusters: { none: { endpoints: [] } } });
    const r = await send(gw.url, '/');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'no-endpoint', route: 'empty', cluster: 'none' });
  });

  it('502 when no endpoint of the route is reachable', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    await gw.apply({ version: 22, routes: [{ name: 'dead', destinations: [{ cluster: 'gone', weight: 100 }] }], clusters: { gone: { endpoints: [dead] } } });
    const r = await send(gw.url, '/');
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'upstream-unreachable', route: 'dead', cluster: 'gone' });
    const stats = JSON.parse((await send(gw.adminUrl, '/stats?cluster=gone&window=60s')).body) as { connectionFailures: number; errors5xx: number };
    expect(stats.connectionFailures).toBeGreaterThanOrEqual(1);
    expect(stats.errors5xx).toBe(1);
  });

  it('504 when the upstream answers later than the route timeout', async () => {
    await gw.apply({ version: 23, routes: [{ name: 'slow', timeoutMs: 200, destinations: [{ cluster: 'slow', weight: 100 }] }], clusters: { slow: { endpoints: [slow.key] } } });
    const t0 = performance.now();
    const r = await send(gw.url, '/');
    expect(r.status).toBe(504);
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'upstream-timeout', route: 'slow', cluster: 'slow' });
  });
});
