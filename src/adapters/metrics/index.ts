/**
 * Metric providers and the factory that picks one per metric (Argo's metric/provider.go
 * `NewProvider`): prometheus, web, job, and Baton's judge and sequential (which query through the
 * prometheus provider); every other provider resolves an "unsupported" Error.
 */
import type { MetricProviderSpec } from '../../core/spec/types.js';
import type { MetricsProvider } from '../../ports/metrics-provider.js';
import { createJobProvider, type JobProviderOptions } from './job/job-provider.js';
import { createJudgeProvider } from './judge/judge-provider.js';
import { createPrometheusProvider } from './prometheus/prometheus-provider.js';
import { createSequentialProvider } from './sequential/sequential-provider.js';
import { createUnsupportedProvider } from './unsupported-provider.js';
import { createWebProvider } from './web/web-provider.js';

/** Options for the providers the factory builds. */
export interface MetricsProvidersOptions {
  /** Rewrites Prometheus addresses as written in templates, e.g. to the embedded Prometheus. */
  addressMap?: Record<string, string>;
  /** Headers for a Prometheus address (after the map), e.g. a token; see PrometheusProviderOptions.headersFor. */
  prometheusHeaders?: (address: string) => Record<string, string> | undefined;
  /** Job process options (kill grace, base environment). */
  job?: JobProviderOptions;
}

/** Returns the provider for a metric's provider block; providers are shared across metrics. */
export function createMetricsProviders(opts: MetricsProvidersOptions = {}): (spec: MetricProviderSpec) => MetricsProvider {
  const prometheus = createPrometheusProvider({ addressMap: opts.addressMap, ...(opts.prometheusHeaders ? { headersFor: opts.prometheusHeaders } : {}) });
  const web = createWebProvider();
  const job = createJobProvider(opts.job);
  const unsupported = createUnsupportedProvider();
  const judge = createJudgeProvider(prometheus);
  const sequential = createSequentialProvider(prometheus);
  return (spec) => {
    switch (spec.type) {
      case 'prometheus':
        return prometheus;
      case 'web':
        return web;
      case 'job':
        return job;
      case 'judge':
        return judge;
      case 'sequential':
        return sequential;
      case 'unsupported':
        return unsupported;
      default: {
        const never: never = spec;
        throw new Error(`unknown provider spec ${JSON.stringify(never)}`);
      }
    }
  };
}

export { createFakeProvider, type FakeProvider, type FakeStep } from './fake/fake-provider.js';
export { formatGoFloat, formatGoJson, formatSampleValue, parseSampleValue, type GoFloatVerb } from './go-format.js';
export { createJobProvider, type JobProviderOptions } from './job/job-provider.js';
export { createPrometheusProvider, type PrometheusProviderOptions } from './prometheus/prometheus-provider.js';
export { createScriptedProvider, displayScriptedValue, type ScriptedProvider } from './scripted/index.js';
export { parseScript, type MetricScript, type ParseScriptResult, type ScriptEntry } from './scripted/index.js';
export { createUnsupportedProvider } from './unsupported-provider.js';
export { createWebProvider } from './web/web-provider.js';
