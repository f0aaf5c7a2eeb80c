/**
 * The standalone embedded Prometheus: the app of app.ts on its own node:http listener. With a
 * `token` every request must carry it as `Authorization: Bearer <token>` (what Prometheus'
 * `authorization` / Grafana's bearer setting send), checked before anything is read.
 */
import { bearerMatches } from '../adapters/http/bearer.js';
import { startFetchServer } from '../adapters/http/fetch-server.js';
import type { MemoryStorage } from '../promql/storage.js';
import { createMetricsApp, type MetricsAppOptions } from './app.js';
import type { ScrapeLoop } from './scraper.js';

/** Options of `startMetricsServer`. */
export interface MetricsServerOptions extends MetricsAppOptions {
  /** Host to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** A Bearer token every request must carry; none: the API answers anyone who reaches the port. */
  token?: string;
}

const UNAUTHORIZED = JSON.stringify({ status: 'error', errorType: 'unauthorized', error: 'a valid token is needed: Authorization: Bearer <token>' });

/** A running server. */
export interface RunningMetricsServer {
  /** Base URL including the prefix, e.g. http://127.0.0.1:9090/prometheus. */
  url: string;
  port: number;
  storage: MemoryStorage;
  loops: readonly ScrapeLoop[];
  stop(): Promise<void>;
}

/** Starts scraping and serving; resolves once the listener is bound. */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<RunningMetricsServer> {
  const app = createMetricsApp(opts);
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token;
  const handle = (req: Request): Promise<Response> =>
    token !== undefined && !bearerMatches(req.headers.get('authorization'), token)
      ? Promise.resolve(new Response(UNAUTHORIZED, { status: 401, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' } }))
      : app.handle(req);
  const server = await startFetchServer(host, opts.port, handle, { errorBody: (error, code) => ({ status: 'error', errorType: code === 'internal' ? 'internal' : 'bad_data', error }) });
  const port = server.port;
  app.start();
  return {
    url: `${server.url}${app.prefix}`,
    port,
    storage: app.storage,
    loops: app.loops,
    async stop() {
      await app.stop();
      await server.close();
    },
  };
}
