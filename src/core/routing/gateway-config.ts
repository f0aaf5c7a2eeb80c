/**
 * The manifests' routing, made into the gateway's config (pure): what Istio does with a
 * Gateway + VirtualServices + Services, and what Argo Rollouts does to them during a rollout.
 *
 * - Every Service becomes one cluster per revision of the ready pods its selector picks, so the
 *   gateway counts each revision apart (`revision`, `role` labels) and the seed's queries can
 *   tell stable from canary. A Service a rollout pins to one revision (stable/canary/active/
 *   preview, Argo's `rollouts-pod-template-hash` selector) gets only that revision's pods.
 * - A route destination naming a Service splits its weight over that Service's clusters by
 *   their ready pods: a basic canary (no router) is split by replica counts, as a Kubernetes
 *   Service would split it.
 * - The VirtualService routes a rollout manages get the rollout's weights (stable 100-w,
 *   canary w), and its header and mirror routes go first, in `managedRoutes` order, as Argo's
 *   Istio plugin inserts them (`rollout/trafficrouting/istio/istio.go`).
 * - VirtualServices for the same host are merged in file order, except that catch-all routes
 *   (no match, or only `uri.prefix: /`) go after every other route, so `/api/users` in one
 *   VirtualService is not shadowed by `/` in another (Istio leaves cross-VirtualService order
 *   undefined; this is the order users expect).
 * - Without a VirtualService every Service is also reachable at `Host: <service name>`.
 */
import type { GatewayConfig, HttpMatchRequest, RouteConfig, StringMatch as GatewayStringMatch } from '../../gateway/config/types.js';
import type { HeaderRoutingMatch, IstioHttpRoute, ManifestSet, RouteMatch, Rollout, Service, StringMatch, VirtualService } from '../spec/types.js';

/** One running pod as the supervisor reports it. */
export interface PodEndpoint {
  /** Rollout or Deployment name. */
  owner: string;
  hash: string;
  namespace?: string;
  /** The pod template's labels (plus `rollouts-pod-template-hash`). */
  labels: Record<string, string>;
  /** `HOST:PORT`. */
  address: string;
  ready: boolean;
}

/** What a rollout has asked of the router, kept by the traffic adapter from the core's effects. */
export interface RolloutRouting {
  rollout: string;
  /** The canary's share of the managed routes (0..100). */
  canaryWeight: number;
  /** The revisions the weights point at (DestinationRule subset mode selects pods by them). */
  canaryHash?: string;
  stableHash?: string;
  /** Service name -> the revision hash it selects (Argo adds the pod-template-hash selector). */
  serviceSelectors: Record<string, string | undefined>;
  headerRoutes: { name: string; match: HeaderRoutingMatch[] }[];
  mirrorRoutes: { name: string; match: RouteMatch[]; percentage: number }[];
  /**
   * Shares of the managed routes beside stable and canary (Argo's weightDestinations): the
   * baseline, an experiment's weighted templates. Each is taken from the stable's share.
   */
  additional?: { name: string; hash: string; role: string; weight: number }[];
}

/** The pod label that gives a baseline or experiment revision's cluster its `role`. */
const ROLE_LABEL = 'baton.dev/role';

export interface BuildOptions {
  version: number;
  /** `job` label on every cluster (the seed's queries select job="tbyte-microservices"). */
  job: string;
  /** Request timeout when a VirtualService route gives none (Envoy's default: 15 s). */
  defaultTimeoutMs?: number;
}

interface ServiceClusters {
  service: Service;
  /** One per revision: ready pod count (the destination weight is split by these), and labels. */
  clusters: { name: string; ready: number; hash: string; podLabels: Record<string, string> }[];
}

/** Builds the whole gateway config. Deterministic: the same inputs give the same config. */
export function buildGatewayConfig(manifests: ManifestSet, routing: readonly RolloutRouting[], pods: readonly PodEndpoint[], opts: BuildOptions): GatewayConfig {
  const config: GatewayConfig = { version: opts.version, routes: [], clusters: {} };
  const byService = new Map<string, ServiceClusters>();
  for (const service of manifests.services) byService.set(serviceKey(service), addServiceClusters(config, service, manifests, routing, pods, opts.job));

  const managed = managedRouteOwners(manifests.rollouts, routing);
  for (const owner of managed.values()) owner.additional = addAdditionalClusters(config, owner.rollout, owner.routing, pods, opts.job);
  const hostRoutes: { route: RouteConfig; catchAll: boolean }[] = [];
  for (const vs of manifests.virtualServices) {
    const owner = managed.get(vs.metadata.name);
    if (owner) hostRoutes.push(...managedRoutes(manifests.destinationRules, vs, owner, byService, opts).map((route) => ({ route, catchAll: false })));
    vs.spec.http.forEach((http, i) => {
      const route = translateRoute(manifests.destinationRules, vs, http, i, byService, opts, owner);
      if (route) hostRoutes.push({ route, catchAll: isCatchAll(http) });
    });
  }
  config.routes.push(...hostRoutes.filter((r) => !r.catchAll).map((r) => r.route), ...hostRoutes.filter((r) => r.catchAll).map((r) => r.route));

  // Every Service by its own name (tests and service-to-service calls without a VirtualService).
  for (const { service } of byService.values()) {
    const destinations = destinationsFor(service.metadata.name, service.metadata.namespace, 100, byService);
    if (!destinations.length) continue;
    const name = service.metadata.name;
    const ns = service.metadata.namespace;
    const inNs = ns ?? 'default';
    const hosts = [name, `${name}.${inNs}`, `${name}.${inNs}.svc`, `${name}.${inNs}.svc.cluster.local`];
    config.routes.push({ name: `service/${ns ? `${ns}/` : ''}${name}`, hosts, destinations, timeoutMs: opts.defaultTimeoutMs ?? 15_000 });
  }
  return config;
}

function serviceKey(s: Service): string {
  return `${s.metadata.namespace ?? ''}/${s.metadata.name}`;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/** The rollout (if any) that owns pods this Service selects, and the role the rollout gives it. */
function roleOf(service: Service, rollouts: readonly Rollout[]): { rollout: Rollout; role: string } | undefined {
  for (const r of rollouts) {
    const s = r.spec.strategy;
    const name = service.metadata.name;
    if (s.type === 'canary') {
      if (s.stableService === name) return { rollout: r, role: 'stable' };
      if (s.canaryService === name) return { rollout: r, role: 'canary' };
    } else {
      if (s.activeService === name) return { rollout: r, role: 'active' };
      if (s.previewService === name) return { rollout: r, role: 'preview' };
    }
  }
  return undefined;
}

function addServiceClusters(config: GatewayConfig, service: Service, manifests: ManifestSet, routing: readonly RolloutRouting[], pods: readonly PodEndpoint[], job: string): ServiceClusters {
  const ns = service.metadata.namespace;
  const role = roleOf(service, manifests.rollouts);
  const pinned = role ? routing.find((r) => r.rollout === role.rollout.metadata.name)?.serviceSelectors[service.metadata.name] : undefined;
  // An object without a namespace is in `default`, as Kubernetes puts it there.
  const picked = pods.filter((p) => p.ready && (p.namespace ?? 'default') === (ns ?? 'default') && selects(service.spec.selector, p.labels) && (pinned === undefined || p.hash === pinned));
  const groups = new Map<string, PodEndpoint[]>();
  for (const p of picked) {
    const key = `${p.owner}/${p.hash}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  // A pinned Service with no ready pod still gets its (empty) cluster: its traffic answers 503
  // rather than silently going elsewhere.
  if (pinned !== undefined && groups.size === 0 && role) groups.set(`${role.rollout.metadata.name}/${pinned}`, []);
  const clusters: ServiceClusters['clusters'] = [];
  for (const [key, members] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [owner, hash] = key.split('/') as [string, string];
    const name = `${ns ? `${ns}/` : ''}${service.metadata.name}@${hash}`;
    config.clusters[name] = {
      endpoints: members.map((p) => p.address).sort(),
      labels: {
        job,
        ...(ns ? { namespace: ns } : {}),
        service: service.metadata.name,
        rollout: owner,
        revision: hash,
        // A baseline or experiment revision's pods carry their role; the rest take the Service's.
        role: members[0]?.labels[ROLE_LABEL] ?? role?.role ?? 'stable',
      },
    };
    clusters.push({ name, ready: members.length, hash, podLabels: members[0]?.labels ?? {} });
  }
  return { service, clusters };
}

/**
 * One cluster per additional destination of a rollout (baseline, experiment template), named
 * `<rollout>@<hash>`, with the pods of that revision whatever Service pins; its `role` label is
 * the destination's, so `${role}` queries select it.
 */
function addAdditionalClusters(config: GatewayConfig, rollout: Rollout, routing: RolloutRouting | undefined, pods: readonly PodEndpoint[], job: string): Map<string, { name: string; ready: number }> {
  const out = new Map<string, { name: string; ready: number }>();
  const ns = rollout.metadata.namespace;
  const strategy = rollout.spec.strategy;
  const service = strategy.type === 'canary' ? (strategy.stableService ?? rollout.metadata.name) : rollout.metadata.name;
  for (const d of routing?.additional ?? []) {
    const members = pods.filter((p) => p.ready && p.owner === rollout.metadata.name && p.hash === d.hash && (p.namespace ?? 'default') === (ns ?? 'default'));
    const name = `${ns ? `${ns}/` : ''}${rollout.metadata.name}@${d.hash}`;
    config.clusters[name] = {
      endpoints: members.map((p) => p.address).sort(),
      labels: { job, ...(ns ? { namespace: ns } : {}), service, rollout: rollout.metadata.name, revision: d.hash, role: d.role },
    };
    out.set(d.hash, { name, ready: members.length });
  }
  return out;
}

/** Istio destination host -> Service: `name`, `name.ns`, `name.ns.svc[.cluster.local]`. */
function findService(host: string, vsNamespace: string | undefined, byService: Map<string, ServiceClusters>): ServiceClusters | undefined {
  const [name, ns] = host.split('.');
  const namespace = ns ?? vsNamespace;
  return byService.get(`${namespace ?? ''}/${name ?? ''}`) ?? [...byService.values()].find((s) => s.service.metadata.name === name);
}

/** A DestinationRule subset narrows a Service's clusters: by revision (a rollout's subsets) or by labels. */
export type SubsetFilter = { hash: string } | { labels: Record<string, string> };

/** One route destination: its weight and the clusters (revisions) of its Service, with ready counts. */
interface DestinationGroup {
  weight: number;
  clusters: { name: string; ready: number }[];
}

function destinationGroup(host: string, vsNamespace: string | undefined, weight: number, byService: Map<string, ServiceClusters>, subset?: SubsetFilter): DestinationGroup | undefined {
  const target = findService(host, vsNamespace, byService);
  if (!target || weight <= 0) return undefined;
  const clusters = target.clusters.filter((c) => !subset || ('hash' in subset ? c.hash === subset.hash : Object.entries(subset.labels).every(([k, v]) => c.podLabels[k] === v)));
  return clusters.length ? { weight, clusters } : undefined;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Integer weights per cluster that keep each destination's share exact and split it over the
 * destination's clusters by ready pods. Worked example: stable 90 over 2 + 1 ready pods (two
 * revisions of a basic canary), canary 10 over 1 pod: totals 3 and 1, lcm 3 ->
 * 90x2x1=180, 90x1x1=90, 10x1x3=30 (= 60 %, 30 %, 10 %).
 */
export function splitWeights(groups: readonly DestinationGroup[]): RouteConfig['destinations'] {
  const totals = groups.map((g) => Math.max(1, g.clusters.reduce((n, c) => n + c.ready, 0)));
  const lcm = totals.reduce((a, b) => (a * b) / gcd(a, b), 1);
  const out: RouteConfig['destinations'] = [];
  groups.forEach((g, i) => {
    const total = g.clusters.reduce((n, c) => n + c.ready, 0);
    for (const c of g.clusters) {
      // A destination whose Service has no ready pod keeps its share (the gateway answers 503).
      const share = total > 0 ? c.ready * (lcm / (totals[i] ?? 1)) : lcm / g.clusters.length;
      out.push({ cluster: c.name, weight: g.weight * share });
    }
  });
  const common = out.reduce((a, d) => gcd(a, d.weight), 0);
  return common > 1 ? out.map((d) => ({ cluster: d.cluster, weight: d.weight / common })) : out;
}

function destinationsFor(host: string, vsNamespace: string | undefined, weight: number, byService: Map<string, ServiceClusters>, subset?: SubsetFilter): RouteConfig['destinations'] {
  const g = destinationGroup(host, vsNamespace, weight, byService, subset);
  return g ? splitWeights([g]) : [];
}

/** VirtualService name -> the rollout managing it, with the routes it manages (empty = the only one). */
/** A rollout managing a VirtualService: its routing, the routes it manages, its additional clusters by hash. */
interface ManagedOwner {
  rollout: Rollout;
  routing: RolloutRouting | undefined;
  routes: string[];
  additional?: Map<string, { name: string; ready: number }>;
}

function managedRouteOwners(rollouts: readonly Rollout[], routing: readonly RolloutRouting[]): Map<string, ManagedOwner> {
  const out = new Map<string, ManagedOwner>();
  for (const r of rollouts) {
    const s = r.spec.strategy;
    if (s.type !== 'canary' || !s.trafficRouting?.istio) continue;
    for (const vs of s.trafficRouting.istio.virtualServices) {
      out.set(vs.name, { rollout: r, routing: routing.find((x) => x.rollout === r.metadata.name), routes: vs.routes });
    }
  }
  return out;
}

function isManagedRoute(http: IstioHttpRoute, index: number, routes: string[]): boolean {
  return routes.length === 0 ? index === 0 : http.name !== undefined && routes.includes(http.name);
}

function translateRoute(
  destinationRules: ManifestSet['destinationRules'],
  vs: VirtualService,
  http: IstioHttpRoute,
  index: number,
  byService: Map<string, ServiceClusters>,
  opts: BuildOptions,
  owner: ManagedOwner | undefined,
): RouteConfig | undefined {
  const ns = vs.metadata.namespace;
  const strategy = owner?.rollout.spec.strategy;
  const canaryService = strategy?.type === 'canary' ? strategy.canaryService : undefined;
  const stableService = strategy?.type === 'canary' ? strategy.stableService : undefined;
  const managed = owner && isManagedRoute(http, index, owner.routes);
  const w = owner?.routing?.canaryWeight ?? 0;
  // Baseline and experiment shares come out of the stable's (Argo's weightDestinations).
  const extra = managed ? (owner?.routing?.additional ?? []) : [];
  const taken = extra.reduce((n, d) => n + d.weight, 0);
  const dr = strategy?.type === 'canary' ? strategy.trafficRouting?.istio?.destinationRule : undefined;
  const groups: DestinationGroup[] = [];
  for (const d of http.route) {
    let weight = d.weight ?? (http.route.length === 1 ? 100 : 0);
    let subset: SubsetFilter | undefined;
    const host = d.destination.host.split('.')[0];
    if (managed && d.destination.subset && dr) {
      // Subset mode: one host, the rollout's canary/stable subsets pick revisions.
      if (d.destination.subset === dr.canarySubsetName) {
        weight = w;
        subset = owner?.routing?.canaryHash !== undefined ? { hash: owner.routing.canaryHash } : undefined;
      } else if (d.destination.subset === dr.stableSubsetName) {
        weight = 100 - w - taken;
        subset = owner?.routing?.stableHash !== undefined ? { hash: owner.routing.stableHash } : undefined;
      }
    } else if (managed) {
      if (host === canaryService) weight = w;
      else if (host === stableService) weight = 100 - w - taken;
    }
    if (!subset && d.destination.subset) {
      const rule = destinationRules.find((r) => r.spec.host.split('.')[0] === host);
      const labels = rule?.spec.subsets.find((x) => x.name === d.destination.subset)?.labels;
      if (labels) subset = { labels };
    }
    const g = destinationGroup(d.destination.host, ns, weight, byService, subset);
    if (g) groups.push(g);
  }
  for (const d of extra) {
    const cluster = owner?.additional?.get(d.hash);
    // No ready pod yet: its share stays with the others rather than answering 503.
    if (cluster && cluster.ready > 0 && d.weight > 0) groups.push({ weight: d.weight, clusters: [cluster] });
  }
  const destinations = splitWeights(groups);
  if (!destinations.length) return undefined;
  const route: RouteConfig = {
    name: `${ns ? `${ns}/` : ''}${vs.metadata.name}/${http.name ?? index}`,
    hosts: vs.spec.hosts,
    destinations,
    timeoutMs: http.timeout !== undefined ? Math.round(http.timeout * 1000) : (opts.defaultTimeoutMs ?? 15_000),
  };
  const match = http.match.map(translateMatch).filter((m): m is HttpMatchRequest => m !== undefined);
  if (http.match.length > 0 && match.length === 0) return undefined;
  if (match.length) route.match = match;
  if (http.rewrite) route.rewrite = { ...(http.rewrite.uri !== undefined ? { uri: http.rewrite.uri } : {}), ...(http.rewrite.authority !== undefined ? { authority: http.rewrite.authority } : {}) };
  if (http.mirror) {
    const mirror = findService(http.mirror.host, ns, byService)?.clusters[0];
    if (mirror) route.mirror = { cluster: mirror.name, percentage: http.mirrorPercentage?.value ?? 100 };
  }
  return route;
}

function translateStringMatch(m: StringMatch): GatewayStringMatch {
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  return { regex: m.regex ?? '' };
}

/** Match conditions the gateway does not evaluate; an entry using one never matches (docs/unsupported.md). */
const UNSUPPORTED_MATCH_KEYS = ['scheme', 'authority', 'queryParams', 'ignoreUriCase'] as const;

function translateMatch(m: IstioHttpRoute['match'][number]): HttpMatchRequest | undefined {
  // Dropping an unsupported condition would widen the match (to every request); refusing the
  // entry narrows it instead, which fails safe.
  if (UNSUPPORTED_MATCH_KEYS.some((k) => m[k] !== undefined)) return undefined;
  const out: HttpMatchRequest = {};
  if (m.uri) out.uri = translateStringMatch(m.uri);
  if (m.method) out.method = translateStringMatch(m.method);
  if (m.headers) out.headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k.toLowerCase(), translateStringMatch(v)]));
  return out;
}

function isCatchAll(http: IstioHttpRoute): boolean {
  if (http.match.length === 0) return true;
  return http.match.some((m) => {
    const keys = Object.keys(m).filter((k) => k !== 'name' && (m as Record<string, unknown>)[k] !== undefined);
    return keys.length === 0 || (keys.length === 1 && m.uri?.prefix === '/');
  });
}

/** Argo's managed routes, inserted before the VirtualService's own: header routes to the canary, mirror routes. */
function managedRoutes(destinationRules: ManifestSet['destinationRules'], vs: VirtualService, owner: ManagedOwner, byService: Map<string, ServiceClusters>, opts: BuildOptions): RouteConfig[] {
  const strategy = owner.rollout.spec.strategy;
  const routing = owner.routing;
  if (strategy.type !== 'canary' || !routing || !strategy.canaryService) return [];
  const ns = vs.metadata.namespace;
  const dr = strategy.trafficRouting?.istio?.destinationRule;
  const canary = dr && routing.canaryHash !== undefined
    ? destinationsFor(vs.spec.http[0]?.route[0]?.destination.host ?? strategy.canaryService, ns, 100, byService, { hash: routing.canaryHash })
    : destinationsFor(strategy.canaryService, ns, 100, byService);
  const order = strategy.trafficRouting?.managedRoutes ?? [];
  const rank = (name: string): number => {
    const i = order.indexOf(name);
    return i < 0 ? order.length : i;
  };
  const out: { rank: number; route: RouteConfig }[] = [];
  const base = { hosts: vs.spec.hosts, timeoutMs: opts.defaultTimeoutMs ?? 15_000 };
  for (const h of routing.headerRoutes) {
    if (!canary.length) continue;
    out.push({
      rank: rank(h.name),
      route: { ...base, name: `${ns ? `${ns}/` : ''}${vs.metadata.name}/${h.name}`, match: [{ headers: Object.fromEntries(h.match.map((m) => [m.headerName.toLowerCase(), translateStringMatch(m.headerValue)])) }], destinations: canary },
    });
  }
  const primary = vs.spec.http.find((http, i) => isManagedRoute(http, i, owner.routes));
  for (const m of routing.mirrorRoutes) {
    const mirrorCluster = canary[0]?.cluster;
    const main = primary ? translateRoute(destinationRules, vs, primary, vs.spec.http.indexOf(primary), byService, opts, owner) : undefined;
    if (!mirrorCluster || !main) continue;
    const match = m.match.map((rm) => {
      const hm: HttpMatchRequest = {};
      if (rm.path) hm.uri = translateStringMatch(rm.path);
      if (rm.method) hm.method = translateStringMatch(rm.method);
      if (rm.headers) hm.headers = Object.fromEntries(Object.entries(rm.headers).map(([k, v]) => [k.toLowerCase(), translateStringMatch(v)]));
      return hm;
    });
    out.push({ rank: rank(m.name), route: { ...main, name: `${ns ? `${ns}/` : ''}${vs.metadata.name}/${m.name}`, match, mirror: { cluster: mirrorCluster, percentage: m.percentage } } });
  }
  return out.sort((a, b) => a.rank - b.rank).map((x) => x.route);
}
