/**
 * `baton events [NAME] [--watch] [--limit N] [-o json]`: the controller's events, one line each:
 * time (the controller's clock, UTC), workload, type, message. `--watch` goes on printing new
 * ones as they happen (long-polling the controller) until Ctrl-C.
 */
import type { Command } from 'commander';
import type { EventView } from '../../api/types.js';
import { addConnectionOptions, addOutputOption, clientFor, followEvents, interruptSignal, type ConnectionOptions } from '../client.js';
import { formatData, type OutputFormat, formatTimestamp, pad, width } from '../format/text.js';
import { positiveInt } from './actions.js';

interface EventsOptions extends ConnectionOptions {
  output?: OutputFormat;
  watch?: boolean;
  limit?: number;
}

/** Prints events in aligned columns; widths only grow, so lines printed while watching line up. */
export function createEventPrinter(): (events: readonly EventView[]) => string {
  let workloadWidth = 0;
  let typeWidth = 0;
  return (events) => {
    workloadWidth = Math.max(workloadWidth, ...events.map((e) => width(e.workload)));
    typeWidth = Math.max(typeWidth, ...events.map((e) => width(e.type)));
    return events.map((e) => `${formatTimestamp(e.at)}  ${pad(e.workload, workloadWidth)}  ${pad(e.type, typeWidth)}  ${e.message}`.trimEnd() + '\n').join('');
  };
}

/** Adds `baton events` to the program. */
export function registerEventsCommand(program: Command): void {
  const command = program
    .command('events')
    .description('Print the controller\'s events (of one workload when NAME is given)')
    .argument('[name]', 'only this Rollout or Deployment')
    .option('-w, --watch', 'go on printing new events until Ctrl-C')
    .option('--limit <n>', 'at most N events (the most recent)', positiveInt('--limit'));
  addOutputOption(addConnectionOptions(command)).action(async (name: string | undefined, opts: EventsOptions) => {
    const client = clientFor(opts);
    const scope = name !== undefined ? { workload: name } : {};
    const first = await client.events({ ...scope, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) });
    const print = createEventPrinter();
    let pages = 0;
    const write = (events: readonly EventView[], page: unknown): void => {
      process.stdout.write(opts.output ? formatData(page, opts.output, pages++ > 0) : print(events));
    };
    if (!opts.watch) {
      if (opts.output === undefined && first.events.length === 0) process.stderr.write(`baton: no events${name !== undefined ? ` for "${name}"` : ''}\n`);
      else write(first.events, first);
      return;
    }
    if (first.events.length > 0 || opts.output !== undefined) write(first.events, first);
    const { signal, dispose } = interruptSignal();
    try {
      for await (const page of followEvents(client, { ...scope, afterId: first.lastId }, signal)) {
        if (page.events.length > 0) write(page.events, page);
      }
    } finally {
      dispose();
    }
  });
}
