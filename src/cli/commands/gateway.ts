/**
 * `baton gateway --listen HOST:PORT --admin HOST:PORT [--state-dir DIR]`: runs Baton's own
 * data plane in this process until SIGTERM/SIGINT (see src/gateway/README.md).
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { runGateway } from '../../gateway/run.js';

/** Adds `baton gateway` to the program; the action resolves when the gateway has stopped. */
export function registerGatewayCommand(program: Command): void {
  program
    .command('gateway')
    .description("Run Baton's traffic-splitting HTTP gateway; configure it over the admin API (PUT /config).")
    .requiredOption('--listen <host:port>', 'address of the proxy listener, e.g. 127.0.0.1:8080')
    .requiredOption('--admin <host:port>', 'address of the admin API, e.g. 127.0.0.1:9901')
    .option('--state-dir <dir>', 'directory where the last applied config is kept and reloaded from on start')
    .option('--drain-timeout-ms <ms>', 'how long SIGTERM waits for in-flight requests', '10000')
    .action(async (opts: { listen: string; admin: string; stateDir?: string; drainTimeoutMs: string }) => {
      const drain = Number(opts.drainTimeoutMs);
      if (!Number.isFinite(drain) || drain < 0) throw new InvalidInputError('invalid-option', `--drain-timeout-ms: ${JSON.stringify(opts.drainTimeoutMs)} is not a number of milliseconds`);
      process.exitCode = await runGateway({
        listen: opts.listen,
        admin: opts.admin,
        drainTimeoutMs: drain,
        ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
      });
    });
}
