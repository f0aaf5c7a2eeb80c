/**
 * Providers Argo has and Baton does not run (datadog, newRelic, cloudWatch, ...): every
 * measurement is an Error that names the provider, so the run fails the way Argo fails a
 * misconfigured provider, through consecutiveErrorLimit, and the message says why.
 */
import type { ProviderResult } from '../../core/analysis/provider-result.js';
import type { MetricProviderSpec } from '../../core/spec/types.js';
import type { MeasureContext, MetricsProvider } from '../../ports/metrics-provider.js';

/** The provider for `type: 'unsupported'` specs. */
export function createUnsupportedProvider(): MetricsProvider {
  return {
    type: 'unsupported',
    measure(spec: MetricProviderSpec, _ctx: MeasureContext): Promise<ProviderResult> {
      const name = spec.type === 'unsupported' ? spec.name : spec.type;
      return Promise.resolve({ kind: 'error', message: `provider "${name}" is not supported by Baton` });
    },
  };
}
