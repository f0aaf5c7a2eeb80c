/**
 * The `baton` command line. Each verb lives in `commands/<verb>.ts` and exports a `register`
 * function; this file only wires them up (help layout in help.ts) and turns errors into one
 * line and the exit code of exit.ts.
 */
import { Command } from 'commander';
import { registerCommands } from './commands/index.js';
import { exitCodeFor } from './exit.js';
import { layOutHelp } from './help.js';

export const VERSION = '0.1.0';

/**
 * A usage error as one line: `baton: unknown command 'lst' (did you mean list?)`. Commander
 * writes `error: ...` and its suggestion on a line of its own; both are joined here, and the
 * verb's help is named rather than printed, so the error stays on screen.
 */
export function oneLineUsageError(text: string): string {
  const body = text.replace(/^error: /, '').trimEnd();
  const joined = body.replace(/\n\(Did you mean (.+)\?\)$/, ' (did you mean $1?)').replace(/\n/g, ' ');
  return `baton: ${joined}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('baton')
    .description('Progressive delivery: canary and blue/green rollouts with automated analysis and rollback.')
    .version(VERSION)
    .showSuggestionAfterError()
    .configureOutput({ outputError: (text, write) => write(oneLineUsageError(text)) })
    .exitOverride();
  registerCommands(program);
  program
    .command('version')
    .description('Print the version of baton')
    .action(() => {
      process.stdout.write(`${VERSION}\n`);
    });
  layOutHelp(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return exitCodeFor(e, 'baton');
  }
}

// A reader that went away (`baton get -w | head`) ends the command quietly, as Unix tools do;
// a verb that listens for it itself (`baton up`, which must stop what it started) is left to.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') {
    if (process.stdout.listenerCount('error') > 1) return;
    process.exit(0);
  }
  throw e;
});

process.exitCode = await main(process.argv);
