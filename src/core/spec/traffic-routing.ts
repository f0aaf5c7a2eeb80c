/**
 * `spec.strategy.canary.trafficRouting`: Istio VirtualService(s) and DestinationRule, managed
 * routes, and the routers Baton does not drive (kept as written, with a warning).
 */
import type { IstioTrafficRouting, TrafficRouting } from './types.js';
import { DEFAULT_MAX_TRAFFIC_WEIGHT } from './defaults.js';
import type { Field } from './fields.js';
import type { FieldPath } from './yaml-positions.js';

/** A VirtualService the canary routes through, with where its name was written. */
export interface VirtualServiceUse {
  name: string;
  routes: string[];
  path: FieldPath;
}

/** What the canary strategy refers to by name, with paths, for cross-checks. */
export interface CanaryRefs {
  virtualServices: VirtualServiceUse[];
  destinationRulePath?: FieldPath;
}

/** Reads `trafficRouting`; Istio names are added to `refs` for cross-checks. */
export function readTrafficRouting(f: Field, refs: CanaryRefs): TrafficRouting | undefined {
  if (!f.object()) return undefined;
  const tr: TrafficRouting = {
    other: {},
    managedRoutes: f
      .get('managedRoutes')
      .list()
      .map((r) => r.get('name').string({ required: true }) ?? ''),
    maxTrafficWeight: f.get('maxTrafficWeight').int({ min: 1 }) ?? DEFAULT_MAX_TRAFFIC_WEIGHT,
  };
  for (const key of f.keys()) {
    if (key === 'istio' || key === 'managedRoutes' || key === 'maxTrafficWeight') continue;
    tr.other[key] = f.get(key).value;
    f.get(key).warning('unsupported-traffic-router', `traffic router "${key}" is not supported by Baton`, 'Baton routes through trafficRouting.istio');
  }
  // Argo `ValidateRolloutStrategyCanary`: only the NGINX router and plugins take another scale.
  if (f.get('maxTrafficWeight').present && !f.get('nginx').present && !f.get('plugins').present) {
    f.get('maxTrafficWeight').error('invalid-value', 'Canary maxTrafficWeight in traffic routing only support in Nginx and Plugins');
  }
  const istio = f.get('istio');
  if (istio.object()) {
    const ir: IstioTrafficRouting = { virtualServices: [] };
    const single = istio.get('virtualService');
    const multi = istio.get('virtualServices');
    if (single.present === multi.present) {
      istio.error('invalid-istio', 'either VirtualService or VirtualServices must be configured', 'set virtualService: {name: ...}');
    }
    const entries = single.present ? [single] : multi.list();
    for (const vs of entries) {
      if (!vs.object()) continue;
      const name = vs.get('name').string({ required: true });
      if (name === undefined) continue;
      const routes = vs.get('routes').stringList();
      ir.virtualServices.push({ name, routes, tlsRoutes: vs.get('tlsRoutes').list().map((x) => x.value), tcpRoutes: vs.get('tcpRoutes').list().map((x) => x.value) });
      refs.virtualServices.push({ name, routes, path: [...vs.path, 'name'] });
    }
    const dr = istio.get('destinationRule');
    if (dr.object()) {
      ir.destinationRule = {
        name: dr.get('name').string({ required: true }) ?? '',
        canarySubsetName: dr.get('canarySubsetName').string({ required: true }) ?? '',
        stableSubsetName: dr.get('stableSubsetName').string({ required: true }) ?? '',
      };
      refs.destinationRulePath = [...dr.path, 'name'];
    }
    tr.istio = ir;
  }
  return tr;
}
