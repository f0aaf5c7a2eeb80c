/**
 * Endpoint choice within a cluster: least outstanding requests, ties broken round-robin so
 * that an idle cluster still spreads its requests (Envoy's LEAST_REQUEST with all weights
 * equal picks the fewest active requests; a plain scan would always favour the first endpoint).
 */

/** What the balancer needs to know of an endpoint. */
export interface Balanceable {
  inFlight: number;
}

export interface Balancer {
  cursor: number;
}

export function createBalancer(): Balancer {
  return { cursor: 0 };
}

/**
 * The endpoint with the fewest requests in flight, scanning from a rotating start so equal
 * counts take turns; `exclude` skips an endpoint that just failed. Undefined when none is left.
 */
export function pickEndpoint<E extends Balanceable>(b: Balancer, endpoints: readonly E[], exclude?: E): E | undefined {
  const n = endpoints.length;
  if (n === 0) return undefined;
  const start = b.cursor % n;
  b.cursor = start + 1;
  let best: E | undefined;
  for (let k = 0; k < n; k++) {
    const e = endpoints[(start + k) % n] as E;
    if (e === exclude) continue;
    if (best === undefined || e.inFlight < best.inFlight) best = e;
  }
  return best;
}
