/**
 * Metric results from a script, for `baton simulate`: each measurement of a metric takes the
 * metric's next entry, counting across all analysis runs; once the entries run out the last one
 * repeats. Pure, in memory and deterministic. Values are stored as the real provider would store
 * them: numbers and lists of numbers as Prometheus does (`0.5`, `[0.01]`), other values as the
 * web provider's JSON (`true`, `{"ok":1}`).
 *
 * A job that runs for a while (`{job: succeeded, after: 2m}`, `{job: running}`, `{job: pending}`)
 * answers when the virtual clock reaches its end: at `after`, or at the Job's
 * `activeDeadlineSeconds` if that comes first (Failed, with the Job controller's DeadlineExceeded
 * message, as the job provider reports it). Until then it is in flight, as a real Job is; a
 * terminated run stops it (Inconclusive, as the job provider reports a job it killed).
 */
import type { ProviderResult } from '../../../core/analysis/provider-result.js';
import type { MetricProviderSpec } from '../../../core/spec/types.js';
import type { Clock } from '../../../ports/clock.js';
import type { MeasureContext, MetricsProvider } from '../../../ports/metrics-provider.js';
import { formatGoJson, formatSampleValue } from '../go-format.js';
import type { MetricScript, ScriptEntry } from './parse-script.js';

export interface ScriptedProvider extends MetricsProvider {
  /** How many measurements a metric has taken so far. */
  callCount(metricName: string): number;
  /** Jobs still running on the virtual clock. */
  running(): number;
  /** When the next running job ends by itself (its `after` or its deadline); undefined if none does. */
  nextEndAt(): number | undefined;
}

/** The Job controller's DeadlineExceeded message, as the job provider words it. */
function deadlineMessage(seconds: number): string {
  return `Job was active longer than specified deadline (activeDeadlineSeconds: ${seconds})`;
}

/** How a scripted value is stored (Argo's `measurement.value`). */
export function displayScriptedValue(value: unknown): string {
  if (typeof value === 'number') return formatSampleValue(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
    return `[${(value).map(formatSampleValue).join(',')}]`;
  }
  return formatGoJson(value);
}

function toResult(entry: ScriptEntry, spec: MetricProviderSpec, metricName: string): ProviderResult {
  switch (entry.kind) {
    case 'error':
      return { kind: 'error', message: entry.message };
    case 'job':
      if (spec.type !== 'job') return { kind: 'error', message: `scripted {job: ${entry.outcome}} for metric "${metricName}", which is a ${spec.type} metric` };
      return { kind: 'job', phase: entry.outcome === 'succeeded' ? 'Successful' : 'Failed' };
    case 'value':
      if (spec.type === 'job') {
        return { kind: 'error', message: `metric "${metricName}" is a job: script {job: succeeded} or {job: failed} for it` };
      }
      return { kind: 'value', value: structuredClone(entry.value), display: displayScriptedValue(entry.value) };
    default: {
      const never: never = entry;
      throw new Error(`unknown script entry ${JSON.stringify(never)}`);
    }
  }
}

/**
 * `script` as `parseScript` returns it. `clock` (the simulation's virtual clock) is needed for
 * jobs that take time; without one they end at once.
 */
export function createScriptedProvider(script: MetricScript, options: { clock?: Clock } = {}): ScriptedProvider {
  const calls = new Map<string, number>();
  const ends = new Set<number>();
  const { clock } = options;

  /** A job that takes time: resolves at its end, or when the run stops it. */
  const runJob = async (entry: Extract<ScriptEntry, { kind: 'job' }>, spec: MetricProviderSpec, ctx: MeasureContext): Promise<ProviderResult> => {
    if (spec.type !== 'job') return toResult(entry, spec, ctx.metricName);
    const deadline = spec.activeDeadlineSeconds;
    const after = 'afterMs' in entry ? entry.afterMs : undefined;
    const start = clock?.now() ?? 0;
    const endsAt = Math.min(after ?? Infinity, deadline !== undefined ? deadline * 1000 : Infinity);
    if (!clock || endsAt === 0) return finish();
    const end = start + endsAt;
    if (Number.isFinite(end)) ends.add(end);
    await (Number.isFinite(end) ? clock.sleepUntil(end, ctx.signal) : untilAborted(ctx.signal));
    ends.delete(end);
    if (ctx.signal.aborted) return { kind: 'job', phase: 'Inconclusive', message: 'job terminated' };
    return finish();

    function finish(): ProviderResult {
      if (after !== undefined && (deadline === undefined || after <= deadline * 1000)) return toResult(entry, spec, ctx.metricName);
      return { kind: 'job', phase: 'Failed', message: deadlineMessage(deadline ?? 0) };
    }
  };

  let pending = 0;
  return {
    type: 'scripted',
    callCount: (metricName) => calls.get(metricName) ?? 0,
    running: () => pending,
    nextEndAt: () => (ends.size ? Math.min(...ends) : undefined),
    async measure(spec: MetricProviderSpec, ctx: MeasureContext): Promise<ProviderResult> {
      const entries = Object.prototype.hasOwnProperty.call(script, ctx.metricName) ? script[ctx.metricName] : undefined;
      if (!entries || entries.length === 0) return { kind: 'error', message: `no scripted result for metric "${ctx.metricName}"` };
      const n = calls.get(ctx.metricName) ?? 0;
      calls.set(ctx.metricName, n + 1);
      const entry = entries[Math.min(n, entries.length - 1)] as ScriptEntry;
      const timed = entry.kind === 'job' && (('afterMs' in entry && entry.afterMs !== undefined) || entry.outcome === 'running' || entry.outcome === 'pending');
      if (entry.kind !== 'job' || !timed) return toResult(entry, spec, ctx.metricName);
      pending++;
      try {
        return await runJob(entry, spec, ctx);
      } finally {
        pending--;
      }
    },
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
