/**
 * The embedded Prometheus as a Fetch-style handler, `(Request) => Promise<Response>`, with its
 * store and scrape loops, so it can be mounted under a prefix of another server (the control
 * API serves it under `/prometheus`) or run on its own listener (server.ts). Its own counters
 * are served at `<prefix>/metrics` in the text format.
 */
import { MemoryStorage, type StorageOptions } from '../promql/storage.js';
import { handleApiRequest, type ApiContext } from './api.js';
import type { MetricsConfig } from './config.js';
import { ScrapeLoop, systemClock, type ScrapeClock } from './scraper.js';

/** Options of `createMetricsApp`. */
export interface MetricsAppOptions {
  config: MetricsConfig;
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

/** The store, the scrape loops and the request handler. */
export interface MetricsApp {
  readonly storage: MemoryStorage;
  readonly loops: readonly ScrapeLoop[];
  readonly prefix: string;
  /** Answers a request whose path starts with the prefix; 404 otherwise. */
  handle(req: Request): Promise<Response>;
  /** Starts scraping and retention. */
  start(): void;
  /** Stops scraping (writing end-of-run stale markers) and retention. */
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

const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

/** Builds the app; nothing runs until `start()`. */
export function createMetricsApp(opts: MetricsAppOptions): MetricsApp {
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
  let truncTimer: unknown;
  let running = false;
  const scheduleTruncate = (): void => {
    truncTimer = clock.setTimeout(() => {
      storage.truncate(clock.now());
      if (running) scheduleTruncate();
    }, opts.truncateEveryMs ?? 60_000);
  };
  return {
    storage,
    loops,
    prefix,
    async handle(req: Request): Promise<Response> {
      const url = new URL(req.url);
      if (prefix !== '' && url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return new Response('404 page not found\n', { status: 404, headers: TEXT });
      const path = url.pathname.slice(prefix.length) || '/';
      if (path === '/metrics') return new Response(selfMetrics(storage), { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } });
      const params = new URLSearchParams(url.search);
      if (req.method === 'POST' && (req.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(await req.text())) params.append(k, v);
      }
      const r = handleApiRequest(ctx, req.method, path, params);
      return new Response(r.body, { status: r.status, headers: { 'content-type': r.contentType } });
    },
    start() {
      if (running) return;
      running = true;
      for (const l of loops) l.start();
      scheduleTruncate();
    },
    async stop() {
      running = false;
      clock.clearTimeout(truncTimer);
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
