/**
 * The embedded TrafficRouter end to end: rollout traffic effects -> routing state -> a config
 * built from the seed's manifests -> a real gateway -> real upstream servers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayClient } from '../../src/adapters/traffic/gateway/client.js';
import { createGatewayRouter, type GatewayRouter } from '../../src/adapters/traffic/gateway/router.js';
import type { PodEndpoint } from '../../src/core/routing/gateway-config.js';
import { parseManifests } from '../../src/core/spec/load.js';
import type { RunningGateway } from '../../src/gateway/server.js';
import { send, startTestGateway, startUpstream, type Upstream } from '../gateway/support.js';

const dir = 'examples/tbyte/manifests';
const { set: manifests } = parseManifests(readdirSync(dir).map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') })));
const rollout = manifests.rollouts[0];
if (!rollout) throw new Error('the seed has a Rollout');
const FE = 'tbyte-microservices-frontend';

let gateway: RunningGateway;
let stableA: Upstream;
let stableB: Upstream;
let canary: Upstream;
let router: GatewayRouter;
let pods: PodEndpoint[];

const pod = (u: Upstream, hash: string): PodEndpoint => ({ owner: FE, hash, namespace: 'tbyte', labels: { app: FE }, address: u.key, ready: true });

async function hits(n: number, headers: Record<string, string> = {}): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await send(gateway.url, '/', { headers: { host: 'tbyte.local', ...headers } });
    expect(r.status).toBe(200);
    counts[r.body] = (counts[r.body] ?? 0) + 1;
  }
  return counts;
}

beforeAll(async () => {
  [stableA, stableB, canary] = await Promise.all([startUpstream('stable-a'), startUpstream('stable-b'), startUpstream('canary')]);
  gateway = await startTestGateway();
  pods = [pod(stableA, 'v1'), pod(stableB, 'v1'), pod(canary, 'v2')];
  router = createGatewayRouter({ client: createGatewayClient(gateway.adminUrl, gateway.adminToken), manifests: () => manifests, pods: () => pods, job: 'tbyte-microservices' });
  await router.apply(rollout, { type: 'setServiceSelector', role: 'stable', service: FE, hash: 'v1' });
  await router.apply(rollout, { type: 'setServiceSelector', role: 'canary', service: `${FE}-canary`, hash: 'v2' });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([stableA, stableB, canary].map((u) => u?.close()));
});

describe('gateway TrafficRouter', () => {
  it('sends all traffic to stable at weight 0', async () => {
    const counts = await hits(40);
    expect(counts.canary ?? 0).toBe(0);
    expect((counts['stable-a'] ?? 0) + (counts['stable-b'] ?? 0)).toBe(40);
  });

  it('shifts exactly the canary weight to the canary pods', async () => {
    await router.apply(rollout, { type: 'setWeight', canary: 25, stable: 75, canaryHash: 'v2', stableHash: 'v1' });
    const counts = await hits(400);
    expect(counts.canary).toBe(100);
    const config = await createGatewayClient(gateway.adminUrl, gateway.adminToken).getConfig();
    expect(config.version).toBe(router.version);
  });

  it('routes a header to the canary while the route is set, and stops when it is removed', async () => {
    await router.apply(rollout, { type: 'setHeaderRoute', name: 'canary-header', match: [{ headerName: 'x-canary', headerValue: { exact: 'always' } }] });
    expect(await hits(20, { 'x-canary': 'always' })).toEqual({ canary: 20 });
    await router.apply(rollout, { type: 'removeManagedRoutes', names: ['canary-header'] });
    const after = await hits(40, { 'x-canary': 'always' });
    expect(after.canary).toBe(10);
  });

  it('drains a pod: no new requests reach it, and the router says when it is idle', async () => {
    expect(await router.drain(stableA.key, 5_000)).toBe(true);
    const before = stableA.seen.length;
    const counts = await hits(40);
    expect(stableA.seen.length).toBe(before);
    expect(counts['stable-a']).toBeUndefined();
    expect((counts['stable-b'] ?? 0) + (counts.canary ?? 0)).toBe(40);
  });

  it('notices a config it did not push and pushes its own again, once', async () => {
    const client = createGatewayClient(gateway.adminUrl, gateway.adminToken);
    expect(await router.restoreIfChanged()).toBe(false);
    const own = await client.getConfig();
    // Someone else reroutes everything to the canary, with a version far ahead.
    const toCanary = (ds: NonNullable<(typeof own.routes)[number]['destinations']>): typeof ds => (ds.some((d) => d.cluster.includes('canary')) ? ds.map((d) => ({ ...d, weight: d.cluster.includes('canary') ? 100 : 0 })) : ds);
    await client.putConfig({ ...own, version: 5000, routes: own.routes.map((r) => ({ ...r, destinations: toCanary(r.destinations ?? []) })) });
    expect(await hits(20)).toEqual({ canary: 20 });
    expect(await router.restoreIfChanged()).toBe(true);
    const restored = await client.getConfig();
    expect(restored.version).toBe(5001);
    expect({ ...restored, version: own.version }).toEqual(own);
    expect((await hits(40)).canary).toBe(10);
    expect(await router.restoreIfChanged()).toBe(false);
  });

  it('keeps what each rollout asked, for a restart', () => {
    expect(router.routing()).toEqual([
      expect.objectContaining({ rollout: FE, canaryWeight: 25, canaryHash: 'v2', stableHash: 'v1', headerRoutes: [], serviceSelectors: { [FE]: 'v1', [`${FE}-canary`]: 'v2' } }),
    ]);
  });
});
