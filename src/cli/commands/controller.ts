/**
 * `baton controller [--kubeconfig F] [--context C] [-n NS] [--instance-id ID] [--leader-elect]
 *                   [--metrics 127.0.0.1:8090] [--time-scale 1] [--prometheus URL]`:
 * the engine as a Kubernetes controller (docs/kubernetes.md).
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { runController } from '../../controller/run.js';

interface ControllerFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  instanceId?: string;
  leaderElect?: boolean;
  leaderElectionNamespace?: string;
  leaseDuration?: string;
  metrics?: string;
  timeScale: string;
  prometheus?: string;
  workers: string;
}

export function registerControllerCommand(program: Command): void {
  program
    .command('controller')
    .description('Run the engine as a Kubernetes controller: reconcile the Rollouts of a cluster as Argo Rollouts would')
    .option('--kubeconfig <file>', 'kubeconfig file (default $KUBECONFIG, ~/.kube/config, else the pod\'s service account)')
    .option('--context <name>', 'kubeconfig context (default its current-context)')
    .option('-n, --namespace <ns>', 'watch only this namespace (default all)')
    .option('--instance-id <id>', 'reconcile only Rollouts labelled argo-rollouts.argoproj.io/controller-instanceid=<id> (without it: only unlabelled ones)')
    .option('--leader-elect', 'run with a coordination.k8s.io Lease: one replica leads, the others stand by')
    .option('--leader-election-namespace <ns>', "the Lease's namespace (default the kubeconfig's or service account's)")
    .option('--lease-duration <seconds>', 'leader election lease duration', '15')
    .option('--metrics <host:port>', 'serve /metrics and /healthz here, e.g. 127.0.0.1:8090')
    .option('--time-scale <factor>', 'multiply every pause, interval and delay (0.1: ten times faster; for tests and demos)', '1')
    .option('--prometheus <url>', 'query this Prometheus for every prometheus metric, whatever address the template names')
    .option('--workers <n>', 'rollouts reconciled at once', '10')
    .addHelpText('after', '\nExample:\n  baton controller --kubeconfig ~/.kube/config -n tbyte --metrics 127.0.0.1:8090\n  baton controller --leader-elect --metrics 0.0.0.0:8090     # in a pod, with its service account\n')
    .action(async (o: ControllerFlags) => {
      const timeScale = Number(o.timeScale);
      if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new InvalidInputError('invalid-option', `--time-scale: ${JSON.stringify(o.timeScale)} must be a number above 0 (e.g. 0.1)`);
      const workers = Number(o.workers);
      if (!Number.isInteger(workers) || workers < 1) throw new InvalidInputError('invalid-option', `--workers: ${JSON.stringify(o.workers)} must be a whole number from 1 up`);
      const lease = Number(o.leaseDuration);
      if (!(lease >= 1)) throw new InvalidInputError('invalid-option', `--lease-duration: ${JSON.stringify(o.leaseDuration)} must be seconds >= 1`);
      if (o.metrics !== undefined && !/^[^:]*:\d+$/.test(o.metrics)) throw new InvalidInputError('invalid-option', `--metrics: ${JSON.stringify(o.metrics)} must be host:port, e.g. 127.0.0.1:8090`);
      process.exitCode = await runController({
        ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}),
        ...(o.context ? { context: o.context } : {}),
        ...(o.namespace ? { namespace: o.namespace } : {}),
        ...(o.instanceId ? { instanceId: o.instanceId } : {}),
        ...(o.leaderElect ? { leaderElect: true } : {}),
        ...(o.leaderElectionNamespace ? { leaderElectionNamespace: o.leaderElectionNamespace } : {}),
        leaseDurationMs: lease * 1000,
        ...(o.metrics ? { metrics: o.metrics } : {}),
        ...(o.prometheus ? { prometheusUrl: o.prometheus } : {}),
        timeScale,
        workers,
        out: process.stdout,
      });
    });
}
