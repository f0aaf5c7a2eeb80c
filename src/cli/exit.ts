/**
 * What an error thrown by a verb becomes: a usage error (commander) exits 64; an error about the
 * user's input or environment (a BatonError, a system error such as an address in use) is one
 * line on stderr and exit 1, never a stack trace; anything else is a bug and is rethrown.
 */
import { CommanderError } from 'commander';
import { BatonError } from '../core/errors.js';

export function exitCodeFor(e: unknown, prefix: string): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 64;
  if (e instanceof BatonError || isSystemError(e)) {
    process.stderr.write(`${prefix}: ${e.message}\n`);
    return 1;
  }
  throw e;
}

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}
