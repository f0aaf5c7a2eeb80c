/**
 * A lean entry of the gateway process without the rest of the CLI, for the process-level tests
 * and the bench (which bundles it): `baton gateway` itself, registered from
 * src/cli/commands/gateway.ts so the options and their checks live in one place.
 * `node --import tsx src/gateway/main.ts --listen 127.0.0.1:8080 --admin 127.0.0.1:9901 [--state-dir DIR] [--drain-timeout-ms N]`.
 * Exit codes are those of `baton gateway` (docs/cli.md): 64 for a usage error, 1 for a bad
 * value, a bad saved config or an address in use.
 */
import { Command, CommanderError } from 'commander';
import { registerGatewayCommand } from '../cli/commands/gateway.js';
import { BatonError } from '../core/errors.js';

const program = new Command('baton').exitOverride();
registerGatewayCommand(program);
try {
  await program.parseAsync(['gateway', ...process.argv.slice(2)], { from: 'user' });
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? 0 : 64;
  else if (e instanceof BatonError || (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string')) {
    // Same as src/cli/main.ts: an error about the user's input or environment is one line, no stack trace.
    process.stderr.write(`baton gateway: ${e.message}\n`);
    process.exitCode = 1;
  } else throw e;
}
