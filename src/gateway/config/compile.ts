/**
 * Turns a validated config into the immutable object the proxy serves from. A swap replaces
 * the reference to this object in one assignment; a request keeps the object it started with,
 * so it never sees half of one config and half of another. Endpoints, metric series and
 * window stats are looked up by key through `deps`, so they carry over between versions.
 */
import { compileHosts, compileMatch, type CompiledMatch, type HostMatcher, type MatchableRoute } from '../routing/match.js';
import { createSmoothPicker, type SmoothPicker } from '../routing/weighted.js';
import { createBalancer, type Balancer } from '../routing/balance.js';
import type { SeriesGroup } from '../metrics/registry.js';
import type { WindowStats } from '../metrics/window-stats.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_MIRROR_BODY_BYTES,
  DEFAULT_MAX_MIRROR_IN_FLIGHT,
  DEFAULT_TIMEOUT_MS,
  type GatewayConfig,
  type HashOn,
} from './types.js';

/** A cluster of one config version; `stats` and the endpoints are shared with other versions. */
export interface CompiledCluster<E> {
  readonly name: string;
  readonly endpoints: readonly E[];
  readonly balancer: Balancer;
  readonly labels: Readonly<Record<string, string>>;
  readonly stats: WindowStats;
}

/** One weighted destination of a route, with the metric series of its (cluster labels, route) pair. */
export interface CompiledDestination<E> {
  readonly cluster: CompiledCluster<E>;
  readonly weight: number;
  readonly series: SeriesGroup;
}

/** A route ready for the hot path: matchers compiled, defaults applied, picker state attached. */
export interface CompiledRoute<E> extends MatchableRoute {
  readonly name: string;
  readonly hosts: HostMatcher;
  readonly matches: readonly CompiledMatch[];
  readonly rewriteUri: string | undefined;
  readonly rewriteAuthority: string | undefined;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly destinations: readonly CompiledDestination<E>[];
  readonly weights: readonly number[];
  readonly totalWeight: number;
  readonly picker: SmoothPicker;
  /** `series`: the mirror cluster's metric series for this route (mirrored answers count there, as Envoy counts shadow requests). */
  readonly mirror: { cluster: CompiledCluster<E>; percentage: number; seen: { n: number }; series: SeriesGroup } | undefined;
  readonly hashOn: HashOn | undefined;
}

/** The immutable object a request reads once; swapped whole on `PUT /config`. */
export interface CompiledConfig<E> {
  readonly version: number;
  readonly source: GatewayConfig;
  readonly routes: readonly CompiledRoute<E>[];
  readonly clusters: ReadonlyMap<string, CompiledCluster<E>>;
  readonly endpointKeys: ReadonlySet<string>;
  readonly maxMirrorInFlight: number;
  readonly maxMirrorBodyBytes: number;
}

/** Lookups by key that make endpoints, series and stats outlive a config version. */
export interface CompileDeps<E> {
  endpoint(key: string): E;
  series(clusterLabels: Record<string, string>, route: string): SeriesGroup;
  stats(cluster: string): WindowStats;
}

/** Compiles a config that `validateConfig` accepted; throws only on a bug (unknown cluster). */
export function compileConfig<E>(config: GatewayConfig, deps: CompileDeps<E>): CompiledConfig<E> {
  const clusters = new Map<string, CompiledCluster<E>>();
  const endpointKeys = new Set<string>();
  for (const [name, c] of Object.entries(config.clusters)) {
    for (const k of c.endpoints) endpointKeys.add(k);
    clusters.set(name, {
      name,
      endpoints: c.endpoints.map((k) => deps.endpoint(k)),
      balancer: createBalancer(),
      labels: { ...(c.labels ?? {}) },
      stats: deps.stats(name),
    });
  }
  const clusterOf = (name: string): CompiledCluster<E> => {
    const c = clusters.get(name);
    if (!c) throw new Error(`unknown cluster ${name} (validate before compiling)`);
    return c;
  };
  const limits = config.limits ?? {};
  const routes = config.routes.map((r): CompiledRoute<E> => {
    const weights = r.destinations.map((d) => (d.weight === undefined && r.destinations.length === 1 ? 100 : d.weight));
    return {
      name: r.name,
      hosts: compileHosts(r.hosts),
      matches: (r.match ?? []).map(compileMatch),
      rewriteUri: r.rewrite?.uri,
      rewriteAuthority: r.rewrite?.authority,
      timeoutMs: r.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBodyBytes: r.maxRequestBodyBytes ?? limits.maxRequestBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      destinations: r.destinations.map((d, i) => {
        const cluster = clusterOf(d.cluster);
        return { cluster, weight: weights[i] as number, series: deps.series(cluster.labels, r.name) };
      }),
      weights,
      totalWeight: weights.reduce((a, b) => a + b, 0),
      picker: createSmoothPicker(weights),
      mirror: r.mirror && (r.mirror.percentage ?? 100) > 0 ? compileMirror(clusterOf(r.mirror.cluster), r.mirror.percentage ?? 100, (labels, route) => deps.series(labels, route), r.name) : undefined,
      hashOn: r.hashOn,
    };
  });
  return {
    version: config.version,
    source: config,
    routes,
    clusters,
    endpointKeys,
    maxMirrorInFlight: limits.maxMirrorInFlight ?? DEFAULT_MAX_MIRROR_IN_FLIGHT,
    maxMirrorBodyBytes: limits.maxMirrorBodyBytes ?? DEFAULT_MAX_MIRROR_BODY_BYTES,
  };
}

function compileMirror<E>(cluster: CompiledCluster<E>, percentage: number, series: CompileDeps<E>['series'], route: string): NonNullable<CompiledRoute<E>['mirror']> {
  return { cluster, percentage, seen: { n: 0 }, series: series(cluster.labels, route) };
}

/**
 * Deterministic mirror sampling: request n is mirrored when floor(n * p / 100) steps up, so
 * 10 % mirrors exactly every tenth request and 0.5 % one in 200, with no randomness.
 */
export function shouldMirror(m: { percentage: number; seen: { n: number } }): boolean {
  if (m.percentage >= 100) return true;
  const n = m.seen.n++;
  return Math.floor(((n + 1) * m.percentage) / 100) > Math.floor((n * m.percentage) / 100);
}
