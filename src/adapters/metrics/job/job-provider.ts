/**
 * The `job` metric provider, run on this machine: the first container of the Job's pod template
 * becomes a local process, `command` + `args` as argv (never through a shell), `env` added to
 * Baton's environment, `workingDir` relative to the manifest's directory. Outcome as Argo's
 * metricproviders/job/job.go reads the Job: exit 0 -> Successful; failure after `backoffLimit`
 * retries -> Failed ("Job has reached the specified backoff limit", with the exit code and the
 * tail of stderr, or of stdout when stderr is empty); past `activeDeadlineSeconds` -> Failed ("Job was active longer than specified
 * deadline"); the measurement stopped (run terminated) -> the process is killed and the result is
 * Inconclusive. Conditions are not evaluated for jobs.
 *
 * Differences from a cluster, on purpose: retries start at once (the Job controller backs off
 * 10 s, 20 s, ...), and a process that cannot be started (ENOENT, EACCES) fails at once, since a
 * retry cannot find a missing binary.
 */
import { isAbsolute, resolve } from 'node:path';
import type { ProviderResult } from '../../../core/analysis/provider-result.js';
import type { JobProvider, MetricProviderSpec } from '../../../core/spec/types.js';
import type { MeasureContext, MetricsProvider } from '../../../ports/metrics-provider.js';
import { runProcess, timerDelay, type ProcessOutcome } from './run-process.js';

/** How much of stderr goes into a Failed message. */
export const MESSAGE_STDERR_CHARS = 500;

/** Options for every job of one provider instance. */
export interface JobProviderOptions {
  /**
   * SIGTERM -> SIGKILL grace in ms; defaults to the template's terminationGracePeriodSeconds
   * (Kubernetes default 30 s).
   */
  killGraceMs?: number;
  /** Base environment the job's `env` is added to; defaults to Baton's own. */
  baseEnv?: NodeJS.ProcessEnv;
}

const failed = (message: string): ProviderResult => ({ kind: 'job', phase: 'Failed', message });

function tail(text: string): string {
  const t = text.trim();
  return t.length > MESSAGE_STDERR_CHARS ? `...${t.slice(-MESSAGE_STDERR_CHARS)}` : t;
}

function describeExit(o: Extract<ProcessOutcome, { kind: 'exited' }>): string {
  const how = o.code !== null ? `exit code ${o.code}` : `killed by ${o.signal ?? 'a signal'}`;
  // stderr says why; a job that only prints to stdout still gets its last words shown.
  const said = tail(o.stderr) || tail(o.stdout);
  return said ? `${how}: ${said}` : how;
}

/** The Job controller's DeadlineExceeded message, with the limit. */
function deadlineMessage(spec: JobProvider): string {
  return `Job was active longer than specified deadline (activeDeadlineSeconds: ${spec.activeDeadlineSeconds ?? 0})`;
}

/** Creates the provider; one instance serves every job metric. */
export function createJobProvider(options: JobProviderOptions = {}): MetricsProvider {
  return {
    type: 'job',
    async measure(spec: MetricProviderSpec, ctx: MeasureContext): Promise<ProviderResult> {
      if (spec.type !== 'job') return { kind: 'error', message: `job provider given a ${spec.type} metric` };
      return runJob(spec, ctx, options);
    },
  };
}

async function runJob(spec: JobProvider, ctx: MeasureContext, options: JobProviderOptions): Promise<ProviderResult> {
  const container = spec.template.spec.containers[0];
  if (!container) return { kind: 'error', message: `job metric "${ctx.metricName}": spec.template.spec.containers is empty` };
  const argv = [...container.command, ...container.args];
  const [file, ...rest] = argv;
  if (file === undefined || file === '') {
    return { kind: 'error', message: `job metric "${ctx.metricName}": container "${container.name}" has no command: Baton runs command + args as a local process` };
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.baseEnv ?? process.env)) if (v !== undefined) env[k] = v;
  for (const e of container.env) {
    if (e.value === undefined && e.valueFrom !== undefined) {
      return { kind: 'error', message: `job metric "${ctx.metricName}": env ${e.name}: valueFrom is not supported for local jobs; use value` };
    }
    env[e.name] = e.value ?? '';
  }
  const base = ctx.baseDir ?? process.cwd();
  const cwd = container.workingDir ? (isAbsolute(container.workingDir) ? container.workingDir : resolve(base, container.workingDir)) : base;
  const graceMs = options.killGraceMs ?? spec.template.spec.terminationGracePeriodSeconds * 1000;

  // One signal stops the current attempt: the run was terminated, or the deadline passed.
  const deadline = new AbortController();
  const timer =
    spec.activeDeadlineSeconds !== undefined ? setTimeout(() => deadline.abort(), timerDelay(spec.activeDeadlineSeconds * 1000)) : undefined;
  const stop = AbortSignal.any([ctx.signal, deadline.signal]);
  try {
    const attempts = Math.max(0, spec.backoffLimit) + 1;
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (ctx.signal.aborted) return { kind: 'job', phase: 'Inconclusive', message: 'job terminated' };
      if (deadline.signal.aborted) return failed(deadlineMessage(spec));
      const outcome = await runProcess({ argv: [file, ...rest], cwd, env, stop, graceMs });
      if (outcome.kind === 'spawn-error') {
        return failed(`Job could not start ${JSON.stringify(file)} in ${cwd}: ${outcome.message}`);
      }
      if (outcome.stopped) {
        if (ctx.signal.aborted) return { kind: 'job', phase: 'Inconclusive', message: 'job terminated' };
        return failed(deadlineMessage(spec));
      }
      if (outcome.code === 0) return { kind: 'job', phase: 'Successful' };
      last = describeExit(outcome);
    }
    return failed(`Job has reached the specified backoff limit (${attempts} attempt${attempts === 1 ? '' : 's'}): ${last}`);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
