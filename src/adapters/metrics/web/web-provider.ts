/**
 * The `web` metric provider: one HTTP request, the JSON answer narrowed by a Kubernetes JSONPath
 * (first match), as Argo's metricproviders/webmetric/webmetric.go does it:
 * - `method` (default GET), `headers`, `body` or `jsonBody` (POST/PUT only; jsonBody sets
 *   `Content-Type: application/json`), `timeoutSeconds` (default 10), `insecure`;
 * - a non-2xx status -> Error `received non 2xx response code: 500`;
 * - a body that is not JSON -> the body text as a string result;
 * - JSON -> the first JSONPath match; stored as Go's json.Marshal prints it.
 */
import type { ProviderResult } from '../../../core/analysis/provider-result.js';
import type { MetricProviderSpec, WebProvider } from '../../../core/spec/types.js';
import type { MeasureContext, MetricsProvider } from '../../../ports/metrics-provider.js';
import { formatGoJson } from '../go-format.js';
import { httpSend } from '../http-send.js';
import { compileK8sJsonPath, findFirst } from './k8s-jsonpath.js';

/** Argo: "Using a default timeout of 10 seconds" when timeoutSeconds <= 0. */
export const DEFAULT_WEB_TIMEOUT_SECONDS = 10;

const err = (message: string): ProviderResult => ({ kind: 'error', message });

/** Creates the provider; one instance serves every web metric. */
export function createWebProvider(): MetricsProvider {
  return {
    type: 'web',
    async measure(spec: MetricProviderSpec, ctx: MeasureContext): Promise<ProviderResult> {
      if (spec.type !== 'web') return err(`web provider given a ${spec.type} metric`);
      return measureWeb(spec, ctx);
    },
  };
}

async function measureWeb(spec: WebProvider, ctx: MeasureContext): Promise<ProviderResult> {
  const method = (spec.method || 'GET').toUpperCase();
  const stringBody = spec.body ?? '';
  const hasJsonBody = spec.jsonBody !== undefined && spec.jsonBody !== null;
  if (stringBody !== '' && hasJsonBody) return err('use either Body or JSONBody; both cannot exists for WebMetric payload');
  if ((stringBody !== '' || hasJsonBody) && method === 'GET') {
    return err('Body/JSONBody can only be used with POST or PUT WebMetric Method types');
  }
  const jsonPath = compileK8sJsonPath(spec.jsonPath);
  if (!jsonPath.ok) return err(jsonPath.message);

  const headers: Record<string, string> = {};
  for (const h of spec.headers) headers[h.key] = h.value;
  let body: string | undefined;
  if (stringBody !== '') body = stringBody;
  else if (hasJsonBody) {
    body = JSON.stringify(spec.jsonBody);
    headers['Content-Type'] = 'application/json';
  }
  const timeoutSeconds = spec.timeoutSeconds > 0 ? spec.timeoutSeconds : DEFAULT_WEB_TIMEOUT_SECONDS;
  const res = await httpSend({
    method,
    url: spec.url,
    headers,
    body,
    timeoutMs: timeoutSeconds * 1000,
    signal: ctx.signal,
    insecure: spec.insecure,
    clientTimeout: true,
  });
  if (!res.ok) return err(res.message);
  if (res.status < 200 || res.status >= 300) return err(`received non 2xx response code: ${res.status}`);

  let data: unknown;
  try {
    data = JSON.parse(res.text);
  } catch {
    // Argo: "non JSON body return as string".
    return { kind: 'value', value: res.text, display: res.text };
  }
  const first = findFirst(jsonPath.path, data);
  if (!first.found) return err(`Could not find JSONPath in body: ${first.error ?? `${jsonPath.source} is not found`}`);
  return { kind: 'value', value: first.value, display: formatGoJson(first.value) };
}
