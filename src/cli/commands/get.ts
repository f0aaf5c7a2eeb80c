/**
 * `baton get rollout NAME [-o json] [--watch]` (also `get deployment NAME` and `get NAME`): the
 * workload as a tree, as `kubectl argo rollouts get rollout` prints it. `--watch` re-renders on
 * every change, driven by long-polling the controller's events, until Ctrl-C; when stdout is
 * not a terminal each rendering follows the last after a blank line.
 */
import type { Command } from 'commander';
import type { WorkloadDetail, WorkloadKind } from '../../api/types.js';
import { BatonError } from '../../core/errors.js';
import { addConnectionOptions, addOutputOption, clientFor, followEvents, interruptSignal, latestEventId, type ApiClient, type ConnectionOptions } from '../client.js';
import { kindOfWord } from '../../api/kinds.js';
import { formatData, type OutputFormat, kindWord } from '../format/text.js';
import { renderWorkloadDetail } from '../format/workload-tree.js';

interface GetOptions extends ConnectionOptions {
  output?: OutputFormat;
  watch?: boolean;
}


async function fetchDetail(client: ApiClient, name: string, kind: WorkloadKind | undefined): Promise<WorkloadDetail> {
  const detail = await client.getWorkload(name);
  if (kind !== undefined && detail.kind !== kind) {
    throw new BatonError('workload-kind-mismatch', `"${name}" is a ${detail.kind}, not a ${kind}: use \`baton get ${kindWord(detail.kind)} ${name}\``, { name, kind: detail.kind });
  }
  return detail;
}

function render(detail: WorkloadDetail, output: OutputFormat | undefined, later = false): string {
  return output ? formatData(detail, output, later) : renderWorkloadDetail(detail, Date.now());
}

async function watch(client: ApiClient, name: string, kind: WorkloadKind | undefined, output: OutputFormat | undefined): Promise<void> {
  const { signal, dispose } = interruptSignal();
  try {
    const afterId = await latestEventId(client, name);
    let shown: string | undefined;
    const show = async (): Promise<void> => {
      const detail = await fetchDetail(client, name, kind);
      // Compared as data, not as text: the pods' ages change the text every second.
      const key = JSON.stringify(detail);
      if (key === shown) return;
      const text = render(detail, output, shown !== undefined);
      if (process.stdout.isTTY) process.stdout.write(`\x1b[H\x1b[2J${text}`);
      else process.stdout.write(shown === undefined || output === 'yaml' ? text : `\n${text}`);
      shown = key;
    };
    await show();
    // Every page (events, or none within the long poll) is a reason to read the workload again.
    for await (const _page of followEvents(client, { workload: name, afterId }, signal)) await show();
  } finally {
    dispose();
  }
}

/** Adds `baton get` to the program. */
export function registerGetCommand(program: Command): void {
  const command = program
    .command('get')
    .description('Show a Rollout or Deployment as a tree: status, step, weights, revisions, processes, analysis runs')
    .usage('[rollout|deployment] NAME [options]')
    .argument('<kind-or-name>', 'rollout, deployment, or the name')
    .argument('[name]', 'the name, after a kind')
    .option('-w, --watch', 'follow changes until Ctrl-C');
  addOutputOption(addConnectionOptions(command)).action(async (first: string, second: string | undefined, opts: GetOptions) => {
    let kind: WorkloadKind | undefined;
    let name = first;
    if (second !== undefined) {
      kind = kindOfWord(first);
      if (kind === undefined) command.error(`error: unknown kind "${first}" (use rollout or deployment, or give only the name)`, { exitCode: 64, code: 'baton.unknownKind' });
      name = second;
    }
    const client = clientFor(opts);
    if (opts.watch) return watch(client, name, kind, opts.output);
    process.stdout.write(render(await fetchDetail(client, name, kind), opts.output));
  });
}
