import { describe, expect, it } from 'vitest';
import { canaryRollout, expectClean, expectDiagnostic, lineOf, parseYaml, ROUTED, SUPPORT } from '../../../test/spec/kit.js';
import { parseManifests } from './load.js';

const analysisStep = (name: string, extra = '') => `steps:\n- setWeight: 10\n- analysis:\n    templates:\n    - templateName: ${name}\n${extra}`;

describe('analysis template references', () => {
  it('accepts a step whose template is in the files', () => {
    expectClean(parseYaml(canaryRollout(`${ROUTED}${analysisStep('checks')}`) + SUPPORT));
  });

  it('reports a missing AnalysisTemplate at its templateName line', () => {
    const text = canaryRollout(`${ROUTED}${analysisStep('nope')}`) + SUPPORT;
    const d = expectDiagnostic(parseYaml(text), { code: 'template-not-found', path: 'spec.strategy.canary.steps[1].analysis.templates[0].templateName', line: lineOf(text, 'templateName: nope') });
    expect(d.message).toBe('AnalysisTemplate "nope" not found in the given files');
  });

  it('looks in ClusterAnalysisTemplates with clusterScope, and hints when the other kind exists', () => {
    const cluster = SUPPORT.replace('kind: AnalysisTemplate', 'kind: ClusterAnalysisTemplate');
    expectClean(parseYaml(canaryRollout(`${ROUTED}${analysisStep('checks', '      clusterScope: true\n')}`) + cluster));
    const d = expectDiagnostic(parseYaml(canaryRollout(`${ROUTED}${analysisStep('checks')}`) + cluster), { code: 'template-not-found' });
    expect(d.hint).toBe('a ClusterAnalysisTemplate of that name exists: add clusterScope: true');
  });

  it('rejects a step analysis whose metric runs indefinitely (interval, no count)', () => {
    const unbounded = SUPPORT.replace('    count: 3\n', '');
    const text = canaryRollout(`${ROUTED}${analysisStep('checks')}`) + unbounded;
    const d = expectDiagnostic(parseYaml(text), { code: 'runs-indefinitely', path: 'spec.strategy.canary.steps[1].analysis.templates' });
    expect(d.message).toBe('AnalysisTemplate checks has metric error-rate which runs indefinitely. Invalid value for count: <nil>');
    // Background analysis may run unbounded.
    expectClean(parseYaml(canaryRollout(`${ROUTED}analysis: {templates: [{templateName: checks}]}\nsteps: [{setWeight: 10}]`) + unbounded));
  });

  it('reports a template argument without a value that the Rollout does not pass', () => {
    const withArg = SUPPORT.replace('spec:\n  metrics:', 'spec:\n  args: [{name: service}, {name: ns, value: default}]\n  metrics:');
    const text = canaryRollout(`${ROUTED}${analysisStep('checks')}`) + withArg;
    const d = expectDiagnostic(parseYaml(text), { code: 'unresolved-arg', path: 'spec.strategy.canary.steps[1].analysis.args' });
    expect(d.message).toBe('args.service was not resolved');
    expectClean(parseYaml(canaryRollout(`${ROUTED}${analysisStep('checks', '    args: [{name: service, value: shop}]\n')}`) + withArg));
  });

  it('reports a metric name shared by two templates of one analysis', () => {
    const second = `---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: more}
spec:
  metrics:
  - name: error-rate
    provider: {web: {url: "http://x"}}
`;
    const text = canaryRollout(`${ROUTED}${analysisStep('checks')}    - templateName: more\n`) + SUPPORT + second;
    expectDiagnostic(parseYaml(text), { code: 'duplicate-metric', path: 'spec.strategy.canary.steps[1].analysis.templates' });
  });
});

describe('service references', () => {
  it('reports canary and stable services missing from the files', () => {
    const text = canaryRollout(`canaryService: c\nstableService: s\nsteps: [{setWeight: 5}]`);
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'service-not-found', path: 'spec.strategy.canary.canaryService', line: lineOf(text, 'canaryService: c') });
    expectDiagnostic(r, { code: 'service-not-found', path: 'spec.strategy.canary.stableService', line: lineOf(text, 'stableService: s') });
  });

  it('reports blue/green active and preview services missing', () => {
    const text = canaryRollout('').replace('    canary:\n', '    blueGreen: {activeService: a, previewService: p}\n');
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'service-not-found', path: 'spec.strategy.blueGreen.activeService' });
    expectDiagnostic(r, { code: 'service-not-found', path: 'spec.strategy.blueGreen.previewService' });
  });

  it("reports a Service selecting a label the Rollout's pods do not carry, ignoring the pod-template hash", () => {
    const support = SUPPORT.replace('metadata: {name: shop-canary}\nspec:\n  selector: {app: shop}', 'metadata: {name: shop-canary}\nspec:\n  selector: {app: shop, tier: web, rollouts-pod-template-hash: abc}');
    const d = expectDiagnostic(parseYaml(canaryRollout(`${ROUTED}steps: [{setWeight: 5}]`) + support), { code: 'service-selector-mismatch', path: 'spec.strategy.canary.canaryService' });
    expect(d.message).toBe('Service "shop-canary" has unmatch label "tier" in rollout');
    // canaryMetadata labels count for the canary service.
    expectClean(parseYaml(canaryRollout(`${ROUTED}canaryMetadata: {labels: {tier: web}}\nsteps: [{setWeight: 5}]`) + support));
  });
});

describe('Istio references', () => {
  it('warns when the VirtualService is not in the files (it may live in a cluster)', () => {
    const text = canaryRollout(`${ROUTED}steps: [{setWeight: 5}]`) + SUPPORT.replace('name: shop-vs', 'name: other-vs');
    const d = expectDiagnostic(parseYaml(text), { code: 'virtual-service-not-found', severity: 'warning', path: 'spec.strategy.canary.trafficRouting.istio.virtualService.name' });
    expect(d.line).toBe(lineOf(text, 'virtualService: {name: shop-vs}'));
  });

  it('reports a named route missing from the VirtualService, citing where the VirtualService is', () => {
    const routed = ROUTED.replace('virtualService: {name: shop-vs}', 'virtualService: {name: shop-vs, routes: [primary, secondary]}');
    const text = canaryRollout(`${routed}steps: [{setWeight: 5}]`) + SUPPORT;
    const r = parseManifests([{ path: 'r.yaml', text }]);
    const d = expectDiagnostic(r, { code: 'route-not-found' });
    expect(d.message).toBe("Istio VirtualService has invalid HTTP routes. Error: Route 'secondary' is not found");
    expect(d.hint).toContain(`r.yaml:${lineOf(text, '  http:')}`);
  });

  it('requires named routes when the VirtualService has several http routes', () => {
    const two = SUPPORT.replace('  http:\n', '  http:\n  - name: api\n    route: [{destination: {host: api}}]\n');
    const d = expectDiagnostic(parseYaml(canaryRollout(`${ROUTED}steps: [{setWeight: 5}]`) + two), { code: 'route-not-found' });
    expect(d.message).toContain('must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes');
    const named = ROUTED.replace('{name: shop-vs}', '{name: shop-vs, routes: [primary]}');
    expectClean(parseYaml(canaryRollout(`${named}steps: [{setWeight: 5}]`) + two));
  });

  it('requires the route to hold destinations for both the canary and the stable service', () => {
    const noCanary = SUPPORT.replace('    - destination: {host: shop-canary}\n      weight: 0\n', '');
    const d = expectDiagnostic(parseYaml(canaryRollout(`${ROUTED}steps: [{setWeight: 5}]`) + noCanary), { code: 'route-destinations' });
    expect(d.message).toBe("Istio VirtualService has invalid HTTP routes. Error: Canary Service 'shop-canary' not found in route");
    // Fully-qualified hosts count by their short name, as Argo's getHost does.
    const fqdn = SUPPORT.replace('{host: shop}', '{host: shop.default.svc.cluster.local}');
    expectClean(parseYaml(canaryRollout(`${ROUTED}steps: [{setWeight: 5}]`) + fqdn));
  });

  it('with a destinationRule checks subsets in the route and in the DestinationRule', () => {
    const routed = `trafficRouting:\n  istio:\n    virtualService: {name: shop-vs}\n    destinationRule: {name: shop-dr, canarySubsetName: canary, stableSubsetName: stable}\n`;
    const vs = SUPPORT.replace('{host: shop}', '{host: shop, subset: stable}').replace('{host: shop-canary}', '{host: shop, subset: canary}');
    const dr = `---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: shop-dr}
spec:
  host: shop
  subsets: [{name: stable, labels: {app: shop}}, {name: canary, labels: {app: shop}}]
`;
    expectClean(parseYaml(canaryRollout(`${routed}steps: [{setWeight: 5}]`) + vs + dr));
    const r = parseYaml(canaryRollout(`${routed}steps: [{setWeight: 5}]`) + vs + dr.replace('{name: canary, labels: {app: shop}}', '{name: next, labels: {app: shop}}'));
    expectDiagnostic(r, { code: 'subset-not-found', path: 'spec.strategy.canary.trafficRouting.istio.destinationRule.name' });
    const missing = parseYaml(canaryRollout(`${routed}steps: [{setWeight: 5}]`) + vs);
    expectDiagnostic(missing, { code: 'destination-rule-not-found', severity: 'warning' });
  });
});

describe('workloadRef', () => {
  const ref = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: shop}
spec:
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: shop-deploy}
  strategy:
    canary:
      steps: [{setWeight: 20}]
`;
  const deployment = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-deploy}
spec:
  replicas: 0
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: shop, image: "shop:v3"}]}
`;

  it('resolves the template and selector from the Deployment in the files', () => {
    const r = parseYaml(ref + deployment);
    expectClean(r);
    expect(r.set.rollouts[0]?.spec.template?.spec.containers[0]?.image).toBe('shop:v3');
    expect(r.set.rollouts[0]?.spec.selector?.matchLabels).toEqual({ app: 'shop' });
  });

  it('warns when the Deployment is not in the files', () => {
    const r = parseYaml(ref);
    expectDiagnostic(r, { code: 'workload-not-found', severity: 'warning', path: 'spec.workloadRef.name', line: lineOf(ref, 'workloadRef') });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});

describe('hints', () => {
  it('suggests a close name for a missing template or service', () => {
    const text = canaryRollout(`canaryService: shop-canry\nstableService: shop\n${analysisStep('chekcs')}`) + SUPPORT;
    const r = parseYaml(text);
    expect(expectDiagnostic(r, { code: 'template-not-found' }).hint).toBe('did you mean "checks"?');
    expect(expectDiagnostic(r, { code: 'service-not-found' }).hint).toBe('did you mean "shop-canary"?');
  });

  it('warns, as Argo passes it as "", about a rollout arg with neither value nor valueFrom', () => {
    const text = canaryRollout(`${ROUTED}${analysisStep('checks', '    args: [{name: service}]\n')}`) + SUPPORT;
    expectDiagnostic(parseYaml(text), { code: 'empty-arg', severity: 'warning', path: 'spec.strategy.canary.steps[1].analysis.args[0]' });
  });
});

describe('service ports', () => {
  it('warns about a named targetPort no container declares', () => {
    const support = SUPPORT.replace('metadata: {name: shop}\nspec:\n  selector: {app: shop}\n  ports: [{port: 80, targetPort: 8080}]', 'metadata: {name: shop}\nspec:\n  selector: {app: shop}\n  ports: [{port: 80, targetPort: http}]');
    const r = parseYaml(canaryRollout(`${ROUTED}steps: [{setWeight: 5}]`) + support);
    expectDiagnostic(r, { code: 'unknown-target-port', severity: 'warning', path: 'spec.strategy.canary.stableService' });
    const named = canaryRollout(`${ROUTED}steps: [{setWeight: 5}]`).replace('        image: shop:v1\n', '        image: shop:v1\n        ports: [{name: http, containerPort: 8080}]\n');
    expectClean(parseYaml(named + support));
  });
});
