/**
 * The standalone embedded Prometheus: storage, scrape loops for every configured target and
 * the HTTP API on one listener, optionally under a mount prefix (e.g. `/prometheus` inside the
 * control API). Its own counters are served at `<prefix>/metrics` in the text format.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStorage, type StorageOptions } from '../promql/storage.js';
import { handleApiRequest, type ApiContext } from './api.js';
import type { MetricsConfig } from './config.js';
import { ScrapeLoop, systemClock, type ScrapeClock } from './scraper.js';

/** Options of `startMetricsServer`. */
export interface MetricsServerOptions {
  config: MetricsConfig;
  /** Host to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Mount prefix such as `/prometheus`; default none. */
  prefix?: string;
  /** Options for a new store; ignored when `store` is given. */
  storage?: StorageOptions;
  /** An existing store to serve and scrape into (e.g. one the caller pre-filled). */
  store?: MemoryStorage;
  clock?: ScrapeClock;
  /** How often expired samples are dropped; default 60 s. */
  truncateEveryMs?: number;
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

function selfMetrics(storage: MemoryStorage): string {
  const s = storage.stats();
  const lines: string[] = [];
  const put = (name: string, type: string, help: string, v: number): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${v}`);
  };
  put('baton_tsdb_head_series', 'gauge', 'Series held in memory.', s.series);
  put('baton_tsdb_head_samples', 'gauge', 'Samples held in memory.', s.samples);
  put('baton_tsdb_head_buffer_bytes', 'gauge', 'Bytes of sample buffers, unused capacity included.', s.bufferBytes);
  put('baton_tsdb_series_rejected_total', 'counter', 'New series refused because the series cap was reached.', s.seriesRejected);
  put('baton_tsdb_samples_evicted_total', 'counter', 'Oldest samples dropped because the sample cap was reached.', s.samplesEvicted);
  put('baton_tsdb_samples_expired_total', 'counter', 'Samples dropped past the retention window.', s.samplesExpired);
  put('baton_tsdb_out_of_order_samples_total', 'counter', 'Samples refused for being older than the newest of their series.', s.samplesOutOfOrder);
  put('baton_tsdb_duplicate_samples_total', 'counter', 'Samples refused for a different value at an existing timestamp.', s.samplesDuplicate);
  return lines.join('\n') + '\n';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > 1 << 20) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts scraping and serving; resolves once the listener is bound. */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<RunningMetricsServer> {
  const clock = opts.clock ?? systemClock;
  const storage = opts.store ?? new MemoryStorage(opts.storage);
  const prefix = (opts.prefix ?? '').replace(/\/+$/, '');
  const loops: ScrapeLoop[] = [];
  for (const job of opts.config.jobs) for (const t of job.targets) loops.push(new ScrapeLoop(storage, job, t, clock));
  const ctx: ApiContext = {
    storage,
    now: () => clock.now(),
    targets: () => loops.map((l) => l.status),
    evaluationIntervalMs: opts.config.evaluationIntervalMs,
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (prefix !== '' && url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const path = url.pathname.slice(prefix.length) || '/';
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(selfMetrics(storage));
      return;
    }
    const params = new URLSearchParams(url.search);
    if (req.method === 'POST' && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(await readBody(req))) params.append(k, v);
    }
    const r = handleApiRequest(ctx, req.method ?? 'GET', path, params);
    res.writeHead(r.status, { 'content-type': r.contentType }).end(r.body);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'internal', error: e instanceof Error ? e.message : String(e) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  for (const l of loops) l.start();
  const truncateEvery = opts.truncateEveryMs ?? 60_000;
  let truncTimer: unknown;
  const scheduleTruncate = (): void => {
    truncTimer = clock.setTimeout(() => {
      storage.truncate(clock.now());
      scheduleTruncate();
    }, truncateEvery);
  };
  scheduleTruncate();
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${prefix}`,
    port,
    storage,
    loops,
    async stop() {
      clock.clearTimeout(truncTimer);
      await Promise.all(loops.map((l) => l.stop()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
