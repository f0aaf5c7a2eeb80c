/**
 * `provider.judge` and `provider.sequential` in an AnalysisTemplate: read with Kayenta's
 * defaults, and every mistake reported with its line and field path, as lint shows it.
 */
import { describe, expect, it } from 'vitest';
import type { JudgeProvider, SequentialProvider } from '../../src/core/stats/provider-spec.js';
import { expectClean, expectDiagnostic, lineOf, parseYaml } from '../spec/kit.js';

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: safety
spec:
  metrics:
    - name: judge
      interval: 1m
      provider:
        judge:
          address: http://prometheus:9090
          lookback: 5m
          step: 15s
          roles: {canary: canary, baseline: stable}
          scoreThresholds: {pass: 90, marginal: 70}
          classifier:
            groupWeights: {errors: 70}
          metrics:
            - name: error-rate
              query: sum(rate(http_requests_total{role="\${role}",status=~"5.."}[1m]))
              groups: [errors]
              analysisConfigurations:
                canary:
                  direction: increase
                  nanStrategy: replace
                  critical: true
                  effectSize: {allowedIncrease: 1.2}
            - name: errors
              test: count
              events: sum(increase(http_requests_total{role="\${role}",status=~"5.."}[5m]))
              total: sum(increase(http_requests_total{role="\${role}"}[5m]))
              groups: [errors]
    - name: sequential
      interval: 10s
      provider:
        sequential:
          address: http://prometheus:9090
          alpha: 0.01
          tests:
            - name: errors
              events: sum(http_requests_total{role="\${role}",status=~"5.."})
              total: sum(http_requests_total{role="\${role}"})
`;

describe('judge and sequential provider manifests', () => {
  it('reads both with defaults', () => {
    const r = parseYaml(TEMPLATE);
    expectClean(r);
    const [judge, sequential] = (r.set.analysisTemplates[0]?.spec.metrics ?? []).map((m) => m.provider);
    const j = judge as JudgeProvider;
    expect(j).toMatchObject({ type: 'judge', lookbackSeconds: 300, stepSeconds: 15, roles: { canary: 'canary', baseline: 'stable' }, groupWeights: { errors: 70 }, scoreThresholds: { pass: 90, marginal: 70 } });
    expect(j.metrics[0]?.config).toMatchObject({ name: 'error-rate', test: 'mannWhitney', direction: 'increase', nanStrategy: 'replace', critical: true, confLevel: 0.98, groups: ['errors'], effectSize: { measure: 'meanRatio', allowedIncrease: 1.2, allowedDecrease: 1 } });
    expect(j.metrics[1]).toMatchObject({ config: { test: 'count' }, events: expect.stringContaining('${role}') as unknown });
    expect(sequential as SequentialProvider).toMatchObject({ type: 'sequential', alpha: 0.01, roles: { canary: 'canary', baseline: 'baseline' }, tests: [{ name: 'errors' }] });
  });

  it('reports mistakes with line and field path', () => {
    const bad = TEMPLATE.replace('direction: increase', 'direction: up')
      .replace('sum(rate(http_requests_total{role="${role}",status=~"5.."}[1m]))', 'sum(rate(http_requests_total[1m]))')
      .replace('alpha: 0.01', 'alpha: 2')
      .replace('lookback: 5m', 'lookback: soon');
    const r = parseYaml(bad);
    const base = 'spec.metrics[0].provider.judge';
    expectDiagnostic(r, { code: 'invalid-value', path: `${base}.metrics[0].analysisConfigurations.canary.direction`, line: lineOf(bad, 'direction: up') });
    expectDiagnostic(r, { code: 'missing-role', path: `${base}.metrics[0].query`, line: lineOf(bad, 'query: sum(rate(http_requests_total[1m]))') });
    expectDiagnostic(r, { code: 'invalid-duration', path: `${base}.lookback` });
    expectDiagnostic(r, { code: 'out-of-range', path: 'spec.metrics[1].provider.sequential.alpha', line: lineOf(bad, 'alpha: 2') });
  });

  it('a judge without metrics, a count metric with a query, and a typo are reported', () => {
    const bad = TEMPLATE.replace('              test: count\n', '              test: count\n              query: up{role="${role}"}\n').replace('scoreThresholds:', 'scoreTresholds:');
    const r = parseYaml(bad);
    expectDiagnostic(r, { code: 'invalid-provider', path: 'spec.metrics[0].provider.judge.metrics[1].query' });
    const typo = expectDiagnostic(r, { code: 'unknown-field', path: 'spec.metrics[0].provider.judge.scoreTresholds' });
    expect(typo.hint).toBe('did you mean "scoreThresholds"?');
    const none = parseYaml(TEMPLATE.replace(/ {10}metrics:\n[\s\S]*?groups: \[errors\]\n(?= {4}- name: sequential)/, '          metrics: []\n'));
    expectDiagnostic(none, { code: 'missing-field', path: 'spec.metrics[0].provider.judge.metrics' });
  });
});
