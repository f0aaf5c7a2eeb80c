/**
 * `baton gateway` as a long-running process: find the admin credential, start, say where it
 * listens, and on SIGTERM or SIGINT stop accepting, finish in-flight requests (bounded) and
 * exit 0.
 */
import { InvalidInputError } from '../core/errors.js';
import { parseListenAddress, startGateway, type GatewayOptions } from './server.js';
import { adminTokenPath, ensureAdminToken, ensurePrivateDir, readAdminToken } from './state/admin-token.js';

/** `startGateway`'s options as the command takes them: the token comes from a file, never the command line. */
export interface RunGatewayOptions extends Omit<GatewayOptions, 'adminToken' | 'adminTokenHint'> {
  /** A file holding the admin token (read, not created); default `<stateDir>/admin.token`. */
  adminTokenFile?: string;
}

/**
 * The admin token: `--admin-token-file`'s (which must exist), else `<state-dir>/admin.token`
 * (created on first start, in a 0700 state dir). Without either there is nowhere to keep one.
 */
export async function resolveAdminToken(opts: { stateDir?: string; adminTokenFile?: string }): Promise<{ token: string; file: string }> {
  if (opts.adminTokenFile !== undefined) return { token: await readAdminToken(opts.adminTokenFile), file: opts.adminTokenFile };
  if (opts.stateDir === undefined) {
    throw new InvalidInputError('missing-admin-token', 'the admin API needs a credential: pass --state-dir DIR (the token is created in DIR/admin.token) or --admin-token-file FILE', {
      option: '--state-dir',
    });
  }
  await ensurePrivateDir(opts.stateDir);
  const file = adminTokenPath(opts.stateDir);
  return { token: await ensureAdminToken(file), file };
}

/** Starts the gateway and resolves with the exit code once a signal has stopped it. */
export async function runGateway(opts: RunGatewayOptions): Promise<number> {
  const { adminTokenFile: _file, ...rest } = opts;
  // Bad addresses are reported before any file is created for the token.
  parseListenAddress(opts.listen, '--listen');
  parseListenAddress(opts.admin, '--admin');
  const { token, file } = await resolveAdminToken(opts);
  const gw = await startGateway({ ...rest, adminToken: token, adminTokenHint: file });
  process.stdout.write(`baton gateway: proxy ${gw.url} admin ${gw.adminUrl} config version ${gw.context.config.version}\n`);
  process.stdout.write(`baton gateway: admin API token in ${file}${opts.listenFd !== undefined ? `; accepting on inherited socket ${opts.listenFd}` : ''}\n`);
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      const closing = gw.close();
      // Printed once the listener is closed, so whoever reads it knows this process accepts no new connection.
      process.stdout.write(`baton gateway: ${signal}, draining ${gw.context.metrics.health.inFlight} request(s)\n`);
      closing.then(
        (clean) => {
          process.stdout.write(`baton gateway: stopped${clean ? '' : ' (drain timeout: some requests were cut)'}\n`);
          resolve(0);
        },
        () => resolve(1),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
