/** The `prometheus` metric provider. */
export { createPrometheusProvider, DEFAULT_PROMETHEUS_TIMEOUT_SECONDS, type PrometheusProviderOptions } from './prometheus-provider.js';
export { processPrometheusResponse } from './process-response.js';
export { resolveRangeStep, resolveRangeTime } from './range-time.js';
export { OAuth2TokenSource, parseAuthentication, type OAuth2Config } from './oauth2.js';
