/**
 * Per-metric validation after argument substitution, worded as Argo's `ValidateMetric`
 * (`utils/analysis/helpers.go`) words it, with the v1.8 rules of the semantics page
 * (failureLimit >= -1, count >= failureLimit + consecutiveSuccessLimit).
 */
import type { IntOrString, MetricProviderSpec } from '../spec/types.js';
import { parseGoDuration } from '../spec/duration.js';

/** Argo's `IntOrString.IntValue()`, except that a non-integer string is reported, not read as 0. */
export function resolveIntOrString(value: IntOrString | undefined, field: string): { value?: number; error?: string } {
  if (value === undefined) return {};
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { value } : { error: `${field}: ${value} is not an integer` };
  }
  // strconv.Atoi: optional sign, decimal digits, nothing else.
  if (/^[+-]?\d+$/.test(value)) return { value: Number(value) };
  return { error: `${field}: ${JSON.stringify(value)} is not an integer` };
}

/**
 * Go's `time.ParseDuration` error text for `text`, e.g. `time: unknown unit "x" in duration "5x"`.
 * Only called for strings parseGoDuration rejected.
 */
export function goDurationError(text: string): string {
  const quoted = JSON.stringify(text);
  const invalid = `time: invalid duration ${quoted}`;
  let s = text;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  if (s === '') return invalid;
  while (s !== '') {
    const num = /^(\d*)(\.\d*)?/.exec(s);
    const digits = (num?.[1] ?? '') + (num?.[2] ?? '').slice(1);
    if (!num || num[0] === '' || digits === '') return invalid;
    s = s.slice(num[0].length);
    const unit = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    if (unit === '') return `time: missing unit in duration ${quoted}`;
    if (!['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'].includes(unit)) {
      return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
    }
    s = s.slice(unit.length);
  }
  return invalid;
}

/** A Go duration in ms, or the error Argo would print. */
export function resolveDuration(text: string | undefined): { ms?: number; error?: string } {
  if (text === undefined || text === '') return {};
  const ms = parseGoDuration(text);
  return ms === undefined ? { error: goDurationError(text) } : { ms };
}

/** One metric's fields after substitution, integers resolved, as validateMetric reads them. */
export interface MetricNumbers {
  count?: number;
  failureLimit?: number;
  inconclusiveLimit?: number;
  consecutiveErrorLimit?: number;
  consecutiveSuccessLimit?: number;
  interval?: string;
  initialDelay?: string;
  providerKeys: readonly string[];
  provider?: MetricProviderSpec;
}

/** The first problem with one metric, worded as Argo's ValidateMetric; undefined when valid. */
export function validateMetric(m: MetricNumbers): string | undefined {
  const count = m.count ?? 0;
  const failureLimit = m.failureLimit ?? 0;
  const inconclusiveLimit = m.inconclusiveLimit ?? 0;
  const successLimit = m.consecutiveSuccessLimit ?? 0;
  if (count > 0) {
    // Enough measurements to see the failure limit exceeded and the success streak completed;
    // a disabled failure limit (-1) needs none.
    if (count < Math.max(failureLimit, 0) + Math.max(successLimit, 0)) {
      return successLimit > 0 ? 'count must be >= failureLimit + consecutiveSuccessLimit' : 'count must be >= failureLimit';
    }
    if (count < inconclusiveLimit) return 'count must be >= inconclusiveLimit';
  }
  if (count > 1 && (m.interval === undefined || m.interval === '')) return 'interval must be specified when count > 1';
  const interval = resolveDuration(m.interval);
  if (interval.error) return `invalid interval string: ${interval.error}`;
  const delay = resolveDuration(m.initialDelay);
  // "startDelay" is what Argo calls initialDelay in this message.
  if (delay.error) return `invalid startDelay string: ${delay.error}`;
  if (failureLimit < -1) return 'failureLimit must be >= -1';
  if (inconclusiveLimit < 0) return 'inconclusiveLimit must be >= 0';
  if (m.consecutiveErrorLimit !== undefined && m.consecutiveErrorLimit < 0) return 'consecutiveErrorLimit must be >= 0';
  if (successLimit < 0) return 'consecutiveSuccessLimit must be >= 0';
  // Argo v1.8 docs (features/analysis.md, "ConsecutiveSuccessLimit and FailureLimit"): one of the
  // two must be in force, or nothing could ever end the metric but the count.
  if (failureLimit === -1 && successLimit === 0) {
    return 'failureLimit and consecutiveSuccessLimit cannot both be disabled (failureLimit: -1, consecutiveSuccessLimit: 0)';
  }
  if (m.providerKeys.length === 0 || (m.providerKeys.length === 1 && m.provider === undefined)) return 'no provider specified';
  if (m.providerKeys.length > 1) return 'multiple providers specified';
  if (m.provider?.type === 'unsupported') return `provider ${m.provider.name} is not supported by Baton`;
  return undefined;
}
