/**
 * `baton metrics serve --config prometheus.yml --listen 127.0.0.1:9090 [--prefix /prometheus]
 *  [--retention 1h]`: the embedded Prometheus-compatible server on its own. Runs until SIGINT
 * or SIGTERM; warnings about unsupported config keys go to stderr.
 */
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
}

/** Splits `host:port` (IPv6 in brackets); throws InvalidInputError naming the flag. */
export function parseListenAddress(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidInputError('invalid_listen', `--listen ${JSON.stringify(listen)} is not host:port (e.g. 127.0.0.1:9090)`, { listen });
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Loads the config and starts the server; returns it with the config warnings. */
export async function runMetricsServe(opts: MetricsServeOptions): Promise<{ server: RunningMetricsServer; warnings: string[] }> {
  const { host, port } = parseListenAddress(opts.listen);
  let retentionMs: number | undefined;
  if (opts.retention !== undefined) {
    retentionMs = parsePromDuration(opts.retention);
    if (retentionMs === undefined || retentionMs <= 0) throw new InvalidInputError('invalid_retention', `--retention ${JSON.stringify(opts.retention)} is not a duration (use 30m, 1h, 2d)`);
  }
  const config = await loadMetricsConfig(opts.config);
  const server = await startMetricsServer({ config, host, port, prefix: opts.prefix, storage: { retentionMs } });
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
