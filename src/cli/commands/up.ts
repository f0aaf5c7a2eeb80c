/**
 * `baton up -f <file|dir>... [--state-dir .baton] [--listen 127.0.0.1:8080] [--api 127.0.0.1:7070]
 *          [--time-scale 1] [--apply-files] [--detach]` and `baton down [--keep-services] [--timeout D]`.
 *
 * `--detach` lints the files before it forks, so every problem is printed here (exit 64) rather
 * than as the tail of a log the background process wrote.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readManifestFiles } from '../../adapters/fs/read-manifest-files.js';
import { InvalidInputError } from '../../core/errors.js';
import { formatDiagnostic } from '../../core/spec/diagnostics.js';
import { parseManifests } from '../../core/spec/load.js';
import { resolveStateDir } from '../../host/state-dir.js';
import { loadMetricsConfig } from '../../metrics-server/index.js';
import { DEFAULT_API, DEFAULT_LISTEN, DOWN_TIMEOUT_MS, lastAddresses, runDown, runUp, runUpDetached } from '../../host/up.js';
import { EXIT_INVALID } from '../exit.js';
import { durationOption } from '../options.js';
import { findStateDir } from '../state-lookup.js';

interface UpFlags {
  filename?: string[];
  stateDir?: string;
  listen?: string;
  api?: string;
  timeScale: string;
  detach?: boolean;
  metricsJob?: string;
  scrapeInterval: number;
  prometheus?: string;
  metricsConfig?: string;
  applyFiles?: boolean;
}

export function registerUpCommands(program: Command): void {
  program
    .command('up')
    .description('Start the controller, the gateway and the services of the manifests on this machine, and run their rollouts')
    .option('-f, --filename <path...>', 'manifest files or directories (default: the ones applied last in the state dir)')
    .option('--state-dir <dir>', 'state directory (default $BATON_STATE_DIR or .baton)')
    .option('--listen <host:port>', `where the gateway takes user traffic (default: the last run's in this state dir, else ${DEFAULT_LISTEN})`)
    .option('--api <host:port>', `where the control API (and the embedded Prometheus under /prometheus) listens (default: the last run's, else ${DEFAULT_API})`)
    .option('--time-scale <factor>', 'multiply every pause, interval and delay (0.1: ten times faster)', '1')
    .option('--metrics-job <name>', "the gateway metrics' job label (default: the job the templates' queries select)")
    .option('--scrape-interval <duration>', 'how often the embedded Prometheus scrapes (a bare number is milliseconds, as before)', durationOption('--scrape-interval', { min: 100, legacyBareUnit: 'ms' }), 5000)
    .option('--metrics-config <file>', "a prometheus.yml whose scrape_configs the embedded Prometheus scrapes too (your services' /metrics)")
    .option('--prometheus <url>', 'query this Prometheus instead of the embedded one')
    .option('--apply-files', 'apply the -f files over the set in force of the state dir, as `baton apply -f` does (without it, a set in force that differs from the files runs unchanged, and the differences are printed)')
    .option('--detach', 'run in the background; `baton down` stops it')
    .action(async (o: UpFlags) => {
      const timeScale = Number(o.timeScale);
      if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new InvalidInputError('invalid-option', `--time-scale: ${JSON.stringify(o.timeScale)} must be a number above 0 (e.g. 0.1)`);
      const scrape = o.scrapeInterval;
      const dir = resolveStateDir(o.stateDir);
      if (o.detach) {
        // Over a set in force the files may refer to objects only it holds: the controller lints them there.
        if (o.filename && !o.applyFiles && !(await filesLintClean(o.filename))) {
          process.exitCode = EXIT_INVALID;
          return;
        }
        process.exitCode = await runUpDetached(dir, process.argv.slice(3), process.stdout);
        return;
      }
      // Absolute paths, as `baton apply` sends them: the same file is the same object source either way.
      const files = o.filename ? (await readManifestFiles(o.filename)).map((f) => ({ ...f, path: resolve(f.path) })) : undefined;
      const last = lastAddresses(dir);
      let extraScrapeJobs;
      if (o.metricsConfig) {
        const config = await loadMetricsConfig(o.metricsConfig);
        for (const w of config.warnings) process.stderr.write(`baton: ${o.metricsConfig}: ${w}\n`);
        extraScrapeJobs = config.jobs;
      }
      process.exitCode = await runUp({
        dir,
        ...(files ? { files } : {}),
        ...(o.applyFiles ? { applyFiles: true } : {}),
        listen: o.listen ?? last.listen ?? DEFAULT_LISTEN,
        api: o.api ?? last.api ?? DEFAULT_API,
        timeScale,
        ...(o.metricsJob ? { metricsJob: o.metricsJob } : {}),
        scrapeIntervalMs: scrape,
        ...(o.prometheus ? { prometheusUrl: o.prometheus } : {}),
        ...(extraScrapeJobs ? { extraScrapeJobs } : {}),
        out: process.stdout,
      });
    });
  program
    .command('down')
    .description('Stop the controller; without --keep-services also every process and the gateway')
    .option('--state-dir <dir>', 'state directory (default $BATON_STATE_DIR or .baton)')
    .option('--keep-services', 'leave the services and the gateway running (a later `baton up` re-adopts them)')
    .option('-t, --timeout <duration>', `give up waiting for the controller to stop after this long (exit 2)`, durationOption('--timeout', { min: 1000 }), DOWN_TIMEOUT_MS)
    .action(async (o: { stateDir?: string; keepServices?: boolean; timeout: number }) => {
      process.exitCode = await runDown(findStateDir(o.stateDir).dir, o.keepServices === true, process.stdout, o.timeout);
    });
}

/** Lints the files on their own; prints every problem on stderr as `baton lint` words them. */
async function filesLintClean(paths: string[]): Promise<boolean> {
  const files = await readManifestFiles(paths);
  if (files.length === 0) throw new InvalidInputError('no-manifests', `-f ${paths.join(' ')}: no manifest files (*.yaml, *.yml, *.json) found`, { paths });
  const errors = parseManifests(files).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return true;
  process.stderr.write(`${errors.map(formatDiagnostic).join('\n')}\nbaton up: the manifests have ${errors.length} error(s); nothing was started (\`baton lint\` checks them)\n`);
  return false;
}
