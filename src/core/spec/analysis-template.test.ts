import { describe, expect, it } from 'vitest';
import { expectClean, expectDiagnostic, lineOf, parseYaml } from '../../../test/spec/kit.js';

/** An AnalysisTemplate whose metrics list is `metrics` (indented under `metrics:`). */
function template(metrics: string, extra = ''): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: checks
spec:
${extra}  metrics:
${metrics
  .split('\n')
  .map((l) => (l ? `  ${l}` : l))
  .join('\n')}
`;
}

const PROM = 'provider:\n    prometheus: {address: "http://p:9090", query: up}';

describe('AnalysisTemplate', () => {
  it('keeps count, limits and durations as written and leaves unset limits undefined', () => {
    const r = parseYaml(template(`- name: rate\n  interval: 30s\n  count: 3\n  failureLimit: 1\n  successCondition: result[0] <= 0.05\n  ${PROM}`));
    expectClean(r);
    const m = r.set.analysisTemplates[0]?.spec.metrics[0];
    expect(m).toEqual({
      name: 'rate',
      interval: '30s',
      count: 3,
      failureLimit: 1,
      successCondition: 'result[0] <= 0.05',
      providerKeys: ['prometheus'],
      provider: { type: 'prometheus', address: 'http://p:9090', query: 'up', insecure: false, headers: [] },
    });
  });

  it('applies the web provider defaults (GET, 10 s, {$})', () => {
    const r = parseYaml(template('- name: smoke\n  provider:\n    web: {url: "http://x/health"}'));
    expectClean(r);
    expect(r.set.analysisTemplates[0]?.spec.metrics[0]?.provider).toEqual({
      type: 'web',
      url: 'http://x/health',
      method: 'GET',
      headers: [],
      timeoutSeconds: 10,
      jsonPath: '{$}',
      insecure: false,
    });
  });

  it('reads a job provider with its pod template', () => {
    const r = parseYaml(template('- name: migrate\n  provider:\n    job:\n      spec:\n        template:\n          spec:\n            containers: [{name: m, image: busybox, command: [sh, -c, "exit 0"]}]'));
    expectClean(r);
    const p = r.set.analysisTemplates[0]?.spec.metrics[0]?.provider;
    expect(p?.type).toBe('job');
    if (p?.type === 'job') {
      expect(p.template.spec.containers[0]?.command).toEqual(['sh', '-c', 'exit 0']);
      expect(p.backoffLimit).toBe(6);
    }
  });

  it('reports no provider and several providers', () => {
    const text = template(`- name: none\n  provider: {}\n- name: two\n  provider:\n    prometheus: {address: a, query: up}\n    web: {url: "http://x"}`);
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'no-provider', path: 'spec.metrics[0].provider', line: lineOf(text, 'provider: {}') });
    const d = expectDiagnostic(r, { code: 'multiple-providers', path: 'spec.metrics[1].provider' });
    expect(d.message).toContain('prometheus, web');
  });

  it('warns that a provider Argo knows is not supported by Baton, and keeps it as unsupported', () => {
    const text = template('- name: dd\n  provider:\n    datadog: {query: "avg:x"}');
    const r = parseYaml(text);
    const d = expectDiagnostic(r, { code: 'unsupported-provider', severity: 'warning', path: 'spec.metrics[0].provider.datadog' });
    expect(d.message).toContain('not supported by Baton');
    expect(r.set.analysisTemplates[0]?.spec.metrics[0]?.provider).toMatchObject({ type: 'unsupported', name: 'datadog' });
  });

  it('rejects a provider Argo does not know either, suggesting the closest', () => {
    const text = template('- name: p\n  provider:\n    prometheous: {address: "http://p:9090", query: up}');
    const d = expectDiagnostic(parseYaml(text), { code: 'unknown-provider', severity: 'error', path: 'spec.metrics[0].provider.prometheous', line: lineOf(text, 'prometheous') });
    expect(d.hint).toBe('did you mean "prometheus"?');
  });

  it('rejects failureLimit below -1 and accepts -1', () => {
    expectClean(parseYaml(template(`- name: a\n  failureLimit: -1\n  ${PROM}`)));
    const text = template(`- name: a\n  failureLimit: -2\n  ${PROM}`);
    expectDiagnostic(parseYaml(text), { code: 'out-of-range', path: 'spec.metrics[0].failureLimit', line: lineOf(text, 'failureLimit') });
  });

  it('rejects negative inconclusive, consecutiveError and consecutiveSuccess limits', () => {
    const r = parseYaml(template(`- name: a\n  inconclusiveLimit: -1\n  consecutiveErrorLimit: -1\n  consecutiveSuccessLimit: -1\n  ${PROM}`));
    for (const key of ['inconclusiveLimit', 'consecutiveErrorLimit', 'consecutiveSuccessLimit']) {
      expectDiagnostic(r, { code: 'out-of-range', path: `spec.metrics[0].${key}` });
    }
  });

  it('requires count >= failureLimit + consecutiveSuccessLimit and >= inconclusiveLimit', () => {
    expectClean(parseYaml(template(`- name: a\n  interval: 1m\n  count: 3\n  failureLimit: 1\n  consecutiveSuccessLimit: 2\n  ${PROM}`)));
    const text = template(`- name: a\n  interval: 1m\n  count: 3\n  failureLimit: 2\n  consecutiveSuccessLimit: 2\n  ${PROM}\n- name: b\n  interval: 1m\n  count: "2"\n  inconclusiveLimit: 3\n  ${PROM}`);
    const r = parseYaml(text);
    const first = r.diagnostics.filter((d) => d.code === 'invalid-count');
    expect(first.map((d) => [d.path, d.line])).toEqual([
      ['spec.metrics[0].count', lineOf(text, 'count: 3')],
      ['spec.metrics[1].count', lineOf(text, 'count: "2"')],
    ]);
    expect(first[0]?.message).toBe('count (3) must be >= failureLimit + consecutiveSuccessLimit (4)');
  });

  it('skips the count check when a limit comes from {{args.x}}', () => {
    expectClean(parseYaml(template(`- name: a\n  interval: 1m\n  count: 3\n  failureLimit: "{{args.limit}}"\n  ${PROM}`, '  args: [{name: limit}]\n')));
  });

  it('requires an interval when count > 1', () => {
    const text = template(`- name: a\n  count: 2\n  ${PROM}`);
    const d = expectDiagnostic(parseYaml(text), { code: 'missing-interval', path: 'spec.metrics[0].interval' });
    expect(d.message).toBe('interval must be specified when count > 1');
    expect(d.line).toBe(lineOf(text, '- name: a'));
  });

  it('checks interval and initialDelay are Go durations unless they hold {{args.}}', () => {
    const text = template(`- name: a\n  interval: 5 minutes\n  initialDelay: 10x\n  ${PROM}\n- name: b\n  interval: "{{args.every}}"\n  ${PROM}`, '  args: [{name: every, value: 1m}]\n');
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'invalid-duration', path: 'spec.metrics[0].interval', line: lineOf(text, '5 minutes') });
    expectDiagnostic(r, { code: 'invalid-duration', path: 'spec.metrics[0].initialDelay', line: lineOf(text, '10x') });
    expect(r.diagnostics.filter((d) => d.path.startsWith('spec.metrics[1]'))).toEqual([]);
    expect(r.set.analysisTemplates[0]?.spec.metrics[1]?.interval).toBe('{{args.every}}');
  });

  it('rejects a count that is neither an integer nor {{args.x}}', () => {
    expectDiagnostic(parseYaml(template(`- name: a\n  count: three\n  ${PROM}`)), { code: 'invalid-value', path: 'spec.metrics[0].count' });
  });

  it('reports {{args.x}} not declared in spec.args, at the string that uses it', () => {
    const text = template('- name: a\n  provider:\n    prometheus:\n      address: "http://p:9090"\n      query: up{job="{{ args.job }}", ns="{{args.namespace}}"}', '  args: [{name: namespace}]\n');
    const r = parseYaml(text);
    const d = expectDiagnostic(r, { code: 'undeclared-arg', path: 'spec.metrics[0].provider.prometheus.query', line: lineOf(text, 'query:') });
    expect(d.message).toBe('{{args.job}} is not declared in spec.args');
  });

  it('reports duplicate metric names at the second one', () => {
    const text = template(`- name: a\n  ${PROM}\n- name: a\n  ${PROM}`);
    expectDiagnostic(parseYaml(text), { code: 'duplicate-metric', path: 'spec.metrics[1].name', line: lineOf(text, '- name: a', 2) });
  });

  it('requires at least one metric', () => {
    const text = 'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: x}\nspec:\n  metrics: []\n';
    expectDiagnostic(parseYaml(text), { code: 'no-metrics', path: 'spec.metrics', line: 5 });
  });

  it('rejects an argument with both value and valueFrom', () => {
    const text = template(`- name: a\n  ${PROM}`, '  args:\n  - name: key\n    value: x\n    valueFrom: {secretKeyRef: {name: s, key: k}}\n');
    expectDiagnostic(parseYaml(text), { code: 'invalid-arg', path: 'spec.args[0]' });
  });

  it('compiles conditions through the checker and reports what it says, skipping {{args.}} conditions', () => {
    const checker = (src: string) => (src.includes('>>') ? 'unexpected token ">"' : undefined);
    const text = template(`- name: a\n  successCondition: result >> 1\n  failureCondition: result > 2\n  ${PROM}\n- name: b\n  successCondition: result >> {{args.x}}\n  ${PROM}`, '  args: [{name: x, value: "1"}]\n');
    const r = parseYaml(text, { checkCondition: checker });
    const d = expectDiagnostic(r, { code: 'invalid-condition', path: 'spec.metrics[0].successCondition', line: lineOf(text, 'result >> 1') });
    expect(d.message).toBe('does not compile: unexpected token ">"');
  });

  it('reads a ClusterAnalysisTemplate the same way', () => {
    const r = parseYaml(template(`- name: a\n  ${PROM}`).replace('kind: AnalysisTemplate', 'kind: ClusterAnalysisTemplate'));
    expectClean(r);
    expect(r.set.clusterAnalysisTemplates.map((t) => t.metadata.name)).toEqual(['checks']);
  });
});

describe('conditions, checked by the condition language by default', () => {
  it('accepts the conditions Argo users write', () => {
    for (const cond of ['result[0] >= 0.8', 'len(result) > 0 && all(result, {# < 0.5})', 'asFloat(result) <= 0.05', 'result == "ok"', 'isNaN(result) || result < 1']) {
      expectClean(parseYaml(template(`- name: a\n  successCondition: '${cond}'\n  ${PROM}`)));
    }
  });

  it('reports a condition that does not compile, and one naming an unknown variable', () => {
    const text = template(`- name: a\n  successCondition: result[0] <=\n  ${PROM}\n- name: b\n  failureCondition: reslt > 1\n  ${PROM}`);
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'invalid-condition', path: 'spec.metrics[0].successCondition', line: lineOf(text, 'result[0] <=') });
    const d = expectDiagnostic(r, { code: 'invalid-condition', path: 'spec.metrics[1].failureCondition', line: lineOf(text, 'reslt') });
    expect(d.message).toContain('unknown name reslt');
  });
});

describe('addresses and patterns', () => {
  it('checks prometheus addresses and web URLs are http(s) URLs unless they hold {{args.}}', () => {
    const text = template('- name: a\n  provider: {prometheus: {address: "prometheus:9090", query: up}}\n- name: b\n  provider: {web: {url: "ftp://x/y"}}\n- name: c\n  provider: {web: {url: "http://{{args.host}}/health"}}', '  args: [{name: host, value: x}]\n');
    const r = parseYaml(text);
    expect(r.diagnostics.map((d) => [d.code, d.path, d.line])).toEqual([
      ['invalid-url', 'spec.metrics[0].provider.prometheus.address', lineOf(text, 'prometheus:9090')],
      ['invalid-url', 'spec.metrics[1].provider.web.url', lineOf(text, 'ftp://')],
    ]);
  });

  it('checks dryRun and measurementRetention metric names are regular expressions', () => {
    const text = template(`- name: a\n  ${PROM}`, '  dryRun: [{metricName: "error-(rate"}]\n  measurementRetention: [{metricName: ".*", limit: 5}]\n');
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'invalid-regex', path: 'spec.dryRun[0].metricName', line: lineOf(text, 'error-(rate') });
    expect(r.set.analysisTemplates[0]?.spec.measurementRetention).toEqual([{ metricName: '.*', limit: 5 }]);
  });
});
