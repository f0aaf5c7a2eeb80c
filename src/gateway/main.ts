/**
 * A lean entry of the gateway process without the rest of the CLI, for the process-level tests
 * and the bench (which bundles it): `baton gateway` itself, registered from
 * src/cli/commands/gateway.ts so the options and their checks live in one place.
 * `node --import tsx src/gateway/main.ts --listen 127.0.0.1:8080 --admin 127.0.0.1:9901 [--state-dir DIR] [--drain-timeout-ms N]`.
 * Exit codes are those of `baton gateway` (docs/cli.md): 64 for a usage error, 1 for a bad
 * value, a bad saved config or an address in use.
 */
import { Command } from 'commander';
import { exitCodeFor } from '../cli/exit.js';
import { registerGatewayCommand } from '../cli/commands/gateway.js';

const program = new Command('baton').exitOverride();
registerGatewayCommand(program);
try {
  await program.parseAsync(['gateway', ...process.argv.slice(2)], { from: 'user' });
} catch (e) {
  process.exitCode = exitCodeFor(e, 'baton gateway');
}
