/**
 * Helpers for the gateway's integration tests: real upstream HTTP servers on 127.0.0.1:0 that
 * say who they are, a real gateway, and a keep-alive client.
 */
import { createServer, request, Agent, type IncomingMessage, type Server, type ServerResponse, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import type { GatewayConfig } from '../../src/gateway/config/types.js';

export interface Upstream {
  readonly name: string;
  readonly port: number;
  readonly key: string;
  readonly server: Server;
  /** Requests seen, in order. */
  readonly seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** Answers `200 <name>` unless `handler` says otherwise; records each request with its body. */
export async function startUpstream(name: string, handler?: UpstreamHandler): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (handler) handler(req, res, body);
      else {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
        res.end(name);
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    port,
    key: `127.0.0.1:${port}`,
    server,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The admin token of each test gateway by its admin URL, so `send` to an admin URL carries it. */
const adminTokens = new Map<string, string>();

/** A real gateway in this process on free ports; `send` to its `adminUrl` carries its admin token. */
export async function startTestGateway(config?: GatewayConfig, stateDir?: string): Promise<RunningGateway> {
  const gw = await startGateway({ listen: '127.0.0.1:0', admin: '127.0.0.1:0', ...(config ? { initialConfig: config } : {}), ...(stateDir ? { stateDir } : {}) });
  adminTokens.set(gw.adminUrl, gw.adminToken);
  return gw;
}

/** Headers of a request to `base`: the admin token when `base` is a test gateway's admin API (unless given). */
function withAdminToken(base: string, headers: Record<string, string> | undefined): Record<string, string> | undefined {
  const token = adminTokens.get(base.replace(/\/+$/, ''));
  if (token === undefined || headers?.authorization !== undefined) return headers;
  return { authorization: `Bearer ${token}`, ...headers };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request over a shared keep-alive agent; the body is read whole. To a test gateway's admin API it carries the admin token. */
export function send(
  base: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: Agent | false } = {},
): Promise<Reply> {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'GET', headers: withAdminToken(base, opts.headers), agent: opts.agent === undefined ? keepAlive : opts.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/** A config with one catch-all route splitting between the given clusters. */
export function splitConfig(version: number, clusters: Record<string, { endpoints: string[]; labels?: Record<string, string> }>, weights: Record<string, number>, extra: Partial<GatewayConfig['routes'][number]> = {}): GatewayConfig {
  return {
    version,
    routes: [{ name: 'main', match: [{ uri: { prefix: '/' } }], destinations: Object.entries(weights).map(([cluster, weight]) => ({ cluster, weight })), ...extra }],
    clusters,
  };
}

/** Runs `fn` over `n` items with at most `concurrency` at once. */
export async function runPool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

/** `n` GET requests through an undici pool (cheaper per request than node:http, keeping the test fast); answers' bodies in order. */
export async function blast(base: string, path: string, n: number, connections = 32, headers: Record<string, string> = {}): Promise<Array<{ status: number; body: string }>> {
  const { Pool } = await import('undici');
  const pool = new Pool(base, { connections, pipelining: 1 });
  try {
    return await runPool(n, connections, async () => {
      const r = await pool.request({ path, method: 'GET', headers });
      return { status: r.statusCode, body: await r.body.text() };
    });
  } finally {
    await pool.close();
  }
}

/** An upstream in its own process (so it can be killed for real); resolves once it listens. */
export async function spawnUpstream(name: string): Promise<{ key: string; port: number; child: import('node:child_process').ChildProcess; kill(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [new URL('./fixtures/upstream.mjs', import.meta.url).pathname, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`upstream ${name} exited with ${code}`)));
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  return {
    key: `127.0.0.1:${port}`,
    port,
    child,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
