/**
 * A lean entry of the gateway process without the rest of the CLI, for the process-level tests
 * and the bench (which bundles it): the same process as `baton gateway`, with the same options.
 * `node --import tsx src/gateway/main.ts --listen 127.0.0.1:8080 --admin 127.0.0.1:9901 [--state-dir DIR] [--drain-timeout-ms N]`.
 * A bad option exits 64 here and 1 from `baton gateway` (docs/cli.md): to be made one.
 */
import { parseArgs } from 'node:util';
import { BatonError } from '../core/errors.js';
import { runGateway } from './run.js';

try {
  const { values } = parseArgs({
    options: { listen: { type: 'string' }, admin: { type: 'string' }, 'state-dir': { type: 'string' }, 'drain-timeout-ms': { type: 'string' } },
    strict: true,
  });
  if (!values.listen || !values.admin) throw new BatonError('missing-option', '--listen HOST:PORT and --admin HOST:PORT are required');
  const drain = values['drain-timeout-ms'] === undefined ? undefined : Number(values['drain-timeout-ms']);
  if (drain !== undefined && !(drain >= 0)) throw new BatonError('invalid-option', `--drain-timeout-ms: ${JSON.stringify(values['drain-timeout-ms'])} is not a number of milliseconds`);
  process.exitCode = await runGateway({
    listen: values.listen,
    admin: values.admin,
    ...(values['state-dir'] !== undefined ? { stateDir: values['state-dir'] } : {}),
    ...(drain !== undefined ? { drainTimeoutMs: drain } : {}),
  });
} catch (e) {
  if (e instanceof BatonError || (e instanceof Error && 'code' in e && String((e as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`baton gateway: ${e.message}\n`);
    process.exitCode = 64;
  } else if (e instanceof Error && 'code' in e && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`baton gateway: ${e.message}\n`);
    process.exitCode = 1;
  } else throw e;
}
