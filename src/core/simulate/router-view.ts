/**
 * What each traffic router other than Istio would be set to for a canary weight, so `baton
 * simulate` can show the decisions for routers Baton does not drive. Object names and fields as
 * Argo Rollouts v1.9's reconcilers write them (`rollout/trafficrouting/<router>/`): SMI's
 * TrafficSplit, the NGINX canary Ingress annotation, the ALB action annotation, Ambassador's
 * canary Mapping, Traefik's weighted TraefikService, APISIX's Route, App Mesh's virtual router
 * and step plugins.
 *
 * Worked example: `smi: {trafficSplitName: shop-split}`, canaryService `shop-canary`,
 * stableService `shop`, weight 20 -> `TrafficSplit shop-split: backends shop-canary=20, shop=80`.
 */
import type { CanaryStrategy } from '../spec/types.js';

/** One router's setting for a weight. */
export interface RouterSetting {
  router: string;
  /** What Argo would write, e.g. `TrafficSplit shop-split: backends shop-canary=20, shop=80`. */
  set: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The settings of every non-Istio router of `strategy` for `canary` (of `max`) percent. */
export function routerSettings(rollout: string, strategy: CanaryStrategy, canary: number): RouterSetting[] {
  const routing = strategy.trafficRouting;
  if (!routing) return [];
  const max = routing.maxTrafficWeight;
  const stable = max - canary;
  const canarySvc = strategy.canaryService ?? '<canaryService>';
  const stableSvc = strategy.stableService ?? '<stableService>';
  const out: RouterSetting[] = [];
  for (const [router, raw] of Object.entries(routing.other)) {
    const r = obj(raw);
    switch (router) {
      case 'smi': {
        const name = str(r.trafficSplitName) ?? rollout;
        out.push({ router, set: `TrafficSplit ${name}: backends ${canarySvc}=${canary}, ${str(r.rootService) ?? stableSvc}=${stable}` });
        break;
      }
      case 'nginx': {
        const prefix = str(r.annotationPrefix) ?? 'nginx.ingress.kubernetes.io';
        const ingresses = [str(r.stableIngress), ...list(r.stableIngresses).map(str)].filter((x): x is string => x !== undefined);
        const total = max !== 100 ? `, ${prefix}/canary-weight-total: "${max}"` : '';
        for (const ingress of ingresses.length ? ingresses : ['<stableIngress>']) {
          out.push({ router, set: `Ingress ${rollout}-${ingress}-canary: ${prefix}/canary-weight: "${canary}"${total}` });
        }
        break;
      }
      case 'alb': {
        const action = str(r.rootService) ?? stableSvc;
        const ingresses = [str(r.ingress), ...list(r.ingresses).map(str)].filter((x): x is string => x !== undefined);
        const prefix = str(r.annotationPrefix) ?? 'alb.ingress.kubernetes.io';
        for (const ingress of ingresses.length ? ingresses : ['<ingress>']) {
          out.push({ router, set: `Ingress ${ingress}: ${prefix}/actions.${action} forward ${canarySvc}=${canary}, ${stableSvc}=${stable}` });
        }
        break;
      }
      case 'ambassador':
        for (const mapping of list(r.mappings).map(str).filter((x): x is string => x !== undefined)) {
          out.push({ router, set: `Mapping ${mapping}-canary: weight ${canary}` });
        }
        break;
      case 'traefik':
        out.push({ router, set: `TraefikService ${str(r.weightedTraefikServiceName) ?? '<weightedTraefikServiceName>'}: ${canarySvc}=${canary}, ${stableSvc}=${stable}` });
        break;
      case 'apisix':
        out.push({ router, set: `ApisixRoute ${str(obj(r.route).name) ?? '<route>'}: backends ${canarySvc}=${canary}, ${stableSvc}=${stable}` });
        break;
      case 'appMesh': {
        const router_ = str(obj(r.virtualService).name) ?? '<virtualService>';
        out.push({ router, set: `VirtualRouter of ${router_}: canary target=${canary}, stable target=${stable}` });
        break;
      }
      case 'plugins':
        for (const name of Object.keys(r)) out.push({ router: `plugin ${name}`, set: `SetWeight(${canary})` });
        break;
      default:
        out.push({ router, set: `weight canary=${canary}, stable=${stable}` });
    }
  }
  return out;
}
