import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../gateway/config/validate.js';
import { parseManifests } from '../spec/load.js';
import { buildGatewayConfig, splitWeights, type PodEndpoint, type RolloutRouting } from './gateway-config.js';

const dir = 'examples/tbyte/manifests';
const { set: tbyte } = parseManifests(readdirSync(dir).map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') })));

const pod = (owner: string, hash: string, app: string, port: number, ready = true): PodEndpoint => ({
  owner,
  hash,
  namespace: 'tbyte',
  labels: { app, 'rollouts-pod-template-hash': hash },
  address: `127.0.0.1:${port}`,
  ready,
});
const FE = 'tbyte-microservices-frontend';
const BE = 'tbyte-microservices-backend';
const pods = [pod(FE, 'stable1', FE, 41001), pod(FE, 'stable1', FE, 41002), pod(FE, 'canary2', FE, 41003), pod(BE, 'be1', BE, 42001), pod(BE, 'be1', BE, 42002, false)];
const routing = (w: number): RolloutRouting => ({
  rollout: FE,
  canaryWeight: w,
  canaryHash: 'canary2',
  stableHash: 'stable1',
  serviceSelectors: { [FE]: 'stable1', [`${FE}-canary`]: 'canary2' },
  headerRoutes: [],
  mirrorRoutes: [],
});

describe('buildGatewayConfig on the seed manifests', () => {
  it('gives a config the gateway accepts, with per-revision clusters labelled for the seed queries', () => {
    const config = buildGatewayConfig(tbyte, [routing(10)], pods, { version: 3, job: 'tbyte-microservices' });
    expect(validateConfig(config)).toMatchObject({ ok: true });
    expect(config.clusters[`tbyte/${FE}@stable1`]).toEqual({
      endpoints: ['127.0.0.1:41001', '127.0.0.1:41002'],
      labels: { job: 'tbyte-microservices', namespace: 'tbyte', service: FE, rollout: FE, revision: 'stable1', role: 'stable' },
    });
    expect(config.clusters[`tbyte/${FE}-canary@canary2`]?.labels?.role).toBe('canary');
    // Not-ready pods get no traffic.
    expect(config.clusters[`tbyte/${BE}@be1`]?.endpoints).toEqual(['127.0.0.1:42001']);
  });

  it('puts the backend API routes before the frontend catch-all and sets the rollout weights', () => {
    const config = buildGatewayConfig(tbyte, [routing(10)], pods, { version: 1, job: 'j' });
    const names = config.routes.map((r) => r.name);
    expect(names.slice(0, 3)).toEqual(['tbyte/tbyte-microservices-backend-vs/0', 'tbyte/tbyte-microservices-backend-vs/1', 'tbyte/tbyte-microservices-gateway-vs/0']);
    const api = config.routes[1];
    expect(api).toMatchObject({ hosts: ['tbyte.local'], match: [{ uri: { exact: '/api/users' } }], rewrite: { uri: '/users' } });
    const fe = config.routes[2];
    expect(fe?.destinations).toEqual([
      { cluster: `tbyte/${FE}@stable1`, weight: 9 },
      { cluster: `tbyte/${FE}-canary@canary2`, weight: 1 },
    ]);
  });

  it('sends everything to stable at weight 0 and to the canary at 100', () => {
    const at0 = buildGatewayConfig(tbyte, [routing(0)], pods, { version: 1, job: 'j' });
    expect(at0.routes.find((r) => r.name.endsWith('gateway-vs/0'))?.destinations).toEqual([{ cluster: `tbyte/${FE}@stable1`, weight: 1 }]);
    const at100 = buildGatewayConfig(tbyte, [routing(100)], pods, { version: 1, job: 'j' });
    expect(at100.routes.find((r) => r.name.endsWith('gateway-vs/0'))?.destinations).toEqual([{ cluster: `tbyte/${FE}-canary@canary2`, weight: 1 }]);
  });

  it('inserts header routes to the canary before the VirtualService routes', () => {
    const r = { ...routing(10), headerRoutes: [{ name: 'canary-header', match: [{ headerName: 'X-Canary', headerValue: { exact: 'always' } }] }] };
    const config = buildGatewayConfig(tbyte, [r], pods, { version: 1, job: 'j' });
    const i = config.routes.findIndex((x) => x.name.endsWith('/canary-header'));
    expect(i).toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(config.routes.findIndex((x) => x.name.endsWith('gateway-vs/0')));
    expect(config.routes[i]).toMatchObject({ match: [{ headers: { 'x-canary': { exact: 'always' } } }], destinations: [{ cluster: `tbyte/${FE}-canary@canary2`, weight: 1 }] });
  });

  it('gives a baseline its own cluster labelled role=baseline, its share taken from the stable', () => {
    const base = { ...pod(FE, 'base3', FE, 41004), labels: { app: FE, 'rollouts-pod-template-hash': 'base3', 'baton.dev/role': 'baseline' } };
    const r = { ...routing(10), additional: [{ name: 'baseline', hash: 'base3', role: 'baseline', weight: 10 }] };
    const config = buildGatewayConfig(tbyte, [r], [...pods, base], { version: 1, job: 'j' });
    expect(validateConfig(config)).toMatchObject({ ok: true });
    expect(config.clusters[`tbyte/${FE}@base3`]).toEqual({
      endpoints: ['127.0.0.1:41004'],
      labels: { job: 'j', namespace: 'tbyte', service: FE, rollout: FE, revision: 'base3', role: 'baseline' },
    });
    expect(config.routes.find((x) => x.name.endsWith('gateway-vs/0'))?.destinations).toEqual([
      { cluster: `tbyte/${FE}@stable1`, weight: 8 },
      { cluster: `tbyte/${FE}-canary@canary2`, weight: 1 },
      { cluster: `tbyte/${FE}@base3`, weight: 1 },
    ]);
    // No ready baseline pod yet: its share stays with the others instead of answering 503.
    const notReady = buildGatewayConfig(tbyte, [r], [...pods, { ...base, ready: false }], { version: 1, job: 'j' });
    expect(notReady.routes.find((x) => x.name.endsWith('gateway-vs/0'))?.destinations.map((d) => d.cluster)).toEqual([`tbyte/${FE}@stable1`, `tbyte/${FE}-canary@canary2`]);
  });

  it('makes every Service reachable by its own name', () => {
    const config = buildGatewayConfig(tbyte, [routing(0)], pods, { version: 1, job: 'j' });
    expect(config.routes.find((r) => r.hosts?.includes(BE))).toMatchObject({ destinations: [{ cluster: `tbyte/${BE}@be1`, weight: 1 }] });
  });

  it('puts a Service without a namespace in `default`, with the pods of workloads that have none', () => {
    const { set } = parseManifests([
      {
        path: 'app.yaml',
        text: 'apiVersion: v1\nkind: Service\nmetadata: {name: users}\nspec:\n  selector: {app: users}\n  ports: [{port: 80, targetPort: 3000}]\n',
      },
    ]);
    const users: PodEndpoint = { owner: 'users', hash: 'h1', namespace: 'default', labels: { app: 'users', 'pod-template-hash': 'h1' }, address: '127.0.0.1:41500', ready: true };
    const other: PodEndpoint = { ...users, namespace: 'prod', address: '127.0.0.1:41501' };
    const config = buildGatewayConfig(set, [], [users, other], { version: 1, job: 'j' });
    const route = config.routes.find((r) => r.name === 'service/users');
    expect(route?.hosts).toEqual(['users', 'users.default', 'users.default.svc', 'users.default.svc.cluster.local']);
    expect(route?.destinations).toEqual([{ cluster: 'users@h1', weight: 1 }]);
    expect(config.clusters['users@h1']?.endpoints).toEqual(['127.0.0.1:41500']);
  });
});

describe('splitWeights', () => {
  it('keeps each destination share exact while splitting it over revisions by ready pods', () => {
    const out = splitWeights([
      { weight: 90, clusters: [{ name: 'a', ready: 2 }, { name: 'b', ready: 1 }] },
      { weight: 10, clusters: [{ name: 'c', ready: 1 }] },
    ]);
    expect(out).toEqual([{ cluster: 'a', weight: 6 }, { cluster: 'b', weight: 3 }, { cluster: 'c', weight: 1 }]);
  });
});

describe('Istio match conditions the gateway does not evaluate', () => {
  it('never widen a route: an entry using one is left out, a route with only such entries is dropped', () => {
    const vs = tbyte.virtualServices.find((v) => v.metadata.name === 'tbyte-microservices-backend-vs');
    if (!vs) throw new Error('fixture');
    const narrowed = structuredClone(tbyte);
    const target = narrowed.virtualServices.find((v) => v.metadata.name === vs.metadata.name);
    if (!target?.spec.http[0]) throw new Error('fixture');
    target.spec.http[0].match = [{ queryParams: { debug: { exact: '1' } } }];
    const config = buildGatewayConfig(narrowed, [routing(0)], pods, { version: 1, job: 'j' });
    expect(config.routes.map((r) => r.name)).not.toContain('tbyte/tbyte-microservices-backend-vs/0');
    expect(config.routes.some((r) => r.match === undefined && r.hosts?.includes('tbyte.local') && r.name.includes('backend'))).toBe(false);
  });
});
