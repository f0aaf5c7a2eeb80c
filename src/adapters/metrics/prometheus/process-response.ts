/**
 * Prometheus' HTTP API answer -> a measurement result, as Argo's `processResponse`
 * (metricproviders/prometheus/prometheus.go) maps it:
 * - scalar -> the number; stored as `0.5`
 * - vector -> number[] with the labels dropped; stored as `[0.1,0.2]`, `[]` when empty
 * - matrix (a range query) -> every sample of every series, flattened in order; stored like a
 *   vector
 * - anything else (string) -> Error `Prometheus metric type not supported`
 * An empty vector is a value, not an error: the conditions decide (`result[0]` on it is an
 * evaluation error in the analysis core, as in Argo).
 * Error answers are worded as client_golang's `*v1.Error` (`bad_data: parse error ...`).
 */
import type { ProviderResult } from '../../../core/analysis/provider-result.js';
import { formatSampleValue, parseSampleValue } from '../go-format.js';

interface ApiBody {
  status?: unknown;
  data?: { resultType?: unknown; result?: unknown };
  errorType?: unknown;
  error?: unknown;
  warnings?: unknown;
}

const err = (message: string): ProviderResult => ({ kind: 'error', message });

function sampleOf(pair: unknown): number | undefined {
  return Array.isArray(pair) && pair.length === 2 ? parseSampleValue(pair[1]) : undefined;
}

function vectorDisplay(values: number[]): string {
  return `[${values.map(formatSampleValue).join(',')}]`;
}

/** Maps one HTTP answer (status code and body text) from `/api/v1/query` or `/query_range`. */
export function processPrometheusResponse(status: number, text: string): ProviderResult {
  let body: ApiBody;
  try {
    body = JSON.parse(text) as ApiBody;
    if (body === null || typeof body !== 'object') throw new Error('not an object');
  } catch {
    // client_golang: a body that is not the API's JSON is reported by status class.
    if (status >= 500) return err(`server_error: server error: ${status}`);
    if (status >= 400) return err(`client_error: client error: ${status}`);
    return err(`bad_response: invalid JSON in Prometheus response: ${text.slice(0, 200)}`);
  }
  if (body.status === 'error' || status < 200 || status >= 300) {
    const type = typeof body.errorType === 'string' && body.errorType ? body.errorType : status >= 500 ? 'server_error' : 'client_error';
    const msg = typeof body.error === 'string' ? body.error : `unexpected HTTP status ${status}`;
    return err(`${type}: ${msg}`);
  }
  const resultType = body.data?.resultType;
  const result = body.data?.result;
  let out: ProviderResult;
  switch (resultType) {
    case 'scalar': {
      const v = sampleOf(result);
      if (v === undefined) return err('bad_response: malformed scalar in Prometheus response');
      out = { kind: 'value', value: v, display: formatSampleValue(v) };
      break;
    }
    case 'vector': {
      if (!Array.isArray(result)) return err('bad_response: malformed vector in Prometheus response');
      const values: number[] = [];
      for (const s of result as { value?: unknown }[]) {
        const v = sampleOf(s?.value);
        if (v === undefined) return err('bad_response: malformed sample in Prometheus response (native histograms are not supported)');
        values.push(v);
      }
      out = { kind: 'value', value: values, display: vectorDisplay(values) };
      break;
    }
    case 'matrix': {
      if (!Array.isArray(result)) return err('bad_response: malformed matrix in Prometheus response');
      const values: number[] = [];
      for (const series of result as { values?: unknown }[]) {
        if (!Array.isArray(series?.values)) return err('bad_response: malformed series in Prometheus response (native histograms are not supported)');
        for (const pair of series.values as unknown[]) {
          const v = sampleOf(pair);
          if (v === undefined) return err('bad_response: malformed sample in Prometheus response');
          values.push(v);
        }
      }
      out = { kind: 'value', value: values, display: vectorDisplay(values) };
      break;
    }
    default:
      return err('Prometheus metric type not supported');
  }
  // Argo keeps warnings in the measurement's metadata as `"w1", "w2"`.
  if (Array.isArray(body.warnings) && body.warnings.length > 0) {
    out.metadata = { warnings: body.warnings.map((w) => `"${String(w)}"`).join(', ') };
  }
  return out;
}
