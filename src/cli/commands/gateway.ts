/**
 * `baton gateway --listen HOST:PORT --admin HOST:PORT [--state-dir DIR] [--admin-token-file FILE]
 * [--listen-fd N]`: runs Baton's own data plane in this process until SIGTERM/SIGINT (see
 * src/gateway/README.md).
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { runGateway } from '../../gateway/run.js';

interface GatewayFlags {
  listen: string;
  admin: string;
  stateDir?: string;
  adminTokenFile?: string;
  listenFd?: string;
  drainTimeoutMs: string;
}

/** Adds `baton gateway` to the program; the action resolves when the gateway has stopped. */
export function registerGatewayCommand(program: Command): void {
  program
    .command('gateway')
    .description("Run Baton's traffic-splitting HTTP gateway; configure it over the admin API (PUT /config with the bearer token).")
    .requiredOption('--listen <host:port>', 'address of the proxy listener, e.g. 127.0.0.1:8080')
    .requiredOption('--admin <host:port>', 'address of the admin API, e.g. 127.0.0.1:9901')
    .option('--state-dir <dir>', 'directory (made 0700) where the last applied config and the admin token (admin.token) are kept and reloaded from on start')
    .option('--admin-token-file <file>', 'read the admin API bearer token from this file instead of <state-dir>/admin.token')
    .option('--listen-fd <n>', 'accept on this inherited listening socket (bound to --listen) instead of binding --listen')
    .option('--drain-timeout-ms <ms>', 'how long SIGTERM waits for in-flight requests', '10000')
    .action(async (opts: GatewayFlags) => {
      const drain = Number(opts.drainTimeoutMs);
      if (!Number.isFinite(drain) || drain < 0) throw new InvalidInputError('invalid-option', `--drain-timeout-ms: ${JSON.stringify(opts.drainTimeoutMs)} is not a number of milliseconds`);
      const fd = opts.listenFd === undefined ? undefined : Number(opts.listenFd);
      if (fd !== undefined && !(Number.isInteger(fd) && fd >= 3)) {
        throw new InvalidInputError('invalid-option', `--listen-fd: ${JSON.stringify(opts.listenFd)} is not an inherited file descriptor (an integer from 3 up)`);
      }
      process.exitCode = await runGateway({
        listen: opts.listen,
        admin: opts.admin,
        drainTimeoutMs: drain,
        ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
        ...(opts.adminTokenFile !== undefined ? { adminTokenFile: opts.adminTokenFile } : {}),
        ...(fd !== undefined ? { listenFd: fd } : {}),
      });
    });
}
