/**
 * A typed client of the gateway's admin API, for the controller: push a whole config, read it
 * back, read per-cluster figures, and wait until an endpoint that left the config is idle
 * before its process is stopped. Every call carries the gateway's bearer token.
 */
import { BatonError } from '../../../core/errors.js';
import type { ConfigProblem, GatewayConfig } from '../../../gateway/config/types.js';
import type { WindowSummary } from '../../../gateway/metrics/window-stats.js';

export type { GatewayConfig, ConfigProblem };

/** The gateway refused a config; `problems` lists each with its JSON path. */
export class GatewayConfigRejectedError extends BatonError {
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly status: number,
  ) {
    super('gateway-config-rejected', `gateway refused the config: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems });
  }
}

/** The admin API could not be reached or answered something unexpected. */
export class GatewayUnavailableError extends BatonError {
  constructor(adminUrl: string, detail: string) {
    super('gateway-unavailable', `gateway admin API at ${adminUrl}: ${detail}`, { adminUrl });
  }
}

/** The gateway refused the token (401): the client and the gateway hold different ones. */
export class GatewayUnauthorizedError extends BatonError {
  constructor(adminUrl: string, detail: string) {
    super('gateway-unauthorized', `gateway admin API at ${adminUrl} refused the token: ${detail}`, { adminUrl });
  }
}

/** `GET /stats` for one cluster: counts, error rate and latency percentiles (ms) over the window. */
export interface ClusterStats extends WindowSummary {
  cluster: string;
}

/** `GET /healthz`: the config version and digest served, client requests in flight, and whether a shutdown is draining. */
export interface GatewayHealth {
  status: 'ok';
  version: number;
  /** sha256 of the config in force; a push is answered with the same digest. */
  configDigest: string;
  inFlight: number;
  draining: boolean;
}

/** One upstream endpoint as `GET /endpoints` lists it; `inConfig: false` means it left and is draining. */
export interface EndpointState {
  endpoint: string;
  inFlight: number;
  inConfig: boolean;
}

/** The admin API of one gateway, as the controller uses it. */
export interface GatewayClient {
  /** Applies `config` whole; resolves with the applied version and digest, rejects with GatewayConfigRejectedError on 400. */
  putConfig(config: GatewayConfig): Promise<{ version: number; digest: string }>;
  getConfig(): Promise<GatewayConfig>;
  /** Requests, 5xx, connection failures, error rate and latency percentiles over the last `windowS` seconds. */
  getStats(cluster: string, windowS: number): Promise<ClusterStats>;
  /** True once `endpoint` (`HOST:PORT`) has no request in flight; false when `timeoutMs` passed first. */
  waitDrained(endpoint: string, timeoutMs: number): Promise<boolean>;
  endpoints(): Promise<EndpointState[]>;
  health(): Promise<GatewayHealth>;
  /** The Prometheus text of `/metrics`. */
  metrics(): Promise<string>;
}

const DRAIN_SLICE_MS = 60_000;

/**
 * A client of the admin API at `adminUrl` (e.g. `http://127.0.0.1:9901`) with its bearer
 * `token`; errors are GatewayUnavailableError, GatewayUnauthorizedError or GatewayConfigRejectedError.
 */
export function createGatewayClient(adminUrl: string, token: string): GatewayClient {
  const base = adminUrl.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${token}` };

  async function call(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body !== undefined ? { ...auth, 'content-type': 'application/json' } : auth,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
      throw new GatewayUnavailableError(base, cause);
    }
    const text = await res.text();
    if (res.status === 401) throw new GatewayUnauthorizedError(base, `${method} ${path.split('?')[0] ?? path} answered 401`);
    return { status: res.status, text };
  }

  function parse<T>(r: { status: number; text: string }, what: string): T {
    if (r.status !== 200) throw new GatewayUnavailableError(base, `${what} answered ${r.status}: ${r.text.slice(0, 200)}`);
    try {
      return JSON.parse(r.text) as T;
    } catch {
      throw new GatewayUnavailableError(base, `${what} answered non-JSON`);
    }
  }

  return {
    async putConfig(config) {
      const r = await call('PUT', '/config', config);
      if (r.status === 400 || r.status === 413 || r.status === 500) {
        let problems: ConfigProblem[] = [{ path: '$', message: r.text }];
        try {
          problems = (JSON.parse(r.text) as { problems: ConfigProblem[] }).problems;
        } catch {
          // keep the raw text as the one problem
        }
        throw new GatewayConfigRejectedError(problems, r.status);
      }
      const out = parse<{ version: number; digest: string }>(r, 'PUT /config');
      return { version: out.version, digest: out.digest };
    },
    async getConfig() {
      return parse<GatewayConfig>(await call('GET', '/config'), 'GET /config');
    },
    async getStats(cluster, windowS) {
      const r = await call('GET', `/stats?cluster=${encodeURIComponent(cluster)}&window=${encodeURIComponent(`${windowS}s`)}`);
      if (r.status === 404) throw new BatonError('unknown-cluster', `gateway has no cluster ${JSON.stringify(cluster)}`, { cluster });
      return parse<ClusterStats>(r, 'GET /stats');
    },
    async waitDrained(endpoint, timeoutMs) {
      // Long-polls in slices of at most a minute: fetch gives up on answers slower than 300 s.
      const deadline = Date.now() + Math.max(0, timeoutMs);
      for (;;) {
        const slice = Math.min(DRAIN_SLICE_MS, Math.max(0, Math.round(deadline - Date.now())));
        const r = await call('GET', `/drain?endpoint=${encodeURIComponent(endpoint)}&timeoutMs=${slice}`);
        if (parse<{ drained: boolean }>(r, 'GET /drain').drained) return true;
        if (Date.now() >= deadline) return false;
      }
    },
    async endpoints() {
      return parse<{ endpoints: EndpointState[] }>(await call('GET', '/endpoints'), 'GET /endpoints').endpoints;
    },
    async health() {
      return parse<GatewayHealth>(await call('GET', '/healthz'), 'GET /healthz');
    },
    async metrics() {
      const r = await call('GET', '/metrics');
      if (r.status !== 200) throw new GatewayUnavailableError(base, `GET /metrics answered ${r.status}`);
      return r.text;
    },
  };
}
