/** `baton gateway` option handling: bad addresses are errors that name the option, not stack traces. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerGatewayCommand } from '../../src/cli/commands/gateway.js';
import { InvalidInputError } from '../../src/core/errors.js';

function program(): Command {
  const p = new Command('baton').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerGatewayCommand(p);
  return p;
}

describe('baton gateway', () => {
  it('names the option when an address is not HOST:PORT', async () => {
    const err = await program()
      .parseAsync(['node', 'baton', 'gateway', '--listen', 'localhost', '--admin', '127.0.0.1:0'])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).code).toBe('invalid-address');
    expect((err as Error).message).toContain('--listen');
  });

  it('requires --listen and --admin', async () => {
    await expect(program().parseAsync(['node', 'baton', 'gateway', '--listen', '127.0.0.1:0'])).rejects.toMatchObject({ code: 'commander.missingMandatoryOptionValue' });
  });

  it('refuses a --listen-fd that is not an inherited descriptor', async () => {
    for (const fd of ['socket', '1', '-3', '3.5']) {
      await expect(program().parseAsync(['node', 'baton', 'gateway', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--listen-fd', fd])).rejects.toMatchObject({ code: 'invalid-option' });
    }
  });

  it('refuses a bad drain timeout', async () => {
    await expect(program().parseAsync(['node', 'baton', 'gateway', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--drain-timeout-ms', 'soon'])).rejects.toMatchObject({
      code: 'invalid-option',
    });
  });
});
