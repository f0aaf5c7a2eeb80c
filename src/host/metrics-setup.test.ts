import { describe, expect, it } from 'vitest';
import { parseManifests } from '../core/spec/load.js';
import { prometheusAddresses } from './metrics-setup.js';

const templates = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: checks}
spec:
  metrics:
  - name: error-rate
    successCondition: result[0] < 0.05
    provider:
      prometheus: {address: "http://prometheus.monitoring:9090", query: "sum(up)"}
  - name: safety
    provider:
      sequential:
        address: http://sequential.monitoring:9090
        alpha: 0.01
        tests:
        - {name: errors, events: 'sum(errors{role="\${role}"})', total: 'sum(requests{role="\${role}"})'}
  - name: web
    provider:
      web: {url: "http://example.test/health"}
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterAnalysisTemplate
metadata: {name: judged}
spec:
  metrics:
  - name: judge
    provider:
      judge:
        address: http://judge.monitoring:9090
        metrics:
        - name: latency
          query: 'sum(rate(latency_sum{role="\${role}"}[1m]))'
          analysisConfigurations: {canary: {direction: increase}}
`;

describe('prometheusAddresses', () => {
  it('maps the addresses of every provider that queries Prometheus: prometheus, judge and sequential, not web', () => {
    const { set, diagnostics } = parseManifests([{ path: 'templates.yaml', text: templates }]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(prometheusAddresses(set)).toEqual(['http://judge.monitoring:9090', 'http://prometheus.monitoring:9090', 'http://sequential.monitoring:9090']);
  });
});
