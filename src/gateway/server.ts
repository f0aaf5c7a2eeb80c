/**
 * Starting and stopping the gateway: the proxy listener, the admin listener, the shared
 * context holding the compiled config, and config application (validate -> compile ->
 * persist -> swap the reference -> release endpoints that left).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InvalidInputError } from '../core/errors.js';
import { compileConfig, type CompiledConfig } from './config/compile.js';
import type { GatewayConfig } from './config/types.js';
import { validateConfig } from './config/validate.js';
import { createMetricsRegistry } from './metrics/registry.js';
import { createWindowStats, type WindowStats } from './metrics/window-stats.js';
import { createEndpointRegistry, type Endpoint } from './proxy/endpoints.js';
import { createProxy, createRequestHandler, type ProxyContext } from './proxy/forward.js';
import { createFront } from './proxy/front.js';
import { createUpgradeHandler } from './proxy/upgrade.js';
import { createAdminHandler, type ApplyOutcome } from './admin/server.js';
import { MIN_TOKEN_LENGTH } from './state/admin-token.js';
import { loadPersistedConfig, persistConfig } from './state/persist.js';

/** Options of `startGateway`, as `baton gateway` takes them. */
export interface GatewayOptions {
  /** `HOST:PORT`; port 0 picks a free one. With `listenFd`, the address that socket is bound to. */
  listen: string;
  /**
   * A listening socket inherited from the parent (file descriptor number), accepted on instead
   * of binding `listen`: the controller holds it, so it outlives this process.
   */
  listenFd?: number;
  admin: string;
  /** The admin API's bearer token; a random one when not given (read it from `adminToken`). */
  adminToken?: string;
  /** Where the token is kept, named in the admin API's 401 answers. */
  adminTokenHint?: string;
  stateDir?: string;
  /** Served until a config is pushed, when no persisted one exists. */
  initialConfig?: GatewayConfig;
  /** How long a shutdown waits for in-flight requests; default 10 s. */
  drainTimeoutMs?: number;
}

/** A started gateway: its addresses, its shared context, and how to apply configs and stop it. */
export interface RunningGateway {
  /** `http://HOST:PORT` of the proxy. */
  readonly url: string;
  readonly adminUrl: string;
  readonly port: number;
  readonly adminPort: number;
  /** The bearer token of the admin API. */
  readonly adminToken: string;
  readonly context: ProxyContext;
  /** Validates and applies a config as `PUT /config` does. */
  apply(config: unknown): Promise<ApplyOutcome>;
  /** Stops accepting, lets in-flight requests finish (bounded), closes everything. True when nothing was cut. */
  close(): Promise<boolean>;
}

const EMPTY: GatewayConfig = { version: 0, routes: [], clusters: {} };

/**
 * Connections a listener queues before the process accepts them. Large, because a
 * controller-held socket queues every new connection while no gateway runs (between a crash
 * and the next start); Linux caps it at net.core.somaxconn (4096 since 5.4).
 */
const LISTEN_BACKLOG = 4096;

/**
 * What identifies a config's content: sha256 of its JSON. A controller compares it with the
 * digest its own push was answered with, to notice a config someone else wrote.
 */
export function configDigest(config: GatewayConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

/** `127.0.0.1:8080` -> host and port; `[::1]:80` too. Bad input is an InvalidInputError naming the option. */
export function parseListenAddress(text: string, option: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : -1;
  if (!m || port > 65535) throw new InvalidInputError('invalid-address', `${option}: ${JSON.stringify(text)} is not HOST:PORT (e.g. 127.0.0.1:8080)`, { option, value: text });
  return { host: (m[1] ?? m[2]) as string, port };
}

function listen(server: Server, addr: { host: string; port: number } | { fd: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    };
    if ('fd' in addr) server.listen({ fd: addr.fd, backlog: LISTEN_BACKLOG }, done);
    else server.listen(addr.port, addr.host, LISTEN_BACKLOG, done);
  });
}

/** Listens on the inherited socket `fd`; it must be a TCP socket bound to `--listen`'s port. */
async function listenInherited(server: Server, fd: number, want: { host: string; port: number }): Promise<number> {
  let port: number;
  try {
    port = await listen(server, { fd });
  } catch (e) {
    throw new InvalidInputError('invalid-listen-fd', `--listen-fd ${fd}: not a TCP socket this process can listen on (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { option: '--listen-fd', value: fd });
  }
  if (want.port !== 0 && port !== want.port) {
    server.close();
    throw new InvalidInputError('invalid-listen-fd', `--listen-fd ${fd}: the socket is bound to port ${port}, not to --listen's ${want.port}`, { option: '--listen-fd', value: fd });
  }
  return port;
}

/** Loads the persisted (or initial) config, then listens on both addresses; bad input is an InvalidInputError. */
export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const listenAddr = parseListenAddress(opts.listen, '--listen');
  const adminAddr = parseListenAddress(opts.admin, '--admin');
  const adminToken = opts.adminToken ?? randomBytes(32).toString('base64url');
  if (adminToken.length < MIN_TOKEN_LENGTH) throw new InvalidInputError('invalid-admin-token', `the admin token must be at least ${MIN_TOKEN_LENGTH} characters`);
  const metrics = createMetricsRegistry();
  const endpoints = createEndpointRegistry();
  const stats = new Map<string, WindowStats>();
  const deps = {
    endpoint: (k: string): Endpoint => endpoints.get(k),
    series: (labels: Record<string, string>, route: string) => metrics.group(labels, route),
    stats: (name: string): WindowStats => {
      let s = stats.get(name);
      if (!s) {
        s = createWindowStats();
        stats.set(name, s);
      }
      return s;
    },
  };
  const compile = (c: GatewayConfig): CompiledConfig<Endpoint> => compileConfig(c, deps);

  let initial = opts.initialConfig ?? EMPTY;
  if (opts.stateDir !== undefined) initial = (await loadPersistedConfig(opts.stateDir)) ?? initial;
  const first = validateConfig(initial);
  if (!first.ok) throw new InvalidInputError('invalid-gateway-config', `initial config: ${first.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);

  const ctx: ProxyContext = { config: compile(first.config), endpoints, metrics, mirror: { inFlight: 0 }, draining: false, upgraded: new Set() };
  endpoints.setActive(ctx.config.endpointKeys);
  metrics.health.configVersion = ctx.config.version;
  let digest = configDigest(first.config);

  // Applies are serialised so two pushes cannot interleave their persist and swap.
  let chain: Promise<unknown> = Promise.resolve();
  function apply(body: unknown): Promise<ApplyOutcome> {
    const run = async (): Promise<ApplyOutcome> => {
      const v = validateConfig(body);
      if (!v.ok) {
        metrics.health.configRejects++;
        return { ok: false, status: 400, problems: v.problems };
      }
      const compiled = compile(v.config);
      if (opts.stateDir !== undefined) {
        try {
          await persistConfig(opts.stateDir, v.config);
        } catch (e) {
          // Endpoints the refused config created are not in the served config.
          endpoints.setActive(ctx.config.endpointKeys);
          return { ok: false, status: 500, problems: [{ path: '$', message: `could not persist the config in ${opts.stateDir}: ${e instanceof Error ? e.message : String(e)}` }] };
        }
      }
      ctx.config = compiled;
      digest = configDigest(v.config);
      endpoints.setActive(compiled.endpointKeys);
      metrics.health.configVersion = compiled.version;
      metrics.health.configApplies++;
      return { ok: true, version: compiled.version, digest };
    };
    const p = chain.then(run, run);
    chain = p;
    return p;
  }

  const proxy = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, createRequestHandler(ctx));
  proxy.on('upgrade', createUpgradeHandler(ctx));
  proxy.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // Node's own default for a head over its 16 KiB limit is 431 (RFC 6585 section 5); the rest is malformed.
    if (err.code === 'HPE_HEADER_OVERFLOW') socket.end('HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\ncontent-length: 36\r\nconnection: close\r\n\r\n{"error":"request-header-too-large"}');
    else socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"bad-request"}');
  });
  // Accepted connections go to the raw front end first; node:http's own connection listener
  // (which the 'connection' event is documented to accept injected sockets through) serves
  // those it hands over. The server still listens, so close() and its idle/all-connection
  // tracking keep working for handed-over connections.
  const httpListeners = proxy.listeners('connection') as Array<(s: Socket) => void>;
  proxy.removeAllListeners('connection');
  const front = createFront({
    proxy: createProxy(ctx),
    handOver: (s) => {
      for (const l of httpListeners) l.call(proxy, s);
    },
    draining: () => ctx.draining,
  });
  proxy.on('connection', (s: Socket) => front.accept(s));
  const admin = createServer(createAdminHandler({ ctx, apply, digest: () => digest, token: adminToken, ...(opts.adminTokenHint !== undefined ? { tokenHint: opts.adminTokenHint } : {}) }));

  const port = opts.listenFd !== undefined ? await listenInherited(proxy, opts.listenFd, listenAddr) : await listen(proxy, listenAddr);
  let adminPort: number;
  try {
    adminPort = await listen(admin, adminAddr);
  } catch (e) {
    proxy.close();
    throw e;
  }

  let closing: Promise<boolean> | undefined;
  async function close(): Promise<boolean> {
    ctx.draining = true;
    proxy.close();
    proxy.closeIdleConnections();
    front.closeIdle();
    const deadline = Date.now() + (opts.drainTimeoutMs ?? 10_000);
    // In-flight requests finish on their own; poll the counter at a coarse step (shutdown only).
    while (metrics.health.inFlight > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      proxy.closeIdleConnections();
      front.closeIdle();
    }
    const clean = metrics.health.inFlight === 0;
    proxy.closeAllConnections();
    front.closeAll();
    // Upgraded connections have no request/response boundary to wait for: they end with the process.
    for (const s of ctx.upgraded) s.destroy();
    admin.close();
    admin.closeAllConnections();
    endpoints.close();
    return clean;
  }

  const host = (h: string): string => (h.includes(':') ? `[${h}]` : h);
  return {
    url: `http://${host(listenAddr.host)}:${port}`,
    adminUrl: `http://${host(adminAddr.host)}:${adminPort}`,
    port,
    adminPort,
    adminToken,
    context: ctx,
    apply,
    close: () => (closing ??= close()),
  };
}
