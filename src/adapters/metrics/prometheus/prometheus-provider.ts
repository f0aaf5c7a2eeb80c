/**
 * The `prometheus` metric provider: an instant query (`/api/v1/query`) or, with `rangeQuery`,
 * a range query (`/api/v1/query_range`) against the template's `address`, as Argo's
 * metricproviders/prometheus/prometheus.go does it. Timeout is `timeout` seconds (Argo's default
 * 30 s), `headers` go on every request (e.g. Authorization, X-Scope-OrgID), `insecure` skips TLS
 * verification. Every failure resolves `{kind: 'error'}`.
 */
import type { ProviderResult } from '../../../core/analysis/provider-result.js';
import type { MetricProviderSpec, PrometheusProvider } from '../../../core/spec/types.js';
import type { MeasureContext, MetricsProvider } from '../../../ports/metrics-provider.js';
import { httpSend } from '../http-send.js';
import { OAuth2TokenSource, parseAuthentication } from './oauth2.js';
import { processPrometheusResponse } from './process-response.js';
import { resolveRangeStep, resolveRangeTime } from './range-time.js';

/** Argo: `provider.timeout = 30 * time.Second` when the template sets none. */
export const DEFAULT_PROMETHEUS_TIMEOUT_SECONDS = 30;

/** Past this URL length the query is sent as a POST form, as Prometheus' own UI does. */
export const MAX_GET_URL_LENGTH = 4096;

/** Options shared by every prometheus measurement of one provider instance. */
export interface PrometheusProviderOptions {
  /**
   * Rewrites `address` values as written in templates (trailing slashes ignored) to the address
   * to query, e.g. an in-cluster URL to the embedded Prometheus on this machine.
   */
  addressMap?: Record<string, string>;
  /** Wall-clock milliseconds for `now()` in range queries; defaults to Date.now. */
  now?: () => number;
  /**
   * Headers of the host's own for the address queried (after the map), e.g. the control API's
   * token for the embedded Prometheus; the template's headers win over them.
   */
  headersFor?: (address: string) => Record<string, string> | undefined;
}

const trimSlash = (s: string): string => s.replace(/\/+$/, '');

function resolveAddress(address: string, map: Record<string, string> | undefined): string {
  const key = trimSlash(address.trim());
  if (map) {
    for (const [from, to] of Object.entries(map)) if (trimSlash(from.trim()) === key) return trimSlash(to.trim());
  }
  return key;
}

/** Argo's `IsUrl`: a scheme and a host. */
function isUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol !== '' && u.host !== '';
  } catch {
    return false;
  }
}

/** Creates the provider; one instance serves every prometheus metric. */
export function createPrometheusProvider(options: PrometheusProviderOptions = {}): MetricsProvider {
  const now = options.now ?? Date.now;
  const tokens = new OAuth2TokenSource(now);
  return {
    type: 'prometheus',
    async measure(spec: MetricProviderSpec, ctx: MeasureContext): Promise<ProviderResult> {
      if (spec.type !== 'prometheus') return { kind: 'error', message: `prometheus provider given a ${spec.type} metric` };
      const address = resolveAddress(spec.address, options.addressMap);
      return queryPrometheus(spec, ctx, address, now(), tokens, options.headersFor?.(address) ?? {});
    },
  };
}

async function queryPrometheus(
  spec: PrometheusProvider,
  ctx: MeasureContext,
  address: string,
  nowMs: number,
  tokens: OAuth2TokenSource,
  hostHeaders: Record<string, string>,
): Promise<ProviderResult> {
  // Argo's NewPrometheusAPI / NewPrometheusProvider checks, with their wording.
  if (address === '') return { kind: 'error', message: 'prometheus address is not configured' };
  if (!isUrl(address)) return { kind: 'error', message: 'prometheus address is not is url format' };
  const timeoutSeconds = spec.timeout ?? DEFAULT_PROMETHEUS_TIMEOUT_SECONDS;
  if (timeoutSeconds < 0) return { kind: 'error', message: 'prometheus timeout should not be negative' };

  const params = new URLSearchParams({ query: spec.query });
  let endpoint = `${address}/api/v1/query`;
  if (spec.rangeQuery) {
    const start = resolveRangeTime('rangeQuery.start', spec.rangeQuery.start, nowMs);
    if (!start.ok) return { kind: 'error', message: start.message };
    const end = resolveRangeTime('rangeQuery.end', spec.rangeQuery.end, nowMs);
    if (!end.ok) return { kind: 'error', message: end.message };
    const step = resolveRangeStep('rangeQuery.step', spec.rangeQuery.step);
    if (!step.ok) return { kind: 'error', message: step.message };
    endpoint = `${address}/api/v1/query_range`;
    params.set('start', (start.ms / 1000).toFixed(3));
    params.set('end', (end.ms / 1000).toFixed(3));
    params.set('step', String(step.seconds));
  } else {
    params.set('time', (nowMs / 1000).toFixed(3));
  }

  const auth = parseAuthentication(spec.authentication);
  if (!auth.ok) return { kind: 'error', message: auth.message };
  const headers: Record<string, string> = { ...hostHeaders };
  for (const h of spec.headers) headers[h.key] = h.value;
  const getUrl = `${endpoint}?${params.toString()}`;
  const asPost = getUrl.length > MAX_GET_URL_LENGTH;
  const op = `${asPost ? 'Post' : 'Get'} "${asPost ? endpoint : getUrl}"`;
  // One budget for the token request and the query: in Argo both run inside the same
  // context.WithTimeout.
  const deadline = performance.now() + timeoutSeconds * 1000;
  if (auth.oauth2) {
    const token = await tokens.authorization(auth.oauth2, ctx.signal, timeoutSeconds * 1000);
    if (!token.ok) return { kind: 'error', message: `${op}: ${token.message}` };
    headers.Authorization = token.header;
  }
  if (asPost) headers['content-type'] = 'application/x-www-form-urlencoded';
  // A 0 timeout would fail every query at once; Go's context.WithTimeout(0) does the same, so
  // it is kept: the template asked for it.
  const res = await httpSend({
    method: asPost ? 'POST' : 'GET',
    url: asPost ? endpoint : getUrl,
    headers,
    body: asPost ? params.toString() : undefined,
    timeoutMs: deadline - performance.now(),
    signal: ctx.signal,
    insecure: spec.insecure,
  });
  if (!res.ok) return { kind: 'error', message: res.message };
  return processPrometheusResponse(res.status, res.text);
}
