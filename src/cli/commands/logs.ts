/**
 * `baton logs NAME [--revision R] [--pod P] [--tail N] [-o json]`: the processes' stdout and
 * stderr log files; with more than one, each starts with `==> pod <==` as `tail` prints several.
 */
import type { Command } from 'commander';
import type { LogsResult } from '../../api/types.js';
import { addConnectionOptions, addOutputOption, clientFor, type ConnectionOptions } from '../client.js';
import { formatData, type OutputFormat } from '../format/text.js';
import { positiveInt } from './actions.js';

interface LogsOptions extends ConnectionOptions {
  output?: OutputFormat;
  revision?: number;
  pod?: string;
  tail?: number;
}

/** What `baton logs` prints. */
export function renderLogs(result: LogsResult): string {
  const withNewline = (t: string): string => (t === '' || t.endsWith('\n') ? t : `${t}\n`);
  if (result.files.length === 1) return withNewline(result.files[0]?.text ?? '');
  return result.files.map((f) => `==> ${f.pod} <==\n${withNewline(f.text)}`).join('\n');
}

/** Adds `baton logs` to the program. */
export function registerLogsCommand(program: Command): void {
  const command = program
    .command('logs')
    .description('Print the log files of a workload\'s processes')
    .argument('<name>', 'the Rollout or Deployment')
    .option('--revision <n>', 'only this revision\'s processes', positiveInt('--revision'))
    .option('--pod <name>', 'only this process (pod name as `baton get` shows it)')
    .option('--tail <n>', 'only the last N lines of each file', positiveInt('--tail'));
  addOutputOption(addConnectionOptions(command)).action(async (name: string, opts: LogsOptions) => {
    const result = await clientFor(opts).logs({
      workload: name,
      ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
      ...(opts.pod !== undefined ? { pod: opts.pod } : {}),
      ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
    });
    if (opts.output) process.stdout.write(formatData(result, opts.output));
    else if (result.files.length === 0) process.stderr.write(`baton: no log files for "${name}"${opts.pod ? ` pod ${opts.pod}` : ''}${opts.revision !== undefined ? ` revision ${opts.revision}` : ''}\n`);
    else process.stdout.write(renderLogs(result));
  });
}
