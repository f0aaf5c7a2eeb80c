/**
 * The `sequential` metric provider: anytime-valid tests of the canary's event rates (errors,
 * slow requests) against the baseline's, read from cumulative counters every measurement
 * (src/core/stats/sequential-counts.ts). The first measurement of a run records the counters;
 * each later one adds the counts since the previous as one block. The state travels in the
 * measurement's metadata (carried-state.ts), so a restarted controller continues the test where
 * it stopped.
 *
 * The provider's alpha is split evenly over its tests (Bonferroni), so the chance that any test
 * aborts a good release stays at most alpha. The phase is Failed once a test rejects (and stays
 * so: the evidence does not go away), Successful otherwise, unless the metric writes its own
 * conditions over the value (`result.decision`, `result.tests.errors.eValue`).
 */
import type { ProviderResult } from '../../../core/analysis/provider-result.js';
import type { MetricProviderSpec } from '../../../core/spec/types.js';
import type { SequentialProvider, SequentialTestSpec } from '../../../core/stats/provider-spec.js';
import { DEFAULT_ODDS_RATIOS, initialCountState, updateCountTest, type CountTestVerdict, type GroupCounts } from '../../../core/stats/sequential-counts.js';
import type { MeasureContext, MetricsProvider } from '../../../ports/metrics-provider.js';
import { queryRoleTotal } from '../judge/role-query.js';
import { increment, readCarriedState, STATE_KEY, type CarriedState } from './carried-state.js';

/** What one test reports in the measurement's value. */
interface TestReport {
  decision: 'abort' | 'continue' | 'started';
  eValue: number;
  threshold: number;
  alpha: number;
  canary: GroupCounts & { rate: number };
  baseline: GroupCounts & { rate: number };
  blocks: number;
}

/** The provider; `prometheus` runs its queries. */
export function createSequentialProvider(prometheus: MetricsProvider): MetricsProvider {
  return {
    type: 'sequential',
    async measure(spec: MetricProviderSpec, ctx: MeasureContext): Promise<ProviderResult> {
      if (spec.type !== 'sequential') return { kind: 'error', message: `sequential provider given a ${spec.type} metric` };
      const carried = readCarriedState(ctx.previousMetadata, DEFAULT_ODDS_RATIOS.length);
      const next: CarriedState = {};
      const tests: Record<string, TestReport> = {};
      const alpha = spec.alpha / spec.tests.length;
      for (const t of spec.tests) {
        const raw = await readCounters(prometheus, spec, t, ctx);
        if ('message' in raw) return { kind: 'error', message: `test "${t.name}": ${raw.message}` };
        const before = carried[t.name];
        if (!before) {
          // First read: the counters so far belong to before the analysis; evidence starts now.
          const state = initialCountState({ alpha });
          next[t.name] = { raw, state };
          tests[t.name] = report('started', { eValue: 1, threshold: 1 / alpha, canaryRate: Number.NaN, baselineRate: Number.NaN, decision: 'continue' }, alpha, state.canary, state.baseline, 0);
          continue;
        }
        const block = {
          canary: blockOf(raw.canary, before.raw.canary),
          baseline: blockOf(raw.baseline, before.raw.baseline),
        };
        const { state, verdict } = updateCountTest(before.state, block, { alpha });
        next[t.name] = { raw, state };
        tests[t.name] = report(verdict.decision === 'reject' ? 'abort' : 'continue', verdict, alpha, state.canary, state.baseline, state.blocks);
      }
      const aborted = Object.entries(tests).filter(([, r]) => r.decision === 'abort').map(([name]) => name);
      const decision = aborted.length ? 'abort' : 'continue';
      const metadata: Record<string, string> = { [STATE_KEY]: JSON.stringify(next) };
      for (const [name, r] of Object.entries(tests)) metadata[`sequential.${name}`] = describe(r);
      const display = JSON.stringify({ decision, ...Object.fromEntries(Object.entries(tests).map(([n, r]) => [n, Number(r.eValue.toPrecision(4))])) });
      return { kind: 'value', value: { decision, aborted, alpha: spec.alpha, tests }, display, metadata, phase: aborted.length ? 'Failed' : 'Successful' };
    },
  };
}

/** The block's counts; events never exceed the total (the two counters are read a moment apart). */
function blockOf(now: GroupCounts, before: GroupCounts): GroupCounts {
  const total = increment(now.total, before.total);
  return { total, events: Math.min(total, increment(now.events, before.events)) };
}

async function readCounters(prometheus: MetricsProvider, spec: SequentialProvider, t: SequentialTestSpec, ctx: MeasureContext): Promise<{ canary: GroupCounts; baseline: GroupCounts } | { message: string }> {
  const out: GroupCounts[] = [];
  for (const role of [spec.roles.canary, spec.roles.baseline]) {
    const events = await queryRoleTotal(prometheus, spec, t.events, role, ctx);
    if (!events.ok) return { message: `events: ${events.message}` };
    const total = await queryRoleTotal(prometheus, spec, t.total, role, ctx);
    if (!total.ok) return { message: `total: ${total.message}` };
    out.push({ events: Math.max(0, Math.round(events.value)), total: Math.max(0, Math.round(total.value)) });
  }
  return { canary: out[0] as GroupCounts, baseline: out[1] as GroupCounts };
}

function report(decision: TestReport['decision'], v: CountTestVerdict, alpha: number, canary: GroupCounts, baseline: GroupCounts, blocks: number): TestReport {
  const rate = (g: GroupCounts): number => (g.total ? g.events / g.total : 0);
  return { decision, eValue: v.eValue, threshold: v.threshold, alpha, canary: { ...canary, rate: rate(canary) }, baseline: { ...baseline, rate: rate(baseline) }, blocks };
}

/** E.g. `abort: e-value 412 >= 200 (alpha 0.005); canary 9/180 (5 %), baseline 0/175 (0 %) over 3 measurements`. */
function describe(r: TestReport): string {
  const pct = (g: GroupCounts & { rate: number }): string => `${g.events}/${g.total} (${Number((g.rate * 100).toPrecision(3))} %)`;
  const cmp = r.eValue >= r.threshold ? '>=' : '<';
  return `${r.decision}: e-value ${Number(r.eValue.toPrecision(4))} ${cmp} ${Number(r.threshold.toPrecision(4))} (alpha ${Number(r.alpha.toPrecision(3))}); canary ${pct(r.canary)}, baseline ${pct(r.baseline)} over ${r.blocks} measurements`;
}
