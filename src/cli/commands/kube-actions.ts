/**
 * The action verbs against a Kubernetes cluster: with `--kubeconfig`, `--context` or `-n`, a verb
 * patches the Rollout as Argo's kubectl plugin does (src/adapters/kubernetes/rollout-actions.ts)
 * instead of calling a `baton up` controller, and prints the plugin's line (`rollout 'x' promoted`).
 */
import type { Command } from 'commander';
import { KubeClient } from '../../adapters/kubernetes/client.js';
import { loadKubeConnection } from '../../adapters/kubernetes/kubeconfig.js';
import { actOnRollout, type KubeAction } from '../../adapters/kubernetes/rollout-actions.js';
import { InvalidInputError } from '../../core/errors.js';
import { formatData, type OutputFormat } from '../format/text.js';

export interface KubeTargetOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** Adds `--kubeconfig`, `--context` and `-n, --namespace` to a verb. */
export function addKubeOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'act on a Rollout in a Kubernetes cluster (with `baton controller` or Argo Rollouts as its controller)')
    .option('--context <name>', 'kubeconfig context (default its current-context)')
    .option('-n, --namespace <ns>', "the Rollout's namespace (default the context's)");
}

/** True when the verb is aimed at a cluster rather than a `baton up` controller. */
export function isKubeTarget(o: KubeTargetOptions): boolean {
  return o.kubeconfig !== undefined || o.context !== undefined || o.namespace !== undefined;
}

/** Patches the Rollout and prints the plugin's line (or the Rollout with `-o json`). */
export async function runKubeAction(name: string, action: string, o: KubeTargetOptions & { output?: OutputFormat; full?: boolean; toRevision?: number }, done: string): Promise<void> {
  let kubeAction: KubeAction;
  switch (action) {
    case 'promote':
      kubeAction = { type: 'promote', ...(o.full ? { full: true } : {}) };
      break;
    case 'abort':
    case 'retry':
    case 'pause':
    case 'resume':
      kubeAction = { type: action };
      break;
    case 'undo':
      kubeAction = { type: 'undo', ...(o.toRevision !== undefined ? { toRevision: o.toRevision } : {}) };
      break;
    default:
      throw new InvalidInputError('unsupported-action', `baton ${action} does not work against a cluster yet; use it with a \`baton up\` controller`, { action });
  }
  // `rollout/NAME` as kubectl writes it; a Deployment has no steps to act on.
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const kind = name.slice(0, slash);
    if (!['rollout', 'rollouts', 'ro'].includes(kind)) throw new InvalidInputError('unsupported-kind', `${name}: against a cluster, ${action} acts on Rollouts only (rollout/NAME or NAME)`, { name });
    name = name.slice(slash + 1);
  }
  const connection = loadKubeConnection({ ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.context ? { context: o.context } : {}) });
  const client = new KubeClient(connection, { userAgent: 'baton-cli' });
  try {
    const ro = await actOnRollout(client, o.namespace ?? connection.namespace, name, kubeAction);
    process.stdout.write(o.output ? formatData(ro, o.output) : `rollout '${name}' ${done}\n`);
  } finally {
    await client.close();
  }
}
