/**
 * The `baton` command line. Each verb lives in `commands/<verb>.ts` and exports a `register`
 * function; this file only wires them up and turns errors into messages and exit codes.
 */
import { Command } from 'commander';
import { registerCommands } from './commands/index.js';
import { exitCodeFor } from './exit.js';

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
    return exitCodeFor(e, 'baton');
  }
}

// A reader that went away (`baton get -w | head`) ends the command quietly, as Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv);
