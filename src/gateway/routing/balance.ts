/**
 * Endpoint choice within a cluster: least outstanding requests, ties broken round-robin so
 * that an idle cluster still spreads its requests (Envoy's LEAST_REQUEST with all weights
 * equal picks the fewest active requests; a plain scan would always favour the first endpoint).
 * An endpoint that refused a connection is passed over until `ejectedUntil`, like Envoy's
 * outlier detection; when every endpoint is ejected they are all used again (Envoy's "panic
 * mode"), since guessing wrong costs one retried connect while refusing costs the request.
 */

/** How long an endpoint that refused a connection is passed over. */
export const EJECT_MS = 2_000;

/** What the balancer needs to know of an endpoint. */
export interface Balanceable {
  inFlight: number;
  /** Time (same clock as `now`) until which the endpoint is passed over; 0 when healthy. */
  ejectedUntil: number;
}

/** Per-cluster round-robin cursor for tie-breaks. */
export interface Balancer {
  cursor: number;
}

/** A cursor at the first endpoint. */
export function createBalancer(): Balancer {
  return { cursor: 0 };
}

/**
 * The endpoint with the fewest requests in flight, scanning from a rotating start so equal
 * counts take turns; `exclude` skips an endpoint that just failed. Undefined when none is left.
 */
export function pickEndpoint<E extends Balanceable>(b: Balancer, endpoints: readonly E[], now: number, exclude?: E): E | undefined {
  const n = endpoints.length;
  if (n === 0) return undefined;
  const start = b.cursor % n;
  b.cursor = start + 1;
  let best: E | undefined;
  let bestEjected: E | undefined;
  for (let k = 0; k < n; k++) {
    const e = endpoints[(start + k) % n] as E;
    if (e === exclude) continue;
    if (e.ejectedUntil > now) {
      if (bestEjected === undefined || e.inFlight < bestEjected.inFlight) bestEjected = e;
    } else if (best === undefined || e.inFlight < best.inFlight) best = e;
  }
  return best ?? bestEjected;
}
