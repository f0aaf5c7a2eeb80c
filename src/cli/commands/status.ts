/**
 * `baton status NAME [--timeout D]`: waits until the workload is Healthy (exit 0) or Degraded
 * (exit 1), printing each change of phase and message; exit 2 when the timeout passes first.
 * Paused is not an end: it is printed and the wait goes on. This is what `kubectl argo rollouts
 * status` does (pkg/kubectl-argo-rollouts/cmd/status/status.go, `WatchStatus`), driven here by
 * long-polling the controller's events instead of a watch.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { WorkloadDetail } from '../../api/types.js';
import { formatDuration, parseGoDuration } from '../../core/spec/duration.js';
import { addConnectionOptions, clientFor, interruptSignal, latestEventId, LONG_POLL_MS, type ConnectionOptions } from '../client.js';
import { kindWord } from '../format/text.js';

/** The exit codes scripts rely on. */
export const EXIT_HEALTHY = 0;
export const EXIT_DEGRADED = 1;
export const EXIT_TIMEOUT = 2;
/** Ctrl-C before an end (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

interface StatusOptions extends ConnectionOptions {
  /** Milliseconds; 0 waits forever. */
  timeout?: number;
}

function parseTimeout(value: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined || ms < 0) throw new InvalidArgumentError(`"${value}" is not a duration (use 30s, 5m, 1h; 0 waits forever)`);
  return ms;
}

/**
 * What ends a pause: `promote` for a pause step, a blue/green pause or an inconclusive run (the
 * pause reasons of Argo's `PauseCondition`), `resume` for `baton pause`.
 */
function continueVerb(d: WorkloadDetail): 'promote' | 'resume' {
  const stepPause = /CanaryPauseStep|BlueGreenPause|InconclusiveAnalysisRun/.test(d.message);
  return d.paused && !stepPause ? 'resume' : 'promote';
}

async function runStatus(name: string, opts: StatusOptions): Promise<number> {
  const client = clientFor(opts);
  const timeoutMs = opts.timeout ?? 0;
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : undefined;
  const { signal, dispose } = interruptSignal();
  try {
    let afterId = await latestEventId(client, name);
    let printed = '';
    for (;;) {
      const d = await client.getWorkload(name);
      const line = d.message ? `${d.phase} - ${d.message}` : d.phase;
      if (line !== printed) {
        // Paused is not an end: say so, and what ends it.
        const waiting = d.phase === 'Paused' ? ` (still waiting: \`baton ${continueVerb(d)} ${name}\` continues it)` : '';
        process.stdout.write(`${line}${waiting}\n`);
        printed = line;
      }
      if (d.phase === 'Healthy') return EXIT_HEALTHY;
      if (d.phase === 'Degraded') {
        process.stderr.write(`baton: the ${kindWord(d.kind)} is in a degraded state with message: ${d.message}\n`);
        return EXIT_DEGRADED;
      }
      const remaining = deadline === undefined ? LONG_POLL_MS : deadline - Date.now();
      if (remaining <= 0) {
        process.stderr.write(`baton: ${kindWord(d.kind)} "${name}" is still ${d.phase} after ${formatDuration(timeoutMs)} (--timeout)\n`);
        return EXIT_TIMEOUT;
      }
      try {
        const page = await client.events({ workload: name, afterId, waitMs: Math.min(remaining, LONG_POLL_MS) }, signal);
        afterId = Math.max(afterId, page.lastId, ...page.events.map((e) => e.id));
      } catch (e) {
        if (signal.aborted) return EXIT_INTERRUPTED;
        throw e;
      }
    }
  } finally {
    dispose();
  }
}

/** Adds `baton status` to the program. */
export function registerStatusCommand(program: Command): void {
  const command = program
    .command('status')
    .description('Wait until a Rollout or Deployment is Healthy (exit 0) or Degraded (exit 1); exit 2 on --timeout')
    .argument('<name>', 'the Rollout or Deployment')
    .option('-t, --timeout <duration>', 'give up after this long (Go duration: 30s, 5m, 1h; default: wait forever)', parseTimeout);
  addConnectionOptions(command).action(async (name: string, opts: StatusOptions) => {
    process.exitCode = await runStatus(name, opts);
  });
}
