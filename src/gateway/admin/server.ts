/**
 * The admin API: `PUT /config`, `GET /config`, `GET /metrics`, `GET /stats`, `GET /healthz`,
 * `GET /endpoints` and `GET /drain` (long-poll until an endpoint has nothing in flight).
 * Every route but `GET /healthz` needs the bearer token (auth.ts). Handlers are small;
 * applying a config is the gateway's job (`apply`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseGoDuration } from '../../core/spec/duration.js';
import { MAX_WINDOW_S } from '../metrics/window-stats.js';
import type { ConfigProblem } from '../config/types.js';
import type { ProxyContext } from '../proxy/forward.js';
import { hasToken, isOpenRoute } from './auth.js';

/** Outcome of applying a pushed body. */
export type ApplyOutcome = { ok: true; version: number; digest: string } | { ok: false; status: number; problems: ConfigProblem[] };

/** What the admin API reads (the proxy context), how it applies a pushed config, and its credential. */
export interface AdminDeps {
  ctx: ProxyContext;
  apply(body: unknown): Promise<ApplyOutcome>;
  /** The digest of the config in force (see `configDigest` in server.ts). */
  digest(): string;
  /** The bearer token every route but `GET /healthz` needs. */
  token: string;
  /** Where the token can be found, for the 401 answer (e.g. `<state-dir>/admin.token`). */
  tokenHint?: string;
}

const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_CONFIG_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `60s`, `5m` or a bare number of seconds; undefined when neither or out of range. */
export function parseWindow(text: string | null): number | undefined {
  if (text === null || text === '') return 60;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseGoDuration(text);
  if (ms === undefined || ms < 1000 || ms > MAX_WINDOW_S * 1000) return undefined;
  return ms / 1000;
}

async function handle(deps: AdminDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { ctx } = deps;
  const url = new URL(req.url ?? '/', 'http://admin');
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  if (!isOpenRoute(route) && !hasToken(req.headers, deps.token)) {
    // RFC 6750 section 3: a 401 names the scheme; no route is told apart from another before the credential.
    res.setHeader('www-authenticate', 'Bearer realm="baton-gateway-admin"');
    const where = deps.tokenHint ? ` (the token is in ${deps.tokenHint})` : '';
    return json(res, 401, { error: 'unauthorized', message: `the admin API needs "Authorization: Bearer <token>"${where}` });
  }
  switch (route) {
    case 'PUT /config':
    case 'POST /config': {
      const text = await readBody(req);
      if (text === undefined) return json(res, 413, { error: 'config-too-large', problems: [{ path: '$', message: `config exceeds ${MAX_CONFIG_BYTES} bytes` }] });
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (e) {
        ctx.metrics.health.configRejects++;
        return json(res, 400, { error: 'invalid-config', problems: [{ path: '$', message: `not JSON: ${e instanceof Error ? e.message : String(e)}` }] });
      }
      const out = await deps.apply(body);
      if (out.ok) return json(res, 200, { applied: true, version: out.version, digest: out.digest });
      return json(res, out.status, { error: 'invalid-config', problems: out.problems, version: ctx.config.version });
    }
    case 'GET /config':
      return json(res, 200, ctx.config.source);
    case 'GET /metrics': {
      const text = ctx.metrics.render(ctx.endpoints.list());
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    case 'GET /stats': {
      const name = url.searchParams.get('cluster');
      const windowS = parseWindow(url.searchParams.get('window'));
      if (windowS === undefined) return json(res, 400, { error: 'bad-request', message: `window ${JSON.stringify(url.searchParams.get('window'))} is not a duration between 1s and ${MAX_WINDOW_S}s (use 60s, 5m)` });
      if (!name) return json(res, 400, { error: 'bad-request', message: 'cluster is required: /stats?cluster=NAME&window=60s' });
      const cluster = ctx.config.clusters.get(name);
      if (!cluster) return json(res, 404, { error: 'unknown-cluster', message: `cluster ${JSON.stringify(name)} is not in config version ${ctx.config.version}` });
      return json(res, 200, { cluster: name, ...cluster.stats.summarize(Date.now(), windowS) });
    }
    case 'GET /healthz':
      return json(res, 200, { status: 'ok', version: ctx.config.version, configDigest: deps.digest(), inFlight: ctx.metrics.health.inFlight, draining: ctx.draining });
    case 'GET /endpoints':
      return json(res, 200, { version: ctx.config.version, endpoints: ctx.endpoints.list() });
    case 'GET /drain': {
      const endpoint = url.searchParams.get('endpoint');
      const t = Number(url.searchParams.get('timeoutMs') ?? '30000');
      if (!endpoint || !/^.+:\d+$/.test(endpoint)) return json(res, 400, { error: 'bad-request', message: 'endpoint=HOST:PORT is required' });
      if (!Number.isFinite(t) || t < 0 || t > 600_000) return json(res, 400, { error: 'bad-request', message: 'timeoutMs must be a number of milliseconds up to 600000' });
      const drained = await ctx.endpoints.waitDrained(endpoint, t);
      const info = ctx.endpoints.list().find((e) => e.endpoint === endpoint);
      return json(res, 200, { endpoint, drained, inFlight: info?.inFlight ?? 0, inConfig: info?.inConfig ?? false });
    }
    default:
      return json(res, 404, { error: 'not-found', message: `no admin resource ${route}` });
  }
}

/** The admin listener's request handler; unexpected failures become a 500 JSON answer. */
export function createAdminHandler(deps: AdminDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: 'internal', message: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  };
}
