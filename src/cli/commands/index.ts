import type { Command } from 'commander';
import { registerActionCommands } from './actions.js';
import { registerApplyCommand } from './apply.js';
import { registerControllerCommand } from './controller.js';
import { registerEventsCommand } from './events.js';
import { registerGatewayCommand } from './gateway.js';
import { registerGetCommand } from './get.js';
import { registerHistoryCommand } from './history.js';
import { registerLintCommand } from './lint.js';
import { registerListCommand } from './list.js';
import { registerLogsCommand } from './logs.js';
import { registerMetricsCommand } from './metrics.js';
import { registerMigrateCommand } from './migrate.js';
import { registerSetCommand } from './set.js';
import { registerSimulateCommand } from './simulate.js';
import { registerStatusCommand } from './status.js';
import { registerUpCommands } from './up.js';

/** Every verb's `register`, in the order `baton --help` lists them within their groups (src/cli/help.ts). */
export function registerCommands(program: Command): void {
  registerUpCommands(program);
  registerControllerCommand(program);
  registerGatewayCommand(program);
  registerMetricsCommand(program);
  registerListCommand(program);
  registerGetCommand(program);
  registerStatusCommand(program);
  registerHistoryCommand(program);
  registerLogsCommand(program);
  registerEventsCommand(program);
  registerApplyCommand(program);
  registerActionCommands(program);
  registerSetCommand(program);
  registerLintCommand(program);
  registerSimulateCommand(program);
  registerMigrateCommand(program);
}
