/**
 * The standalone embedded Prometheus: the app of app.ts on its own node:http listener.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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

const MAX_BODY = 1 << 20;

async function toRequest(req: IncomingMessage, base: string): Promise<Request> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  let body: Buffer | undefined;
  if (req.method === 'POST' || req.method === 'PUT') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      const b = c as Buffer;
      size += b.length;
      if (size > MAX_BODY) throw new Error('request body too large');
      chunks.push(b);
    }
    body = Buffer.concat(chunks);
  }
  return new Request(new URL(req.url ?? '/', base), { method: req.method ?? 'GET', headers, body });
}

/** Starts scraping and serving; resolves once the listener is bound. */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<RunningMetricsServer> {
  const app = createMetricsApp(opts);
  const host = opts.host ?? '127.0.0.1';
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const r = await app.handle(await toRequest(req, 'http://localhost'));
    res.writeHead(r.status, Object.fromEntries(r.headers.entries())).end(Buffer.from(await r.arrayBuffer()));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'internal', error: e instanceof Error ? e.message : String(e) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  app.start();
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${app.prefix}`,
    port,
    storage: app.storage,
    loops: app.loops,
    async stop() {
      await app.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
