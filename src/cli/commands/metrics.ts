/**
 * `baton metrics serve --config prometheus.yml --listen 127.0.0.1:9090 [--prefix /prometheus]
 *  [--retention 1h] [--max-series N] [--max-samples N]`: the embedded Prometheus-compatible server on its own. Runs until SIGINT
 * or SIGTERM; warnings about unsupported config keys go to stderr.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { parsePromDuration } from '../../promql/literals.js';
import { loadMetricsConfig } from '../../metrics-server/config.js';
import { startMetricsServer, type RunningMetricsServer } from '../../metrics-server/server.js';

/** Options of `baton metrics serve`. */
export interface MetricsServeOptions {
  config: string;
  listen: string;
  prefix?: string;
  retention?: string;
  maxSeries?: string;
  maxSamples?: string;
  /** A file whose content (trimmed) every request must carry as `Authorization: Bearer <token>`. */
  tokenFile?: string;
}

async function readTokenFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InvalidInputError('invalid-token-file', `--token-file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { path });
  }
  const token = text.trim();
  if (token === '') throw new InvalidInputError('invalid-token-file', `--token-file ${path} is empty`, { path });
  return token;
}

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new InvalidInputError('invalid-flag', `${flag} ${JSON.stringify(v)} is not a positive whole number`);
  return Number(v);
}

/** Splits `host:port` (IPv6 in brackets); throws InvalidInputError naming the flag. */
export function parseListenAddress(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidInputError('invalid-listen', `--listen ${JSON.stringify(listen)} is not host:port (e.g. 127.0.0.1:9090)`, { listen });
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Loads the config and starts the server; returns it with the config warnings. */
export async function runMetricsServe(opts: MetricsServeOptions): Promise<{ server: RunningMetricsServer; warnings: string[] }> {
  const { host, port } = parseListenAddress(opts.listen);
  let retentionMs: number | undefined;
  if (opts.retention !== undefined) {
    retentionMs = parsePromDuration(opts.retention);
    if (retentionMs === undefined || retentionMs <= 0) throw new InvalidInputError('invalid-retention', `--retention ${JSON.stringify(opts.retention)} is not a duration (use 30m, 1h, 2d)`);
  }
  const config = await loadMetricsConfig(opts.config);
  const maxSeries = positiveInt(opts.maxSeries, '--max-series');
  const maxSamples = positiveInt(opts.maxSamples, '--max-samples');
  const token = opts.tokenFile !== undefined ? await readTokenFile(opts.tokenFile) : undefined;
  const server = await startMetricsServer({ config, host, port, prefix: opts.prefix, storage: { retentionMs, maxSeries, maxSamples }, ...(token !== undefined ? { token } : {}) });
  return { server, warnings: config.warnings };
}

/** Registers `baton metrics serve`. */
export function registerMetricsCommand(program: Command): void {
  const metrics = program.command('metrics').description('The embedded Prometheus-compatible metrics server.');
  metrics
    .command('serve')
    .description('Scrape the targets of a prometheus.yml and answer the Prometheus HTTP API.')
    .requiredOption('--config <file>', 'prometheus.yml (a subset: global intervals, scrape_configs with static_configs)')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:9090')
    .option('--prefix <path>', 'serve the API under this path prefix, e.g. /prometheus')
    .option('--retention <duration>', 'how long samples are kept', '1h')
    .option('--max-series <n>', 'most series held; new ones beyond are refused (counted in baton_tsdb_series_rejected_total)')
    .option('--max-samples <n>', 'most samples held; the oldest are evicted beyond (counted in baton_tsdb_samples_evicted_total)')
    .option('--token-file <file>', 'answer only requests with Authorization: Bearer <the content of this file>')
    .action(async (opts: MetricsServeOptions) => {
      const { server, warnings } = await runMetricsServe(opts);
      for (const w of warnings) process.stderr.write(`baton: warning: ${w}\n`);
      process.stderr.write(`baton: metrics server listening on ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const done = (): void => resolve();
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      await server.stop();
    });
}
