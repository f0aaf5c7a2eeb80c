/**
 * A metrics provider for tests of other modules: it hands back results queued by the test, in
 * order, and records every call. A queued function lets a test hold a measurement open (return
 * a promise it resolves later) or look at the spec and context.
 */
import type { ProviderResult } from '../../../core/analysis/provider-result.js';
import type { MetricProviderSpec } from '../../../core/spec/types.js';
import type { MeasureContext, MetricsProvider } from '../../../ports/metrics-provider.js';

export type FakeStep = ProviderResult | ((spec: MetricProviderSpec, ctx: MeasureContext) => ProviderResult | Promise<ProviderResult>);

export interface FakeProvider extends MetricsProvider {
  /** Adds results; each measurement takes the next one. */
  enqueue(...steps: FakeStep[]): void;
  /** Every call so far, oldest first. */
  readonly calls: { spec: MetricProviderSpec; ctx: MeasureContext }[];
  /** Results still queued. */
  pending(): number;
}

/** With an empty queue a measurement resolves an Error naming the metric. */
export function createFakeProvider(): FakeProvider {
  const queue: FakeStep[] = [];
  const calls: { spec: MetricProviderSpec; ctx: MeasureContext }[] = [];
  return {
    type: 'fake',
    calls,
    enqueue: (...steps) => void queue.push(...steps),
    pending: () => queue.length,
    async measure(spec, ctx) {
      calls.push({ spec, ctx });
      const step = queue.shift();
      if (step === undefined) return { kind: 'error', message: `fake provider: no result queued for metric "${ctx.metricName}"` };
      return typeof step === 'function' ? step(spec, ctx) : step;
    },
  };
}
