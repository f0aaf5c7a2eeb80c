/**
 * The action verbs, as `kubectl argo rollouts` has them (docs/argo-semantics.md "Abort,
 * promote, retry, undo"): `promote NAME [--full]`, `abort NAME`, `retry NAME`, `pause NAME`,
 * `resume NAME`, `undo NAME [--to-revision N]`, `restart NAME`. Each posts its action and prints
 * one line (`rollout 'x' promoted`, Argo's wording), or with `-o json` the workload it returns.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { ActionName, ActionRequest, WorkloadDetail } from '../../api/types.js';
import { addConnectionOptions, addOutputOption, clientFor, type ConnectionOptions } from '../client.js';
import { formatData, kindWord, type OutputFormat } from '../format/text.js';
import { addKubeOptions, isKubeTarget, runKubeAction, type KubeTargetOptions } from './kube-actions.js';

interface ActionOptions extends ConnectionOptions {
  output?: OutputFormat;
  full?: boolean;
  toRevision?: number;
}

/** Posts one action and prints its line (or the returned detail with `-o json`). */
export async function runAction(name: string, request: ActionRequest, opts: ConnectionOptions & { output?: OutputFormat }, done: (d: WorkloadDetail) => string): Promise<void> {
  const detail = await clientFor(opts).act(name, request);
  process.stdout.write(opts.output ? formatData(detail, opts.output) : `${kindWord(detail.kind)} '${name}' ${done(detail)}\n`);
}

/** A positive whole number for an option, or a usage error naming it. */
export function positiveInt(option: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${option} must be a whole number from 1 up, not "${value}"`);
    return Number(value);
  };
}

interface Verb {
  action: Exclude<ActionName, 'set-image'>;
  description: string;
  done: (opts: ActionOptions) => string;
  options?: (c: Command) => Command;
  request?: (opts: ActionOptions) => Partial<ActionRequest>;
}

const VERBS: Verb[] = [
  {
    action: 'promote',
    description: 'Continue a paused rollout to its next step; --full skips every remaining step and analysis',
    done: (o) => (o.full ? 'fully promoted' : 'promoted'),
    options: (c) => c.option('--full', 'skip the remaining steps and analysis and go to 100%'),
    request: (o) => (o.full ? { full: true } : {}),
  },
  { action: 'abort', description: 'Abort the update: traffic back to stable, the new revision scaled down', done: () => 'aborted' },
  { action: 'retry', description: 'Retry an aborted update from its first step', done: () => 'retried' },
  { action: 'pause', description: 'Pause the rollout where it is', done: () => 'paused' },
  { action: 'resume', description: 'Resume a rollout paused with `baton pause`', done: () => 'resumed' },
  {
    action: 'undo',
    description: 'Roll back to the previous revision (or --to-revision N)',
    done: (o) => (o.toRevision !== undefined ? `undo to revision ${o.toRevision}` : 'undo'),
    options: (c) => c.option('--to-revision <n>', 'the revision to go back to (see `baton history`)', positiveInt('--to-revision')),
    request: (o) => (o.toRevision !== undefined ? { toRevision: o.toRevision } : {}),
  },
  { action: 'restart', description: 'Replace every process of the workload, a few at a time', done: () => 'restarted' },
];

/** Adds the action verbs to the program. */
export function registerActionCommands(program: Command): void {
  for (const verb of VERBS) {
    let command = program.command(verb.action).description(verb.description).argument('<name>', 'the Rollout or Deployment');
    if (verb.options) command = verb.options(command);
    addKubeOptions(addOutputOption(addConnectionOptions(command))).action(async (name: string, opts: ActionOptions & KubeTargetOptions) => {
      if (isKubeTarget(opts)) return runKubeAction(name, verb.action, opts, verb.done(opts));
      await runAction(name, { action: verb.action, ...(verb.request?.(opts) ?? {}) }, opts, () => verb.done(opts));
    });
  }
}
