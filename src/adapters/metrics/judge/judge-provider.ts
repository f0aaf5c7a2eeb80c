/**
 * The `judge` metric provider: canary against baseline per metric, Kayenta-style. Each
 * measurement queries every metric for both roles (a range query over `lookback` at `step` for
 * series metrics; instant queries of events and total for count metrics), classifies each
 * (src/core/stats/judge-metric.ts) and scores the whole (judge-score.ts). The phase follows the
 * score as Argo's kayenta provider does (>= pass Successful, >= marginal Inconclusive, else
 * Failed) unless the metric writes its own conditions over the value
 * (`result.score`, `result.verdict`, `result.metrics[i].label`). A query that fails makes the
 * measurement Error, naming the metric and role; the limits decide.
 */
import type { ProviderResult } from '../../../core/analysis/provider-result.js';
import type { MetricProviderSpec } from '../../../core/spec/types.js';
import { classifyMetric, type MetricClassification, type MetricData } from '../../../core/stats/judge-metric.js';
import { scoreJudgement, type JudgeVerdict } from '../../../core/stats/judge-score.js';
import type { JudgeMetricSpec, JudgeProvider } from '../../../core/stats/provider-spec.js';
import { StatsInputError } from '../../../core/stats/errors.js';
import type { MeasureContext, MetricsProvider } from '../../../ports/metrics-provider.js';
import { describeNumbers } from './describe.js';
import { queryRole, queryRoleTotal } from './role-query.js';

const PHASE: Record<JudgeVerdict, 'Successful' | 'Inconclusive' | 'Failed'> = { Pass: 'Successful', Marginal: 'Inconclusive', Fail: 'Failed' };

/** The provider; `prometheus` runs its queries. */
export function createJudgeProvider(prometheus: MetricsProvider): MetricsProvider {
  return {
    type: 'judge',
    async measure(spec: MetricProviderSpec, ctx: MeasureContext): Promise<ProviderResult> {
      if (spec.type !== 'judge') return { kind: 'error', message: `judge provider given a ${spec.type} metric` };
      const classified: MetricClassification[] = [];
      for (const m of spec.metrics) {
        const data = await fetchData(prometheus, spec, m, ctx);
        if ('message' in data) return { kind: 'error', message: `metric "${m.config.name}": ${data.message}` };
        try {
          classified.push(classifyMetric(m.config, data));
        } catch (e) {
          if (e instanceof StatsInputError) return { kind: 'error', message: `metric "${m.config.name}": ${e.message}` };
          throw e;
        }
      }
      const result = scoreJudgement(classified, { groupWeights: spec.groupWeights, scoreThresholds: spec.scoreThresholds });
      const value = {
        score: result.score,
        verdict: result.verdict,
        ...(result.reason !== undefined ? { reason: result.reason } : {}),
        thresholds: result.thresholds,
        groups: result.groups,
        metrics: result.metrics.map((c) => ({ name: c.name, label: c.label, critical: c.critical, ...(c.reason !== undefined ? { reason: c.reason } : {}), ...c.numbers })),
      };
      const metadata: Record<string, string> = { 'judge.score': `${result.score} (${result.verdict}; pass >= ${result.thresholds.pass}, marginal >= ${result.thresholds.marginal})` };
      if (result.reason !== undefined) metadata['judge.reason'] = result.reason;
      for (const c of result.metrics) metadata[`judge.${c.name}`] = `${c.label}${c.critical ? ' (critical)' : ''}: ${describeNumbers(c.numbers)}`;
      const display = JSON.stringify({ score: result.score, verdict: result.verdict, metrics: Object.fromEntries(result.metrics.map((c) => [c.name, c.label])) });
      return { kind: 'value', value, display, metadata, phase: PHASE[result.verdict] };
    },
  };
}

async function fetchData(prometheus: MetricsProvider, spec: JudgeProvider, m: JudgeMetricSpec, ctx: MeasureContext): Promise<MetricData | { message: string }> {
  const { canary, baseline } = spec.roles;
  if (m.config.test === 'count') {
    const counts = [];
    for (const role of [canary, baseline]) {
      const events = await queryRoleTotal(prometheus, spec, m.events ?? '', role, ctx);
      if (!events.ok) return { message: `events: ${events.message}` };
      const total = await queryRoleTotal(prometheus, spec, m.total ?? '', role, ctx);
      if (!total.ok) return { message: `total: ${total.message}` };
      // increase() extrapolates to fractions; the exact test counts whole requests.
      const t = Math.max(0, Math.round(total.value));
      counts.push({ events: Math.min(t, Math.max(0, Math.round(events.value))), total: t });
    }
    return { kind: 'counts', canary: counts[0] as { events: number; total: number }, baseline: counts[1] as { events: number; total: number } };
  }
  const range = { lookbackSeconds: spec.lookbackSeconds, stepSeconds: spec.stepSeconds };
  const c = await queryRole(prometheus, spec, m.query ?? '', canary, ctx, range);
  if (!c.ok) return { message: c.message };
  const b = await queryRole(prometheus, spec, m.query ?? '', baseline, ctx, range);
  if (!b.ok) return { message: b.message };
  return { kind: 'series', canary: c.values, baseline: b.values };
}
