/**
 * Istio VirtualService edits as Argo Rollouts makes them (`rollout/trafficrouting/istio/istio.go`),
 * as pure functions over the VirtualService's `spec`: each edit takes the object as it is on the
 * cluster, so the VirtualService itself is the router's state and a restarted controller needs no
 * memory of its own.
 *
 * - Weights (`SetWeight`): in the routes the Rollout names (`virtualService.routes`, or the only
 *   HTTP route when it names none), a destination whose host is the canary Service gets the
 *   canary weight and one whose host is the stable Service the rest (host-level); with a
 *   DestinationRule, destinations are told apart by subset instead (subset-level).
 * - Managed routes (`SetHeaderRoute`, `SetMirrorRoute`): a route of that name is put first in the
 *   HTTP list, in the order of `trafficRouting.managedRoutes`; a header route sends matching
 *   requests to the canary, a mirror route keeps the normal split and mirrors a percentage of the
 *   matching requests to the canary. Removing them deletes the routes of those names.
 */
import type { HeaderRoutingMatch, RouteMatch, StringMatch } from '../../core/spec/types.js';

type Obj = Record<string, unknown>;

export interface IstioTarget {
  /** Rollout namespace: `svc`, `svc.ns`, `svc.ns.svc` and `svc.ns.svc.cluster.local` all name svc. */
  namespace: string;
  canaryService?: string;
  stableService?: string;
  /** Subset-level routing: the DestinationRule's subset names. */
  canarySubset?: string;
  stableSubset?: string;
  /** The HTTP routes to edit, by name; empty: the only route. */
  routes: string[];
  /** Every managed route name in the Rollout's order. */
  managedRoutes: string[];
}

/** A VirtualService the Rollout names cannot be edited as asked (Argo's errors, same wording where it has one). */
export class IstioRouteError extends Error {
  constructor(
    readonly code: 'route-not-found' | 'routes-ambiguous' | 'destination-not-found',
    message: string,
  ) {
    super(message);
  }
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function routeName(r: Obj): string {
  return typeof r.name === 'string' ? r.name : '';
}

function httpRoutes(spec: Obj): Obj[] {
  return Array.isArray(spec.http) ? spec.http.filter(isObj) : [];
}

/** True when `host` names Service `svc` of `namespace`. */
export function hostIs(host: unknown, svc: string | undefined, namespace: string): boolean {
  if (typeof host !== 'string' || !svc) return false;
  return host === svc || host === `${svc}.${namespace}` || host === `${svc}.${namespace}.svc` || host === `${svc}.${namespace}.svc.cluster.local`;
}

/** The routes the weights go to (see the file comment). */
function targetRoutes(routes: Obj[], t: IstioTarget): Obj[] {
  const unmanaged = routes.filter((r) => !t.managedRoutes.includes(routeName(r)));
  if (t.routes.length === 0) {
    if (unmanaged.length !== 1) throw new IstioRouteError('routes-ambiguous', 'spec.http[] should be set in VirtualService and it must have exactly one route when no routes are named');
    return unmanaged;
  }
  return t.routes.map((name) => {
    const r = unmanaged.find((x) => x.name === name);
    if (!r) throw new IstioRouteError('route-not-found', `HTTP Route '${name}' is not found in the defined Virtual Service.`);
    return r;
  });
}

function role(dest: Obj, t: IstioTarget): 'canary' | 'stable' | undefined {
  const d = isObj(dest.destination) ? dest.destination : {};
  if (t.canarySubset !== undefined || t.stableSubset !== undefined) {
    if (d.subset === t.canarySubset) return 'canary';
    if (d.subset === t.stableSubset) return 'stable';
    return undefined;
  }
  if (hostIs(d.host, t.canaryService, t.namespace)) return 'canary';
  if (hostIs(d.host, t.stableService, t.namespace)) return 'stable';
  return undefined;
}

/** The VirtualService spec with the canary at `canary` and the stable at `stable` percent. */
export function setVirtualServiceWeights(spec: Obj, t: IstioTarget, canary: number, stable: number): Obj {
  const out = structuredClone(spec);
  const routes = httpRoutes(out);
  for (const route of targetRoutes(routes, t)) {
    const dests = Array.isArray(route.route) ? route.route.filter(isObj) : [];
    const roles = dests.map((d) => role(d, t));
    if (!roles.includes('canary') || !roles.includes('stable')) {
      throw new IstioRouteError('destination-not-found', `HTTP route ${JSON.stringify(route.name ?? '')} must have a destination for the canary and one for the stable (${t.canarySubset !== undefined ? `subsets ${t.canarySubset}/${t.stableSubset ?? ''}` : `hosts ${t.canaryService ?? ''}/${t.stableService ?? ''}`})`);
    }
    dests.forEach((d, i) => {
      if (roles[i] === 'canary') d.weight = canary;
      else if (roles[i] === 'stable') d.weight = stable;
    });
  }
  return out;
}

function stringMatch(m: StringMatch): Obj {
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  return { regex: m.regex ?? '' };
}

/** The destination the canary is reached at, copied from the first weighted route (keeps its port). */
function canaryDestination(routes: Obj[], t: IstioTarget): Obj {
  for (const route of targetRoutes(routes, t)) {
    for (const d of Array.isArray(route.route) ? route.route.filter(isObj) : []) {
      if (role(d, t) === 'canary' && isObj(d.destination)) return structuredClone(d.destination);
    }
  }
  return { host: t.canaryService ?? '' };
}

/** Puts managed routes first, in the Rollout's order; other routes keep theirs. */
function orderManaged(routes: Obj[], t: IstioTarget): Obj[] {
  const managed = t.managedRoutes.map((n) => routes.find((r) => r.name === n)).filter((r): r is Obj => r !== undefined);
  return [...managed, ...routes.filter((r) => !managed.includes(r))];
}

/** Adds (or replaces) the header route `name`: requests matching go to the canary only. */
export function setHeaderRoute(spec: Obj, t: IstioTarget, name: string, match: HeaderRoutingMatch[]): Obj {
  const out = structuredClone(spec);
  const routes = httpRoutes(out);
  const dest = canaryDestination(routes, t);
  const route: Obj = {
    name,
    match: match.map((m) => ({ headers: { [m.headerName]: stringMatch(m.headerValue) } })),
    route: [{ destination: dest, weight: 100 }],
  };
  out.http = orderManaged([...routes.filter((r) => r.name !== name), route], t);
  return out;
}

function routeMatch(m: RouteMatch): Obj {
  const out: Obj = {};
  if (m.method) out.method = stringMatch(m.method);
  if (m.path) out.uri = stringMatch(m.path);
  if (m.headers) out.headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, stringMatch(v)]));
  return out;
}

/** Adds (or replaces) the mirror route `name`: the normal split, plus `percentage` of the matching requests mirrored to the canary. */
export function setMirrorRoute(spec: Obj, t: IstioTarget, name: string, match: RouteMatch[], percentage: number): Obj {
  const out = structuredClone(spec);
  const routes = httpRoutes(out);
  const base = targetRoutes(routes, t)[0] ?? {};
  const route: Obj = {
    name,
    match: match.map(routeMatch),
    route: structuredClone(Array.isArray(base.route) ? base.route : []),
    mirror: canaryDestination(routes, t),
    mirrorPercentage: { value: percentage },
  };
  out.http = orderManaged([...routes.filter((r) => r.name !== name), route], t);
  return out;
}

/** Removes the routes of these names. */
export function removeManagedRoutes(spec: Obj, names: string[]): Obj {
  const out = structuredClone(spec);
  out.http = httpRoutes(out).filter((r) => !names.includes(routeName(r)));
  return out;
}

/** A DestinationRule spec whose canary and stable subsets select the given hashes (Argo `UpdateHash`). */
export function setSubsetHashes(spec: Obj, canarySubset: string, stableSubset: string, canaryHash: string | undefined, stableHash: string | undefined): Obj {
  const out = structuredClone(spec);
  const subsets = Array.isArray(out.subsets) ? out.subsets.filter(isObj) : [];
  for (const [subset, hash] of [
    [canarySubset, canaryHash],
    [stableSubset, stableHash],
  ] as const) {
    const s = subsets.find((x) => x.name === subset);
    if (!s) throw new IstioRouteError('destination-not-found', `DestinationRule has no subset ${JSON.stringify(subset)}`);
    const labels = isObj(s.labels) ? { ...(s.labels as Record<string, string>) } : {};
    if (hash) labels['rollouts-pod-template-hash'] = hash;
    else delete labels['rollouts-pod-template-hash'];
    s.labels = labels;
  }
  return out;
}
