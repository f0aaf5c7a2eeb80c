/**
 * The `baton` command line. Each verb lives in `commands/<verb>.ts` and exports a `register`
 * function; this file only wires them up and turns errors into messages and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { BatonError } from '../core/errors.js';
import { registerCommands } from './commands/index.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('baton')
    .description('Progressive delivery: canary and blue/green rollouts with automated analysis and rollback.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 64;
    if (e instanceof BatonError) {
      process.stderr.write(`baton: ${e.message}\n`);
      return 1;
    }
    // A system error (address in use, permission denied, file not found) is about the
    // environment the user gave, not a bug: one line naming it, no stack trace.
    if (isSystemError(e)) {
      process.stderr.write(`baton: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

// A reader that went away (`baton get -w | head`) ends the command quietly, as Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv);
