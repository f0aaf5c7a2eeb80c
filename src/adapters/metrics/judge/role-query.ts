/**
 * Runs a `${role}` query for one group through the prometheus provider, so the release-safety
 * providers share its address map, host headers, timeout and error wording. A failed query is
 * data: it comes back as `{ok: false, message}` naming the query and role.
 */
import type { PrometheusProvider } from '../../../core/spec/types.js';
import { substituteRole, type PrometheusSource } from '../../../core/stats/provider-spec.js';
import type { MeasureContext, MetricsProvider } from '../../../ports/metrics-provider.js';

/** Numbers a query returned (a scalar as one number, a vector or matrix flattened), or why not. */
export type QueryNumbers = { ok: true; values: number[] } | { ok: false; message: string };

/** Optional range: the series over [now - lookback, now] at `step` seconds. */
export interface RangeOptions {
  lookbackSeconds: number;
  stepSeconds: number;
}

/** Queries `query` with `${role}` replaced by `role`. */
export async function queryRole(prometheus: MetricsProvider, source: PrometheusSource, query: string, role: string, ctx: MeasureContext, range?: RangeOptions): Promise<QueryNumbers> {
  const spec: PrometheusProvider = {
    type: 'prometheus',
    address: source.address,
    query: substituteRole(query, role),
    insecure: source.insecure,
    headers: source.headers,
    ...(source.timeout !== undefined ? { timeout: source.timeout } : {}),
    ...(range ? { rangeQuery: { start: `now() - duration("${range.lookbackSeconds}s")`, end: 'now()', step: `${range.stepSeconds}s` } } : {}),
  };
  const result = await prometheus.measure(spec, ctx);
  switch (result.kind) {
    case 'error':
      return { ok: false, message: `${role}: ${result.message}` };
    case 'job':
      return { ok: false, message: `${role}: unexpected job result` };
    case 'value': {
      const v = result.value;
      if (typeof v === 'number') return { ok: true, values: [v] };
      if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return { ok: true, values: v };
      return { ok: false, message: `${role}: query returned ${result.display}, not numbers` };
    }
    default: {
      const never: never = result;
      return never;
    }
  }
}

/** One number from an instant query: the sum of what it returned (0 for an empty vector: no requests yet). */
export async function queryRoleTotal(prometheus: MetricsProvider, source: PrometheusSource, query: string, role: string, ctx: MeasureContext): Promise<{ ok: true; value: number } | { ok: false; message: string }> {
  const r = await queryRole(prometheus, source, query, role, ctx);
  if (!r.ok) return r;
  const value = r.values.reduce((s, v) => s + v, 0);
  if (!Number.isFinite(value)) return { ok: false, message: `${role}: query returned ${value}` };
  return { ok: true, value };
}
