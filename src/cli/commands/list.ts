/**
 * `baton list [-o json]`: every Rollout and Deployment the controller runs, one line each, as
 * `kubectl argo rollouts list rollouts` prints them.
 */
import type { Command } from 'commander';
import type { WorkloadSummary } from '../../api/types.js';
import { addConnectionOptions, addOutputOption, clientFor, type ConnectionOptions } from '../client.js';
import { formatData, type OutputFormat, formatTable, strategyTitle } from '../format/text.js';

interface ListOptions extends ConnectionOptions {
  output?: OutputFormat;
}

/** `v2`, or `v2 (stable v1)` while a new revision rolls out. */
function image(w: WorkloadSummary): string {
  const current = w.currentImage ?? w.stableImage ?? '';
  return w.stableImage !== undefined && w.currentImage !== undefined && w.stableImage !== w.currentImage ? `${current} (stable ${w.stableImage})` : current;
}

/** The table `baton list` prints. */
export function renderWorkloadList(workloads: readonly WorkloadSummary[]): string {
  if (workloads.length === 0) return 'No workloads found: apply manifests with `baton apply -f <file|dir>`.\n';
  const namespaces = new Set(workloads.map((w) => w.namespace));
  const withNamespace = namespaces.size > 1;
  const headers = [...(withNamespace ? ['NAMESPACE'] : []), 'NAME', 'KIND', 'STRATEGY', 'STATUS', 'STEP', 'WEIGHT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'IMAGE'];
  const rows = workloads.map((w) => [
    ...(withNamespace ? [w.namespace] : []),
    w.name,
    w.kind,
    strategyTitle(w.strategy),
    w.phase,
    w.step ?? '-',
    w.kind === 'Rollout' ? String(w.canaryWeight) : '-',
    `${w.ready}/${w.desired}`,
    String(w.updated),
    String(w.available),
    image(w),
  ]);
  return formatTable(headers, rows);
}

/** Adds `baton list` to the program. */
export function registerListCommand(program: Command): void {
  const command = program.command('list').description('List the Rollouts and Deployments the controller runs');
  addOutputOption(addConnectionOptions(command)).action(async (opts: ListOptions) => {
    const workloads = await clientFor(opts).listWorkloads();
    process.stdout.write(opts.output ? formatData(workloads, opts.output) : renderWorkloadList(workloads));
  });
}
