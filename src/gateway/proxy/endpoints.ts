/**
 * Upstream endpoints, shared across config versions by their `HOST:PORT` key so that the
 * in-flight count of an endpoint survives a config swap. Each has its own keep-alive pool.
 * An endpoint that leaves the config gets no new requests (it is no longer in any compiled
 * cluster); its in-flight requests finish on the objects they started with, and drain waiters
 * are told when the count reaches 0. Its pool is closed once it is out of the config and idle.
 */
import { Agent } from 'node:http';

/** Idle time after which a pooled upstream connection is closed. */
export const IDLE_SOCKET_MS = 4_000;

/** An idle keep-alive connection of the raw upstream path (`raw-upstream.ts`), pooled on its endpoint. */
export interface IdleConnection {
  close(): void;
}

/** An upstream `HOST:PORT` with its keep-alive pools and the requests in flight to it. */
export interface Endpoint {
  readonly key: string;
  readonly host: string;
  readonly port: number;
  readonly agent: Agent;
  /** Idle connections of the raw path for requests without a body, most recently used last. */
  readonly idle: IdleConnection[];
  inFlight: number;
  /** `performance.now()` until which the balancer passes this endpoint over (it refused a connection). */
  ejectedUntil: number;
  /** In the config being served. */
  inConfig: boolean;
}

/** What `GET /endpoints` lists per endpoint. */
export interface EndpointInfo {
  endpoint: string;
  inFlight: number;
  inConfig: boolean;
}

/** All endpoints known to the process, in the config or draining. */
export interface EndpointRegistry {
  /** The endpoint for `HOST:PORT`, created on first use. */
  get(key: string): Endpoint;
  /** Marks which endpoints the new config uses; the others are released once idle. */
  setActive(keys: ReadonlySet<string>): void;
  begin(e: Endpoint): void;
  end(e: Endpoint): void;
  list(): EndpointInfo[];
  /** Resolves true once `key` has nothing in flight (at once if unknown), false after `timeoutMs`. */
  waitDrained(key: string, timeoutMs: number): Promise<boolean>;
  totalInFlight(): number;
  close(): void;
}

function splitKey(key: string): { host: string; port: number } {
  const colon = key.lastIndexOf(':');
  let host = key.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port: Number(key.slice(colon + 1)) };
}

function closeIdle(e: Endpoint): void {
  for (const c of e.idle.splice(0)) c.close();
}

/** An empty registry. */
export function createEndpointRegistry(): EndpointRegistry {
  const all = new Map<string, Endpoint>();
  const waiters = new Map<string, Set<() => void>>();

  function release(e: Endpoint): void {
    const ws = waiters.get(e.key);
    if (ws) {
      waiters.delete(e.key);
      for (const w of ws) w();
    }
    if (!e.inConfig) {
      e.agent.destroy();
      closeIdle(e);
      all.delete(e.key);
    }
  }

  return {
    get(key) {
      let e = all.get(key);
      if (!e) {
        const { host, port } = splitKey(key);
        // LIFO reuse keeps few sockets warm; no socket cap so a slow endpoint cannot queue others'
        // requests. Idle pooled sockets are closed after 4 s, before a Node upstream's default
        // 5 s keepAliveTimeout closes them: reusing a socket the upstream is closing would reset
        // a request that, if it is a POST, cannot be retried. (On busy sockets the timeout only
        // emits an unhandled 'timeout'; it never cuts a long answer.)
        e = {
          key,
          host,
          port,
          agent: new Agent({ keepAlive: true, keepAliveMsecs: 30_000, maxFreeSockets: 1024, scheduling: 'lifo', timeout: IDLE_SOCKET_MS }),
          idle: [],
          inFlight: 0,
          ejectedUntil: 0,
          inConfig: true,
        };
        all.set(key, e);
      }
      return e;
    },
    setActive(keys) {
      for (const e of [...all.values()]) {
        e.inConfig = keys.has(e.key);
        if (!e.inConfig && e.inFlight === 0) release(e);
      }
    },
    begin(e) {
      e.inFlight++;
    },
    end(e) {
      e.inFlight--;
      if (e.inFlight === 0 && (!e.inConfig || waiters.has(e.key))) release(e);
    },
    list() {
      return [...all.values()].map((e) => ({ endpoint: e.key, inFlight: e.inFlight, inConfig: e.inConfig }));
    },
    waitDrained(key, timeoutMs) {
      const e = all.get(key);
      if (!e || e.inFlight === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        let set = waiters.get(key);
        if (!set) {
          set = new Set();
          waiters.set(key, set);
        }
        const s = set;
        const done = (): void => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          s.delete(done);
          resolve(false);
        }, timeoutMs);
        s.add(done);
      });
    },
    totalInFlight() {
      let n = 0;
      for (const e of all.values()) n += e.inFlight;
      return n;
    },
    close() {
      for (const e of all.values()) {
        e.agent.destroy();
        closeIdle(e);
      }
      for (const ws of waiters.values()) for (const w of ws) w();
      waiters.clear();
    },
  };
}
