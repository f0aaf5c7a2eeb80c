import { describe, expect, it } from 'vitest';
import type { CanaryStrategy } from '../spec/types.js';
import { routerSettings } from './router-view.js';

const strategy = (other: Record<string, unknown>, max = 100): CanaryStrategy => ({
  type: 'canary',
  canaryService: 'shop-canary',
  stableService: 'shop',
  steps: [],
  maxSurge: '25%',
  maxUnavailable: '25%',
  scaleDownDelaySeconds: 30,
  abortScaleDownDelaySeconds: 30,
  dynamicStableScale: false,
  trafficRouting: { other, managedRoutes: [], maxTrafficWeight: max },
});

describe('routerSettings', () => {
  it('says what each router Argo drives would be set to', () => {
    const s = strategy({
      smi: {},
      nginx: { stableIngress: 'web' },
      alb: { ingress: 'edge', rootService: 'shop-root' },
      ambassador: { mappings: ['shop-map'] },
      plugins: { 'argoproj-labs/gatewayAPI': {} },
    });
    expect(routerSettings('shop', s, 30)).toEqual([
      { router: 'smi', set: 'TrafficSplit shop: backends shop-canary=30, shop=70' },
      { router: 'nginx', set: 'Ingress shop-web-canary: nginx.ingress.kubernetes.io/canary-weight: "30"' },
      { router: 'alb', set: 'Ingress edge: alb.ingress.kubernetes.io/actions.shop-root forward shop-canary=30, shop=70' },
      { router: 'ambassador', set: 'Mapping shop-map-canary: weight 30' },
      { router: 'plugin argoproj-labs/gatewayAPI', set: 'SetWeight(30)' },
    ]);
  });

  it('is empty for Istio alone and without routing', () => {
    expect(routerSettings('shop', { ...strategy({}) }, 10)).toEqual([]);
    const { trafficRouting: _t, ...basic } = strategy({});
    expect(routerSettings('shop', basic, 10)).toEqual([]);
  });
});
