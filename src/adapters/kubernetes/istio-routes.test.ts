import { describe, expect, it } from 'vitest';
import { IstioRouteError, removeManagedRoutes, setHeaderRoute, setMirrorRoute, setSubsetHashes, setVirtualServiceWeights, type IstioTarget } from './istio-routes.js';

/** The tbyte frontend VirtualService (examples/tbyte/manifests/frontend-virtualservice.yaml). */
const tbyte = () => ({
  gateways: ['istio-system/common-gateway'],
  hosts: ['tbyte.local'],
  http: [
    {
      match: [{ uri: { prefix: '/' } }],
      route: [
        { destination: { host: 'tbyte-microservices-frontend', port: { number: 80 } }, weight: 100 },
        { destination: { host: 'tbyte-microservices-frontend-canary', port: { number: 80 } }, weight: 0 },
      ],
    },
  ],
});
const hostLevel: IstioTarget = { namespace: 'tbyte', canaryService: 'tbyte-microservices-frontend-canary', stableService: 'tbyte-microservices-frontend', routes: [], managedRoutes: [] };
const weights = (spec: Record<string, unknown>, i = 0): number[] => ((spec.http as { route: { weight: number }[] }[])[i]?.route ?? []).map((d) => d.weight);

describe('Istio VirtualService edits (Argo istio.go)', () => {
  it('host-level: the only route, canary and stable destinations by Service host', () => {
    const spec = tbyte();
    const out = setVirtualServiceWeights(spec, hostLevel, 25, 75);
    expect(weights(out)).toEqual([75, 25]);
    expect(weights(spec)).toEqual([100, 0]); // the input is not changed
    expect((out.http as unknown[]).length).toBe(1);
  });

  it('a host written as an FQDN of the namespace names the same Service', () => {
    const spec = tbyte();
    spec.http[0]!.route[1]!.destination.host = 'tbyte-microservices-frontend-canary.tbyte.svc.cluster.local';
    expect(weights(setVirtualServiceWeights(spec, hostLevel, 10, 90))).toEqual([90, 10]);
  });

  it('subset-level: destinations told apart by subset; the DestinationRule subsets get the hashes', () => {
    const spec = { http: [{ name: 'primary', route: [{ destination: { host: 'svc', subset: 'stable' }, weight: 100 }, { destination: { host: 'svc', subset: 'canary' }, weight: 0 }] }] };
    const t: IstioTarget = { namespace: 'ns', canarySubset: 'canary', stableSubset: 'stable', routes: ['primary'], managedRoutes: [] };
    expect(weights(setVirtualServiceWeights(spec, t, 50, 50))).toEqual([50, 50]);
    const dr = setSubsetHashes({ host: 'svc', subsets: [{ name: 'canary', labels: { app: 'a' } }, { name: 'stable', labels: { app: 'a' } }] }, 'canary', 'stable', 'abc', 'def');
    expect(dr.subsets).toEqual([
      { name: 'canary', labels: { app: 'a', 'rollouts-pod-template-hash': 'abc' } },
      { name: 'stable', labels: { app: 'a', 'rollouts-pod-template-hash': 'def' } },
    ]);
  });

  it('a named route that does not exist, or several unnamed routes, is an error naming it', () => {
    expect(() => setVirtualServiceWeights(tbyte(), { ...hostLevel, routes: ['primary'] }, 10, 90)).toThrow(/HTTP Route 'primary' is not found/);
    const two = { http: [tbyte().http[0], tbyte().http[0]] };
    expect(() => setVirtualServiceWeights(two, hostLevel, 10, 90)).toThrow(IstioRouteError);
    expect(() => setVirtualServiceWeights(tbyte(), { ...hostLevel, canaryService: 'other' }, 10, 90)).toThrow(/must have a destination for the canary/);
  });

  it('header and mirror routes go first in managedRoutes order, weights skip them, removal deletes them', () => {
    const t = { ...hostLevel, managedRoutes: ['header', 'mirror'] };
    let spec: Record<string, unknown> = setMirrorRoute(tbyte(), t, 'mirror', [{ path: { prefix: '/api' } }], 30);
    spec = setHeaderRoute(spec, t, 'header', [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }]);
    const http = spec.http as Record<string, unknown>[];
    expect(http.map((r) => r.name ?? '')).toEqual(['header', 'mirror', '']);
    expect(http[0]).toEqual({ name: 'header', match: [{ headers: { 'x-canary': { exact: 'yes' } } }], route: [{ destination: { host: 'tbyte-microservices-frontend-canary', port: { number: 80 } }, weight: 100 }] });
    expect(http[1]).toMatchObject({ name: 'mirror', match: [{ uri: { prefix: '/api' } }], mirror: { host: 'tbyte-microservices-frontend-canary', port: { number: 80 } }, mirrorPercentage: { value: 30 } });
    const weighted = setVirtualServiceWeights(spec, t, 50, 50);
    expect(weights(weighted, 2)).toEqual([50, 50]);
    expect(weights(weighted, 0)).toEqual([100]);
    expect((removeManagedRoutes(weighted, ['header', 'mirror']).http as unknown[]).length).toBe(1);
  });
});
