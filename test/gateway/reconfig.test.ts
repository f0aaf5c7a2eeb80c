/**
 * Zero dropped requests: config swaps under load, an endpoint leaving while its slow request is
 * in flight (and the drain API telling when it is idle), and an upstream process killed while
 * another endpoint of the cluster is up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/gateway/server.js';
import { createGatewayClient } from '../../src/adapters/traffic/gateway/client.js';
import { blast, send, spawnUpstream, splitConfig, startTestGateway, startUpstream, type Upstream } from './support.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startTestGateway();
  cleanup.push(() => gw.close());
});

describe('config swaps', () => {
  it('swaps the config every 50 ms under load without failing a request', async () => {
    const ups: Upstream[] = [];
    for (const n of ['a1', 'a2', 'a3', 'b1']) {
      const u = await startUpstream(n);
      ups.push(u);
      cleanup.push(() => u.close());
    }
    const [a1, a2, a3, b1] = ups as [Upstream, Upstream, Upstream, Upstream];
    let version = 100;
    const configFor = (v: number) =>
      splitConfig(
        v,
        { stable: { endpoints: v % 2 === 0 ? [a1.key, a2.key] : [a2.key, a3.key], labels: { role: 'stable' } }, canary: { endpoints: [b1.key], labels: { role: 'canary' } } },
        { stable: 100 - (v % 5) * 20, canary: (v % 5) * 20 },
      );
    await gw.apply(configFor(version));
    let swapping = true;
    let swaps = 0;
    const swapper = (async () => {
      while (swapping) {
        await new Promise((r) => setTimeout(r, 50));
        const out = await gw.apply(configFor(++version));
        expect(out.ok).toBe(true);
        swaps++;
      }
    })();
    const replies = await blast(gw.url, '/', 3_000, 16);
    swapping = false;
    await swapper;
    expect(swaps).toBeGreaterThanOrEqual(5);
    const failed = replies.filter((r) => r.status !== 200);
    expect(failed).toEqual([]);
    expect(new Set(replies.map((r) => r.body))).toEqual(new Set(['a1', 'a2', 'a3', 'b1']));
  });
});

describe('endpoints leaving', () => {
  it("lets a removed endpoint's slow in-flight request complete, and tells when it is drained", async () => {
    let arrived!: () => void;
    const arrivedP = new Promise<void>((r) => (arrived = r));
    let release!: () => void;
    const releaseP = new Promise<void>((r) => (release = r));
    const old = await startUpstream('old', (_req, res) => {
      arrived();
      void releaseP.then(() => res.end('old-finished'));
    });
    const fresh = await startUpstream('new');
    cleanup.push(() => old.close(), () => fresh.close());
    const client = createGatewayClient(gw.adminUrl, gw.adminToken);
    await client.putConfig(splitConfig(200, { app: { endpoints: [old.key] } }, { app: 100 }));

    const slowReply = send(gw.url, '/slow', { agent: false });
    await arrivedP;
    await client.putConfig(splitConfig(201, { app: { endpoints: [fresh.key] } }, { app: 100 }));

    // New requests go to the endpoint in the config; the old one keeps its request.
    expect((await send(gw.url, '/')).body).toBe('new');
    expect(await client.endpoints()).toContainEqual({ endpoint: old.key, inFlight: 1, inConfig: false });
    expect(await client.waitDrained(old.key, 50)).toBe(false);

    const drained = client.waitDrained(old.key, 10_000);
    release();
    expect(await slowReply).toMatchObject({ status: 200, body: 'old-finished' });
    expect(await drained).toBe(true);
    expect((await client.endpoints()).some((e) => e.endpoint === old.key)).toBe(false);
  });

  it('retries on the other endpoint when an upstream process is killed: no client error', async () => {
    const p1 = await spawnUpstream('p1');
    const p2 = await spawnUpstream('p2');
    cleanup.push(() => p1.kill(), () => p2.kill());
    await gw.apply(splitConfig(300, { app: { endpoints: [p1.key, p2.key] } }, { app: 100 }));
    // Warm keep-alive connections to both, so the kill leaves stale pooled sockets behind.
    const warm = await blast(gw.url, '/', 200, 8);
    expect(new Set(warm.map((r) => r.body))).toEqual(new Set(['p1', 'p2']));
    await p1.kill();
    const after = await blast(gw.url, '/', 500, 8);
    expect(after.filter((r) => r.status !== 200)).toEqual([]);
    expect(after.every((r) => r.body === 'p2')).toBe(true);
    const metrics = await send(gw.adminUrl, '/metrics');
    const retries = Number(/baton_gateway_upstream_retries_total (\d+)/.exec(metrics.body)?.[1]);
    expect(retries).toBeGreaterThan(0);
    // The refusing endpoint is passed over after its first refusal, instead of costing every other request a failed connect.
    const connectErrors = Number(/baton_gateway_upstream_connect_errors_total (\d+)/.exec(metrics.body)?.[1]);
    expect(connectErrors).toBeLessThan(50);
  });
});

describe('retries', () => {
  it('retries a GET cut before any answer on another endpoint, but never a POST whose body was sent', async () => {
    const cut = await startUpstream('cut', (req) => req.socket.destroy());
    const fine = await startUpstream('fine');
    cleanup.push(() => cut.close(), () => fine.close());
    // The route's other destination (weight > 0) is where the retry goes when the cluster has no other endpoint.
    await gw.apply({
      version: 400,
      routes: [{ name: 'r', destinations: [{ cluster: 'first', weight: 100 }, { cluster: 'second', weight: 1 }] }],
      clusters: { first: { endpoints: [cut.key] }, second: { endpoints: [fine.key] } },
    });
    const get = await send(gw.url, '/read', { agent: false });
    expect(get).toMatchObject({ status: 200, body: 'fine' });

    const before = { cut: cut.seen.length, fine: fine.seen.length };
    const post = await send(gw.url, '/write', { method: 'POST', body: 'order=1', agent: false });
    expect(post.status).toBe(502);
    expect(JSON.parse(post.body)).toMatchObject({ error: 'upstream-unreachable', route: 'r', cluster: 'first' });
    expect(cut.seen.length - before.cut).toBe(1);
    expect(fine.seen.length - before.fine).toBe(0);
  });
});
