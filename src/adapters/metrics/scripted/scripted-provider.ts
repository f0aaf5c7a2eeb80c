/**
 * Metric results from a script, for `baton simulate`: each measurement of a metric takes the
 * metric's next entry, counting across all analysis runs; once the entries run out the last one
 * repeats. Pure, in memory and deterministic. Values are stored as the real provider would store
 * them: numbers and lists of numbers as Prometheus does (`0.5`, `[0.01]`), other values as the
 * web provider's JSON (`true`, `{"ok":1}`).
 */
import type { ProviderResult } from '../../../core/analysis/provider-result.js';
import type { MetricProviderSpec } from '../../../core/spec/types.js';
import type { MeasureContext, MetricsProvider } from '../../../ports/metrics-provider.js';
import { formatGoJson, formatSampleValue } from '../go-format.js';
import type { MetricScript, ScriptEntry } from './parse-script.js';

export interface ScriptedProvider extends MetricsProvider {
  /** How many measurements a metric has taken so far. */
  callCount(metricName: string): number;
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

/** `script` as `parseScript` returns it. */
export function createScriptedProvider(script: MetricScript): ScriptedProvider {
  const calls = new Map<string, number>();
  return {
    type: 'scripted',
    callCount: (metricName) => calls.get(metricName) ?? 0,
    measure(spec: MetricProviderSpec, ctx: MeasureContext): Promise<ProviderResult> {
      const entries = Object.prototype.hasOwnProperty.call(script, ctx.metricName) ? script[ctx.metricName] : undefined;
      if (!entries || entries.length === 0) {
        return Promise.resolve({ kind: 'error', message: `no scripted result for metric "${ctx.metricName}"` });
      }
      const n = calls.get(ctx.metricName) ?? 0;
      calls.set(ctx.metricName, n + 1);
      const entry = entries[Math.min(n, entries.length - 1)] as ScriptEntry;
      return Promise.resolve(toResult(entry, spec, ctx.metricName));
    },
  };
}
