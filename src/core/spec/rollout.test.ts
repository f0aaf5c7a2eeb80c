import { describe, expect, it } from 'vitest';
import { canaryRollout, expectClean, expectDiagnostic, lineOf, parseYaml } from '../../../test/spec/kit.js';

function blueGreen(body: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:v1"}]
  strategy:
    blueGreen:
${body
  .split('\n')
  .map((l) => (l ? `      ${l}` : l))
  .join('\n')}
---
apiVersion: v1
kind: Service
metadata: {name: web-active}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-preview}
spec: {selector: {app: web}, ports: [{port: 80}]}
`;
}

describe('Rollout spec', () => {
  it('reports a selector that does not match the template labels, at the labels', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]').replace('labels: {app: shop}', 'labels: {app: other}');
    const d = expectDiagnostic(parseYaml(text), { code: 'selector-mismatch', path: 'spec.template.metadata.labels', line: lineOf(text, 'labels: {app: other}') });
    expect(d.message).toBe('`selector` does not match template `labels`');
  });

  it('honours matchExpressions', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]').replace(
      'matchLabels: {app: shop}',
      'matchExpressions: [{key: app, operator: In, values: [shop, web]}, {key: tier, operator: DoesNotExist}]',
    );
    expectClean(parseYaml(text));
    const bad = text.replace('operator: DoesNotExist', 'operator: Exists');
    expectDiagnostic(parseYaml(bad), { code: 'selector-mismatch' });
  });

  it('requires a selector when there is no workloadRef', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]').replace('  selector:\n    matchLabels: {app: shop}\n', '');
    const d = expectDiagnostic(parseYaml(text), { code: 'missing-field', path: 'spec.selector', line: lineOf(text, 'spec:') });
    expect(d.message).toBe("Rollout has missing field '.spec.selector'");
  });

  it('requires a template with at least one container, naming the missing field', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]').replace('      containers:\n      - name: shop\n        image: shop:v1\n', '      containers: []\n');
    expectDiagnostic(parseYaml(text), { code: 'missing-field', path: 'spec.template.spec.containers', line: lineOf(text, 'containers: []') });
    const noImage = canaryRollout('steps: [{setWeight: 5}]').replace('        image: shop:v1\n', '');
    expectDiagnostic(parseYaml(noImage), { code: 'missing-field', path: 'spec.template.spec.containers[0].image', line: lineOf(noImage, '- name: shop') });
  });

  it('hints at unquoting a quoted number or boolean', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]', '  paused: "false"\n').replace('replicas: 3', 'replicas: "3"');
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'invalid-type', path: 'spec.replicas', message: 'expected an integer, got "3"', hint: 'write 3 without quotes' });
    expectDiagnostic(r, { code: 'invalid-type', path: 'spec.paused', hint: 'write false without quotes' });
  });

  it('reports a wrong type with the value it found', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]').replace('replicas: 3', 'replicas: three');
    const d = expectDiagnostic(parseYaml(text), { code: 'invalid-type', path: 'spec.replicas', line: lineOf(text, 'replicas: three') });
    expect(d.message).toBe('expected an integer, got "three"');
  });

  it('rejects both strategies, and neither', () => {
    const both = canaryRollout('steps: [{setWeight: 5}]').replace('  strategy:\n', '  strategy:\n    blueGreen: {activeService: a}\n');
    expectDiagnostic(parseYaml(both), { code: 'invalid-strategy', path: 'spec.strategy', message: 'Multiple Strategies can not be listed' });
    const neither = canaryRollout('').replace('    canary:\n', '    rolling: {}\n');
    expectDiagnostic(parseYaml(neither), { code: 'missing-field', path: 'spec.strategy' });
  });

  it('requires progressDeadlineSeconds > minReadySeconds', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]', '  minReadySeconds: 700\n');
    expectDiagnostic(parseYaml(text), { code: 'invalid-value', path: 'spec.progressDeadlineSeconds' });
  });

  it('applies probe and pod defaults as Kubernetes does', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]').replace('        image: shop:v1\n', '        image: shop:v1\n        readinessProbe: {httpGet: {path: /ready, port: 8080}}\n        livenessProbe: {tcpSocket: {port: 8080}, periodSeconds: 5}\n');
    const r = parseYaml(text);
    expectClean(r);
    const c = r.set.rollouts[0]?.spec.template?.spec.containers[0];
    expect(c?.readinessProbe).toEqual({
      httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' },
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(c?.livenessProbe).toMatchObject({ tcpSocket: { port: 8080 }, periodSeconds: 5, failureThreshold: 3 });
  });

  it('rejects a container name Kubernetes would refuse', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]').replace('- name: shop', '- name: Shop_App');
    expectDiagnostic(parseYaml(text), { code: 'invalid-name', path: 'spec.template.spec.containers[0].name', line: lineOf(text, 'Shop_App') });
  });

  it('rejects a probe with two handlers', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]').replace('        image: shop:v1\n', '        image: shop:v1\n        readinessProbe: {httpGet: {port: 80}, tcpSocket: {port: 80}}\n');
    expectDiagnostic(parseYaml(text), { code: 'invalid-probe', path: 'spec.template.spec.containers[0].readinessProbe' });
  });

  it('rejects template and workloadRef together', () => {
    const text = canaryRollout('steps: [{setWeight: 5}]', '  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: shop}\n');
    expectDiagnostic(parseYaml(text), { code: 'template-with-workload-ref', path: 'spec.template' });
  });
});

describe('blue/green', () => {
  it('applies the defaults', () => {
    const r = parseYaml(blueGreen('activeService: web-active\npreviewService: web-preview'));
    expectClean(r);
    expect(r.set.rollouts[0]?.spec.strategy).toEqual({
      type: 'blueGreen',
      activeService: 'web-active',
      previewService: 'web-preview',
      autoPromotionEnabled: true,
      autoPromotionSeconds: 0,
      maxUnavailable: '25%',
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
    });
  });

  it('requires activeService', () => {
    const text = blueGreen('previewService: web-preview');
    expectDiagnostic(parseYaml(text), { code: 'missing-field', path: 'spec.strategy.blueGreen.activeService', line: lineOf(text, 'blueGreen:') });
  });

  it('rejects activeService equal to previewService', () => {
    const text = blueGreen('activeService: web-active\npreviewService: web-active');
    const d = expectDiagnostic(parseYaml(text), { code: 'duplicate-service', path: 'spec.strategy.blueGreen.activeService', line: lineOf(text, 'activeService: web-active') });
    expect(d.message).toContain('same service for the active and preview services');
  });

  it('reads pre- and post-promotion analysis', () => {
    const text = blueGreen('activeService: web-active\nautoPromotionEnabled: false\nprePromotionAnalysis:\n  templates: [{templateName: smoke}]\n  args: [{name: svc, value: web-preview}]\npostPromotionAnalysis:\n  templates: [{templateName: smoke}]\n  args: [{name: svc, value: web-active}]') +
      `---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: smoke}
spec:
  args: [{name: svc}]
  metrics:
  - name: up
    provider: {web: {url: "http://{{args.svc}}/health"}}
`;
    const r = parseYaml(text);
    expectClean(r);
    const s = r.set.rollouts[0]?.spec.strategy;
    expect(s?.type === 'blueGreen' && [s.autoPromotionEnabled, s.prePromotionAnalysis?.args, s.postPromotionAnalysis?.templates]).toEqual([
      false,
      [{ name: 'svc', value: 'web-preview' }],
      [{ templateName: 'smoke', clusterScope: false }],
    ]);
  });

  it('rejects a podTemplateHashValue other than Stable or Latest', () => {
    const text = blueGreen('activeService: web-active\nprePromotionAnalysis:\n  templates: [{templateName: smoke}]\n  args: [{name: hash, valueFrom: {podTemplateHashValue: Newest}}]');
    expectDiagnostic(parseYaml(text), { code: 'invalid-value', path: 'spec.strategy.blueGreen.prePromotionAnalysis.args[0].valueFrom.podTemplateHashValue' });
  });
});
