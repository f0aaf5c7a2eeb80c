/**
 * The one exit-code table of the `baton` command line (docs/cli.md "Exit codes"), and what an
 * error thrown by a verb becomes: one line `baton: <message>` on stderr (never a stack trace)
 * and the code of its situation. Anything that is not a BatonError, a usage error or a system
 * error is a bug and is rethrown.
 *
 * The numbers above 2 follow BSD's sysexits.h (64 EX_USAGE, 69 EX_UNAVAILABLE) and the shell's
 * 128 + signal for an interrupt, so scripts can tell "fix your command" from "try again later".
 */
import { CommanderError } from 'commander';
import { BatonError, InvalidInputError } from '../core/errors.js';

/** Done: Healthy, applied, printed. */
export const EXIT_OK = 0;
/** The answer is "no": Degraded, invalid manifests for `lint`, a request the controller refused, a failure outside the input. */
export const EXIT_FAILED = 1;
/** A wait ended by its deadline (`status --timeout`, `down --timeout`, `simulate` still running at `until`). */
export const EXIT_TIMEOUT = 2;
/** Invalid input: an unknown verb or option, a bad option value, manifests or a scenario with errors, a file that does not exist. */
export const EXIT_INVALID = 64;
/** The controller cannot be reached: none running on the state dir, not answering, no answer in time. */
export const EXIT_UNAVAILABLE = 69;
/** Interrupted by Ctrl-C (SIGINT) or SIGTERM before the verb reached an end. */
export const EXIT_INTERRUPTED = 130;

/** Error codes that mean "the controller cannot be reached" (src/cli/client.ts, src/cli/state-lookup.ts). */
const UNAVAILABLE = new Set(['controller-not-running', 'controller-unreachable', 'controller-timeout', 'controller-info-invalid']);
/** Error codes of a wait that reached its deadline. */
const TIMED_OUT = new Set(['down-timeout']);
/** Error codes about the user's input that are not InvalidInputErrors (a file or URL named on the command line). */
const INVALID = new Set(['invalid-server', 'manifest-not-found', 'manifest-unreadable']);

/** The exit code of an error's situation (see the table above). */
export function exitCodeOf(e: BatonError): number {
  if (e.code === 'interrupted') return EXIT_INTERRUPTED;
  if (UNAVAILABLE.has(e.code)) return EXIT_UNAVAILABLE;
  if (TIMED_OUT.has(e.code)) return EXIT_TIMEOUT;
  if (e instanceof InvalidInputError || INVALID.has(e.code)) return EXIT_INVALID;
  return EXIT_FAILED;
}

/** Prints the error's one line (commander has printed its own) and returns its exit code. */
export function exitCodeFor(e: unknown, prefix: string): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_INVALID;
  if (e instanceof BatonError) {
    if (e.code !== 'interrupted') process.stderr.write(`${prefix}: ${e.message}\n`);
    return exitCodeOf(e);
  }
  if (isSystemError(e)) {
    process.stderr.write(`${prefix}: ${e.message}\n`);
    return EXIT_FAILED;
  }
  throw e;
}

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}
