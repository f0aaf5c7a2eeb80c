/**
 * `baton gateway` as a long-running process: start, say where it listens, and on SIGTERM or
 * SIGINT stop accepting, finish in-flight requests (bounded) and exit 0.
 */
import { startGateway, type GatewayOptions } from './server.js';

/** Starts the gateway and resolves with the exit code once a signal has stopped it. */
export async function runGateway(opts: GatewayOptions): Promise<number> {
  const gw = await startGateway(opts);
  process.stdout.write(`baton gateway: proxy ${gw.url} admin ${gw.adminUrl} config version ${gw.context.config.version}\n`);
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      const closing = gw.close();
      // Printed once the listener is closed, so whoever reads it knows new connections are refused.
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
