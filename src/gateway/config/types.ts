/**
 * The gateway's configuration as pushed whole over `PUT /config`: routes -> clusters ->
 * endpoints, modelled on Envoy/Istio (a VirtualService's `http` routes, a DestinationRule's
 * subsets as clusters). This shape is a contract other tools use; see issue 3.
 */

/** Istio `StringMatch`: exactly one of `exact`, `prefix`, `regex` (RE2, full match). */
export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

/** Istio `HTTPMatchRequest`, the subset the gateway implements. All given conditions must hold. */
export interface HttpMatchRequest {
  uri?: StringMatch;
  /** Header names are matched case-insensitively (HTTP/1.1 names are lower-cased by Node). */
  headers?: Record<string, StringMatch>;
  method?: StringMatch;
}

/** Istio `HTTPRouteDestination`: a cluster and its share of the route's traffic. */
export interface Destination {
  cluster: string;
  /** 0..100 by convention; any non-negative integer is accepted and the ratio is what counts. */
  weight: number;
}

/** Keeps one user on one side of a split while the weights stay the same. */
export type HashOn = { header: string } | { cookie: string };

/** One route, tried in order; the first that matches serves the request. */
export interface RouteConfig {
  name: string;
  /** VirtualService `hosts`: exact names, `*.suffix` wildcards or `*`. Absent means `*`. */
  hosts?: string[];
  /** Tried as a list: any entry matches. Absent or empty matches every request. */
  match?: HttpMatchRequest[];
  /** Istio `HTTPRewrite`: `uri` replaces the matched prefix (or the whole path), `authority` the Host. */
  rewrite?: { uri?: string; authority?: string };
  /** Until the upstream's response headers arrive; 0 disables. Default 15000 (Envoy's route default). */
  timeoutMs?: number;
  /** Request body limit for this route; default from `limits.maxRequestBodyBytes`. */
  maxRequestBodyBytes?: number;
  destinations: Destination[];
  /** Istio `mirror` + `mirrorPercentage` (0..100, fractions allowed). */
  mirror?: { cluster: string; percentage?: number };
  hashOn?: HashOn;
}

/** A set of interchangeable endpoints (one revision of a service) and its metric labels. */
export interface ClusterConfig {
  /** `HOST:PORT` entries, e.g. `127.0.0.1:41001`. */
  endpoints: string[];
  /** Prometheus labels put on every request series of this cluster. */
  labels?: Record<string, string>;
}

/** The whole config, pushed and applied atomically. */
export interface GatewayConfig {
  version: number;
  routes: RouteConfig[];
  clusters: Record<string, ClusterConfig>;
  limits?: {
    /** Default request body limit (bytes); 10 MiB when absent. */
    maxRequestBodyBytes?: number;
    /** Mirror requests in flight at once; more are dropped. Default 64. */
    maxMirrorInFlight?: number;
    /** Largest request body copied to a mirror; larger bodies are not mirrored. Default 64 KiB. */
    maxMirrorBodyBytes?: number;
  };
}

/** One problem in a pushed config, with its JSON path (e.g. `routes[2].destinations[0].weight`). */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** Envoy's default route timeout. */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Request body limit when neither the route nor `limits` sets one. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Mirror copies in flight at once when `limits` does not say. */
export const DEFAULT_MAX_MIRROR_IN_FLIGHT = 64;
/** Largest body copied to a mirror when `limits` does not say. */
export const DEFAULT_MAX_MIRROR_BODY_BYTES = 64 * 1024;
