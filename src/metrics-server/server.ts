/**
 * The standalone embedded Prometheus: the app of app.ts on its own node:http listener.
 */
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
}

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
  const server = await startFetchServer(host, opts.port, (req) => app.handle(req), (error) => ({ status: 'error', errorType: 'internal', error }));
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
