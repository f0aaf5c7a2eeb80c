/**
 * Per-cluster figures over a recent window for `GET /stats`: a ring of per-second buckets,
 * each with counts and a fixed log-scale latency histogram, so memory stays bounded however
 * many requests pass. Time is passed in (`nowMs`), so tests drive it without a wall clock.
 */

/** Seconds kept; `window` above this is refused. */
export const MAX_WINDOW_S = 600;

/** Latency bucket bounds in ms: 0.1 ms * 1.15^i, 96 buckets up to about 65 s; a percentile is off by < 15 %. */
const LAT_BOUNDS: Float64Array = (() => {
  const b = new Float64Array(96);
  for (let i = 0; i < b.length; i++) b[i] = 0.1 * Math.pow(1.15, i);
  return b;
})();

interface SecondBucket {
  sec: number;
  requests: number;
  errors5xx: number;
  connectionFailures: number;
  latency: Uint32Array;
}

/** Figures of one cluster over the last `windowSeconds`. */
export interface WindowSummary {
  windowSeconds: number;
  requests: number;
  errors5xx: number;
  connectionFailures: number;
  /** 5xx answers / requests; 0 with no requests. */
  errorRate: number;
  /** Milliseconds; null with no requests. */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}

/** Per-cluster recorder; `nowMs` is passed in so tests need no wall clock. */
export interface WindowStats {
  record(nowMs: number, status: number, latencyMs: number): void;
  recordConnectionFailure(nowMs: number): void;
  summarize(nowMs: number, windowS: number): WindowSummary;
}

function latencyIndex(ms: number): number {
  // Binary search for the first bound >= ms.
  let lo = 0;
  let hi = LAT_BOUNDS.length - 1;
  if (ms > (LAT_BOUNDS[hi] as number)) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((LAT_BOUNDS[mid] as number) >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function quantile(hist: Uint32Array, count: number, q: number): number | null {
  if (count === 0) return null;
  const rank = q * count;
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    const n = hist[i] as number;
    if (n === 0) continue;
    if (acc + n >= rank) {
      // Linear interpolation inside the bucket, as Prometheus' histogram_quantile does.
      const lower = i === 0 ? 0 : (LAT_BOUNDS[i - 1] as number);
      const upper = LAT_BOUNDS[i] as number;
      return Math.round((lower + ((upper - lower) * (rank - acc)) / n) * 1000) / 1000;
    }
    acc += n;
  }
  return LAT_BOUNDS[LAT_BOUNDS.length - 1] as number;
}

/** An empty ring of `MAX_WINDOW_S` one-second buckets. */
export function createWindowStats(): WindowStats {
  const ring: Array<SecondBucket | undefined> = new Array<SecondBucket | undefined>(MAX_WINDOW_S);

  function bucketAt(nowMs: number): SecondBucket {
    const sec = Math.floor(nowMs / 1000);
    const slot = sec % MAX_WINDOW_S;
    let b = ring[slot];
    if (b === undefined) {
      b = { sec, requests: 0, errors5xx: 0, connectionFailures: 0, latency: new Uint32Array(LAT_BOUNDS.length) };
      ring[slot] = b;
    } else if (b.sec !== sec) {
      b.sec = sec;
      b.requests = 0;
      b.errors5xx = 0;
      b.connectionFailures = 0;
      b.latency.fill(0);
    }
    return b;
  }

  return {
    record(nowMs, status, latencyMs) {
      const b = bucketAt(nowMs);
      b.requests++;
      if (status >= 500) b.errors5xx++;
      const i = latencyIndex(latencyMs);
      b.latency[i] = (b.latency[i] as number) + 1;
    },
    recordConnectionFailure(nowMs) {
      bucketAt(nowMs).connectionFailures++;
    },
    summarize(nowMs, windowS) {
      const nowSec = Math.floor(nowMs / 1000);
      const from = nowSec - Math.min(Math.max(1, Math.ceil(windowS)), MAX_WINDOW_S);
      const hist = new Uint32Array(LAT_BOUNDS.length);
      let requests = 0;
      let errors5xx = 0;
      let connectionFailures = 0;
      for (const b of ring) {
        if (b === undefined || b.sec <= from || b.sec > nowSec) continue;
        requests += b.requests;
        errors5xx += b.errors5xx;
        connectionFailures += b.connectionFailures;
        for (let i = 0; i < hist.length; i++) hist[i] = (hist[i] as number) + (b.latency[i] as number);
      }
      return {
        windowSeconds: windowS,
        requests,
        errors5xx,
        connectionFailures,
        errorRate: requests === 0 ? 0 : errors5xx / requests,
        latencyMs: { p50: quantile(hist, requests, 0.5), p95: quantile(hist, requests, 0.95), p99: quantile(hist, requests, 0.99) },
      };
    },
  };
}
