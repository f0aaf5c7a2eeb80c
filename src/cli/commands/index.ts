import type { Command } from 'commander';
import { registerGatewayCommand } from './gateway.js';
import { registerLintCommand } from './lint.js';
import { registerMetricsCommand } from './metrics.js';
import { registerMigrateCommand } from './migrate.js';
import { registerSimulateCommand } from './simulate.js';

/** Every verb's `register`, in the order `baton --help` lists them. */
export function registerCommands(program: Command): void {
  registerLintCommand(program);
  registerSimulateCommand(program);
  registerGatewayCommand(program);
  registerMigrateCommand(program);
  registerMetricsCommand(program);
}
