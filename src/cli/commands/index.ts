import type { Command } from 'commander';

/** Every verb's `register`, in the order `baton --help` lists them. */
export function registerCommands(program: Command): void {
  void program;
}
