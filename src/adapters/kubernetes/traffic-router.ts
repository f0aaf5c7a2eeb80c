/**
 * The TrafficRouter port on a cluster: Service selectors patched with the revision's
 * `rollouts-pod-template-hash` (Argo `rollout/service.go`, with its
 * `argo-rollouts.argoproj.io/managed-by-rollouts` annotation), and Istio VirtualServices and
 * DestinationRules edited as Argo does (src/adapters/kubernetes/istio-routes.ts). Each edit reads
 * the object from the informer cache, changes it, and writes it with its resourceVersion; a 409
 * Conflict (someone wrote it meanwhile) is retried on a fresh read. Unchanged objects are not
 * written.
 */
import type { Rollout } from '../../core/spec/types.js';
import type { TrafficEffect, TrafficRouter } from '../../ports/traffic-router.js';
import { HASH_LABEL } from './analysis-run-object.js';
import { isConflict, type KubeClient } from './client.js';
import type { Informer } from './informer.js';
import { removeManagedRoutes, setHeaderRoute, setMirrorRoute, setSubsetHashes, setVirtualServiceWeights, type IstioTarget } from './istio-routes.js';
import { RESOURCES, type KubeObject, type ResourceType } from './resources.js';

export const MANAGED_BY_ANNOTATION = 'argo-rollouts.argoproj.io/managed-by-rollouts';

export interface KubeTrafficRouterOptions {
  client: KubeClient;
  namespace: string;
  virtualServices: Informer;
  destinationRules: Informer;
  /** When given, a Service that selects the hash already is not written again. */
  services?: Informer;
  /** Conflicts retried before giving up (the work queue retries the rollout later). */
  conflictRetries?: number;
}

type Obj = Record<string, unknown>;

/** `name` or `name.namespace`, as Argo reads `virtualService.name`. */
function splitName(name: string, namespace: string): [string, string] {
  const dot = name.indexOf('.');
  return dot < 0 ? [name, namespace] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** See the file comment. */
export function createKubeTrafficRouter(o: KubeTrafficRouterOptions): TrafficRouter {
  /** Reads, edits and writes one object; a conflict means a fresh read and another try. */
  const edit = async (rt: ResourceType, cache: Informer, namespace: string, name: string, change: (spec: Obj) => Obj, rollout: string): Promise<void> => {
    let cached: KubeObject | undefined = cache.get(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const obj: KubeObject = cached ?? (await o.client.get(rt, namespace, name));
      const spec = (obj.spec ?? {}) as Obj;
      const next = change(spec);
      const annotations = obj.metadata.annotations ?? {};
      if (JSON.stringify(next) === JSON.stringify(spec) && annotations[MANAGED_BY_ANNOTATION] === rollout) return;
      const body = { ...obj, metadata: { ...obj.metadata, annotations: { ...annotations, [MANAGED_BY_ANNOTATION]: rollout } }, spec: next };
      try {
        cache.remember(await o.client.update(rt, namespace, name, body));
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= (o.conflictRetries ?? 5)) throw e;
        cached = undefined;
      }
    }
  };

  const istioTargets = (rollout: Rollout): { vs: [string, string]; target: IstioTarget }[] => {
    const strategy = rollout.spec.strategy;
    if (strategy.type !== 'canary' || !strategy.trafficRouting?.istio) return [];
    const istio = strategy.trafficRouting.istio;
    const ns = rollout.metadata.namespace ?? o.namespace;
    return istio.virtualServices.map((vs) => ({
      vs: splitName(vs.name, ns),
      target: {
        namespace: ns,
        ...(strategy.canaryService ? { canaryService: strategy.canaryService } : {}),
        ...(strategy.stableService ? { stableService: strategy.stableService } : {}),
        ...(istio.destinationRule ? { canarySubset: istio.destinationRule.canarySubsetName, stableSubset: istio.destinationRule.stableSubsetName } : {}),
        routes: vs.routes,
        managedRoutes: strategy.trafficRouting?.managedRoutes ?? [],
      },
    }));
  };

  const eachVirtualService = async (rollout: Rollout, change: (spec: Obj, t: IstioTarget) => Obj): Promise<void> => {
    for (const { vs, target } of istioTargets(rollout)) {
      await edit(RESOURCES.virtualServices, o.virtualServices, vs[1], vs[0], (spec) => change(spec, target), rollout.metadata.name);
    }
  };

  return {
    async apply(rollout, effect: TrafficEffect) {
      const name = rollout.metadata.name;
      switch (effect.type) {
        case 'setServiceSelector': {
          const svc = o.services?.get(o.namespace, effect.service);
          const selector = (svc?.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {};
          if (svc && selector[HASH_LABEL] === effect.hash && svc.metadata.annotations?.[MANAGED_BY_ANNOTATION] === name) return;
          // A JSON merge patch: null removes the label (no revision selected yet / any more).
          const patch = { metadata: { annotations: { [MANAGED_BY_ANNOTATION]: name } }, spec: { selector: { [HASH_LABEL]: effect.hash ?? null } } };
          const written = await o.client.patch(RESOURCES.services, o.namespace, effect.service, patch, 'merge');
          o.services?.remember(written);
          return;
        }
        case 'setWeight': {
          const strategy = rollout.spec.strategy;
          const dr = strategy.type === 'canary' ? strategy.trafficRouting?.istio?.destinationRule : undefined;
          if (dr) {
            // Subsets first, so a weight never reaches a subset that selects no pods (Argo's order).
            const [drName, drNs] = splitName(dr.name, rollout.metadata.namespace ?? o.namespace);
            await edit(RESOURCES.destinationRules, o.destinationRules, drNs, drName, (spec) => setSubsetHashes(spec, dr.canarySubsetName, dr.stableSubsetName, effect.canaryHash ?? effect.stableHash, effect.stableHash), name);
          }
          await eachVirtualService(rollout, (spec, t) => setVirtualServiceWeights(spec, t, effect.canary, effect.stable));
          return;
        }
        case 'setHeaderRoute':
          await eachVirtualService(rollout, (spec, t) => setHeaderRoute(spec, t, effect.name, effect.match));
          return;
        case 'setMirrorRoute':
          await eachVirtualService(rollout, (spec, t) => setMirrorRoute(spec, t, effect.name, effect.match, effect.percentage));
          return;
        case 'removeManagedRoutes':
          await eachVirtualService(rollout, (spec) => removeManagedRoutes(spec, effect.names));
          return;
        default: {
          const never: never = effect;
          throw new Error(`unknown traffic effect ${JSON.stringify(never)}`);
        }
      }
    },
  };
}
