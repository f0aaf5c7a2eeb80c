/** Small builders for the analysis unit tests: manifests after defaults, as the loader gives them. */
import type {
  AnalysisTemplate,
  AnalysisTemplateSpec,
  ClusterAnalysisTemplate,
  MetricSpec,
  PrometheusProvider,
} from '../spec/types.js';
import { createAnalysisRun, type CreateAnalysisRunInput } from './create-run.js';
import type { ProviderResult } from './provider-result.js';
import type { AnalysisRunState } from './types.js';

export const prometheus: PrometheusProvider = {
  type: 'prometheus',
  address: 'http://127.0.0.1:9090',
  query: 'up',
  insecure: false,
  headers: [],
};

/** A metric with a Prometheus provider unless `provider`/`providerKeys` say otherwise. */
export function metric(name: string, over: Partial<MetricSpec> = {}): MetricSpec {
  return { name, provider: prometheus, providerKeys: ['prometheus'], ...over };
}

export function template(
  name: string,
  metrics: MetricSpec[],
  spec: Partial<AnalysisTemplateSpec> = {},
): AnalysisTemplate {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name, labels: {}, annotations: {} },
    source: { file: `${name}.yaml`, line: 1, column: 1 },
    spec: { metrics, args: [], dryRun: [], measurementRetention: [], ...spec },
  };
}

export function clusterTemplate(
  name: string,
  metrics: MetricSpec[],
  spec: Partial<AnalysisTemplateSpec> = {},
): ClusterAnalysisTemplate {
  return { ...template(name, metrics, spec), kind: 'ClusterAnalysisTemplate' };
}

/** A Background run (no "runs indefinitely" rule) from one template, started at `now`. */
export function runOf(
  metrics: MetricSpec[],
  over: Partial<CreateAnalysisRunInput> = {},
  now = 0,
): AnalysisRunState {
  return createAnalysisRun(
    {
      name: 'run',
      kind: 'Background',
      templates: [template('tmpl', metrics)],
      args: [],
      dryRun: [],
      measurementRetention: [],
      ...over,
    },
    now,
  );
}

/** A Prometheus-like vector result, displayed as Argo stores it: `[0.5]`. */
export function vector(...values: number[]): ProviderResult {
  return { kind: 'value', value: values, display: `[${values.join(',')}]` };
}

export function providerError(message: string): ProviderResult {
  return { kind: 'error', message };
}

export function job(phase: 'Successful' | 'Failed' | 'Inconclusive', message?: string): ProviderResult {
  return message === undefined ? { kind: 'job', phase } : { kind: 'job', phase, message };
}
