/**
 * Weighted choice between a route's destinations.
 *
 * Smooth weighted round-robin, as nginx's `ngx_http_upstream_get_peer`
 * (src/http/ngx_http_upstream_round_robin.c): each pick adds every weight to its running
 * `current`, takes the largest, and subtracts the total from the winner. It is deterministic,
 * needs no randomness, and every window of `sum(weights)` consecutive picks holds each
 * destination exactly `weight` times, interleaved rather than bunched. Worked example, weights
 * 90/10: the canary is picked once in every 100 requests, never twice in a row, so 10,000
 * requests give exactly 1,000 canary requests. Random choice would be off by about
 * sqrt(10000*0.1*0.9) = 30 requests (0.3 %) and bunch up in short windows.
 */

/** State of one route's smooth weighted round-robin. */
export interface SmoothPicker {
  readonly weights: readonly number[];
  readonly total: number;
  /** Running state, one per destination. */
  readonly current: Float64Array;
}

/** A picker over `weights` (one per destination, 0 allowed). */
export function createSmoothPicker(weights: readonly number[]): SmoothPicker {
  return { weights, total: weights.reduce((a, b) => a + b, 0), current: new Float64Array(weights.length) };
}

/** The index of the next destination; -1 when every weight is 0. */
export function pickSmooth(p: SmoothPicker): number {
  if (p.total <= 0) return -1;
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < p.weights.length; i++) {
    const w = p.weights[i] as number;
    if (w <= 0) continue;
    const c = (p.current[i] as number) + w;
    p.current[i] = c;
    if (c > bestValue) {
      bestValue = c;
      best = i;
    }
  }
  p.current[best] = bestValue - p.total;
  return best;
}

/** 32-bit FNV-1a over UTF-16 code units: small, fast and well spread for short keys. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A final avalanche (murmur3 fmix32) so keys that differ in their last character spread over the whole range.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Sticky choice: the key's hash is placed on [0, total) and the destination whose weight range
 * holds it is chosen, so the same key stays on the same side while the weights stay the same,
 * and a weight change moves only the keys near the moved boundary. Example: weights 90/10,
 * ranges [0,90) and [90,100); a key hashing to 0.93 of the range lands at 93 -> the canary.
 */
export function pickByHash(weights: readonly number[], total: number, key: string): number {
  if (total <= 0) return -1;
  const point = (hashKey(key) / 4294967296) * total;
  let acc = 0;
  let last = -1;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (w <= 0) continue;
    acc += w;
    last = i;
    if (point < acc) return i;
  }
  return last;
}

/** The value of cookie `name` in a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
