/**
 * `baton history NAME [-o json]`: the workload's revisions, oldest first, with their image,
 * pod-template hash, creation time (the controller's clock) and role.
 */
import type { Command } from 'commander';
import type { HistoryEntry } from '../../api/types.js';
import { addConnectionOptions, addOutputOption, clientFor, type ConnectionOptions } from '../client.js';
import { formatData, type OutputFormat, formatTable, formatTimestamp } from '../format/text.js';

interface HistoryOptions extends ConnectionOptions {
  output?: OutputFormat;
}

/** The table `baton history` prints. */
export function renderHistory(entries: readonly HistoryEntry[]): string {
  const rows = [...entries]
    .sort((a, b) => a.revision - b.revision)
    .map((e) => [String(e.revision), e.image ?? '-', e.hash, formatTimestamp(e.createdAt), e.roles.length ? e.roles.join(',') : '-']);
  return formatTable(['REVISION', 'IMAGE', 'HASH', 'CREATED', 'ROLE'], rows);
}

/** Adds `baton history` to the program. */
export function registerHistoryCommand(program: Command): void {
  const command = program.command('history').description('List the revisions of a Rollout or Deployment').argument('<name>', 'the Rollout or Deployment');
  addOutputOption(addConnectionOptions(command)).action(async (name: string, opts: HistoryOptions) => {
    const entries = await clientFor(opts).history(name);
    process.stdout.write(opts.output ? formatData(entries, opts.output) : renderHistory(entries));
  });
}
