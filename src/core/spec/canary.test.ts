import { describe, expect, it } from 'vitest';
import { canaryRollout, expectClean, expectDiagnostic, lineOf, parseYaml, ROUTED, SUPPORT } from '../../../test/spec/kit.js';

const steps = (body: string) => `steps:\n${body}`;

describe('canary steps', () => {
  it('reads every step kind with defaults (setMirrorRoute percentage 100, pause without duration)', () => {
    const text =
      canaryRollout(
        `${ROUTED}  managedRoutes: [{name: hdr}, {name: mirror}]
${steps(`- setWeight: 10
- pause: {duration: 1m30s}
- pause: {}
- analysis: {templates: [{templateName: checks}]}
- setCanaryScale: {replicas: 2}
- setHeaderRoute: {name: hdr, match: [{headerName: x-canary, headerValue: {exact: "1"}}]}
- setMirrorRoute: {name: mirror, match: [{method: {exact: GET}}]}
- setMirrorRoute: {name: mirror}
- setCanaryScale: {matchTrafficWeight: true}`)}`,
      ) + SUPPORT;
    const r = parseYaml(text);
    expectClean(r);
    const s = r.set.rollouts[0]?.spec.strategy;
    expect(s?.type).toBe('canary');
    if (s?.type !== 'canary') return;
    expect(s.steps).toEqual([
      { kind: 'setWeight', weight: 10 },
      { kind: 'pause', duration: 90 },
      { kind: 'pause' },
      { kind: 'analysis', analysis: { templates: [{ templateName: 'checks', clusterScope: false }], args: [], dryRun: [], measurementRetention: [] } },
      { kind: 'setCanaryScale', replicas: 2, matchTrafficWeight: false },
      { kind: 'setHeaderRoute', name: 'hdr', match: [{ headerName: 'x-canary', headerValue: { exact: '1' } }] },
      { kind: 'setMirrorRoute', name: 'mirror', match: [{ method: { exact: 'GET' } }], percentage: 100 },
      { kind: 'setMirrorRoute', name: 'mirror', percentage: 100 },
      { kind: 'setCanaryScale', matchTrafficWeight: true },
    ]);
    expect(s.trafficRouting?.managedRoutes).toEqual(['hdr', 'mirror']);
  });

  it.each([
    ['0', 0],
    ['100', 100],
  ])('accepts setWeight %s', (w, expected) => {
    const r = parseYaml(canaryRollout(steps(`- setWeight: ${w}`)));
    expectClean(r);
    const s = r.set.rollouts[0]?.spec.strategy;
    expect(s?.type === 'canary' && s.steps[0]).toEqual({ kind: 'setWeight', weight: expected });
  });

  it.each(['101', '-1'])('rejects setWeight %s with its line', (w) => {
    const text = canaryRollout(steps(`- pause: {}\n- setWeight: ${w}`));
    const d = expectDiagnostic(parseYaml(text), { code: 'invalid-weight', path: 'spec.strategy.canary.steps[1].setWeight', severity: 'error' });
    expect(d.line).toBe(lineOf(text, `setWeight: ${w}`));
    expect(d.message).toBe('SetWeight needs to be between 0 and 100');
  });

  it('rejects a non-integer setWeight', () => {
    const text = canaryRollout(steps('- setWeight: ten'));
    expectDiagnostic(parseYaml(text), { code: 'invalid-type', path: 'spec.strategy.canary.steps[0].setWeight', line: lineOf(text, 'setWeight') });
  });

  it('rejects an empty step and a step with two kinds, each at its own line', () => {
    const text = canaryRollout(steps('- setWeight: 10\n- {}\n- setWeight: 20\n  pause: {}'));
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'invalid-step', path: 'spec.strategy.canary.steps[1]', line: lineOf(text, '- {}') });
    const two = expectDiagnostic(r, { code: 'invalid-step', path: 'spec.strategy.canary.steps[2]', line: lineOf(text, 'setWeight: 20') });
    expect(two.message).toContain('setWeight and pause');
  });

  it('treats `pause:` with no value as an empty step, as Go does, and hints at `pause: {}`', () => {
    const text = canaryRollout(steps('- pause:'));
    const d = expectDiagnostic(parseYaml(text), { code: 'invalid-step', path: 'spec.strategy.canary.steps[0]' });
    expect(d.hint).toContain('pause: {}');
  });

  it('warns about an unknown step key with a did-you-mean hint', () => {
    const text = canaryRollout(steps('- setWieght: 10'));
    const r = parseYaml(text);
    const d = expectDiagnostic(r, { code: 'unknown-field', path: 'spec.strategy.canary.steps[0].setWieght', severity: 'warning' });
    expect(d.hint).toBe('did you mean "setWeight"?');
    expectDiagnostic(r, { code: 'invalid-step', path: 'spec.strategy.canary.steps[0]' });
  });

  it.each([
    ['30', 30],
    ['"45"', 45],
    ['30s', 30],
    ['1m30s', 90],
    ['1h', 3600],
    ['0', 0],
    ['1500ms', 1],
  ])('reads pause duration %s as %i seconds', (text, seconds) => {
    const r = parseYaml(canaryRollout(steps(`- pause: {duration: ${text}}`)));
    expectClean(r);
    const s = r.set.rollouts[0]?.spec.strategy;
    expect(s?.type === 'canary' && s.steps[0]).toEqual({ kind: 'pause', duration: seconds });
  });

  it.each([
    ['30x', '"30x" is not a duration'],
    ['-5s', 'Duration needs to be greater than 0'],
    ['-1', 'Duration needs to be greater than 0'],
    ['1.5', '1.5 is not a whole number of seconds'],
  ])('rejects pause duration %s', (value, message) => {
    const text = canaryRollout(steps(`- setWeight: 5\n- setWeight: 10\n- pause: {duration: ${value}}`));
    const d = expectDiagnostic(parseYaml(text), { code: 'invalid-duration', path: 'spec.strategy.canary.steps[2].pause.duration' });
    expect(d.message).toBe(message);
    expect(d.line).toBe(lineOf(text, 'pause: {duration'));
  });

  it('formats the pause-duration diagnostic as the style guide shows it', () => {
    const text = canaryRollout(steps('- pause: {duration: 30x}'));
    const d = expectDiagnostic(parseYaml(text, undefined, 'rollout.yaml'), { code: 'invalid-duration' });
    expect(d.hint).toBe('use 30s, 1m, 1h');
    expect(`${d.file}:${d.line} ${d.path}: ${d.message} (${d.hint})`).toBe(
      `rollout.yaml:${lineOf(text, 'duration: 30x')} spec.strategy.canary.steps[0].pause.duration: "30x" is not a duration (use 30s, 1m, 1h)`,
    );
  });

  it('requires trafficRouting for setCanaryScale, setHeaderRoute and setMirrorRoute', () => {
    const text = canaryRollout(steps('- setCanaryScale: {replicas: 1}\n- setHeaderRoute: {name: h}\n- setMirrorRoute: {name: m}'));
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'needs-traffic-routing', path: 'spec.strategy.canary.steps[0].setCanaryScale', line: lineOf(text, 'setCanaryScale') });
    expectDiagnostic(r, { code: 'needs-traffic-routing', path: 'spec.strategy.canary.steps[1].setHeaderRoute', message: 'SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix' });
    expectDiagnostic(r, { code: 'needs-traffic-routing', path: 'spec.strategy.canary.steps[2].setMirrorRoute', message: 'SetMirrorRoute requires TrafficRouting, supports Istio only' });
  });

  it('requires managedRoutes for header and mirror routes, and the route name listed in it', () => {
    const missing = canaryRollout(`${ROUTED}${steps('- setHeaderRoute: {name: hdr}')}`) + SUPPORT;
    expectDiagnostic(parseYaml(missing), { code: 'missing-managed-routes', path: 'spec.strategy.canary.steps[0].setHeaderRoute' });

    const unlisted = canaryRollout(`${ROUTED}  managedRoutes: [{name: other}]\n${steps('- setMirrorRoute: {name: mirror}')}`) + SUPPORT;
    const d = expectDiagnostic(parseYaml(unlisted), { code: 'unmanaged-route', path: 'spec.strategy.canary.steps[0].setMirrorRoute.name', line: lineOf(unlisted, 'setMirrorRoute') });
    expect(d.message).toBe('Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes');
  });

  it('checks header match values hold exactly one of exact, prefix, regex', () => {
    const text =
      canaryRollout(`${ROUTED}  managedRoutes: [{name: h}]\n${steps('- setHeaderRoute: {name: h, match: [{headerName: a, headerValue: {exact: x, prefix: y}}, {headerName: b, headerValue: {}}]}')}`) + SUPPORT;
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'invalid-match', path: 'spec.strategy.canary.steps[0].setHeaderRoute.match[0].headerValue' });
    expectDiagnostic(r, { code: 'invalid-match', path: 'spec.strategy.canary.steps[0].setHeaderRoute.match[1].headerValue' });
  });

  it('reads an experiment step with Argo defaults (replicas 1)', () => {
    const r = parseYaml(
      canaryRollout(`${ROUTED}${steps(`- experiment:
    duration: 5m
    templates: [{name: baseline, specRef: stable, weight: 5}, {name: canary, specRef: canary, replicas: 2, weight: 5}]
    analyses: [{name: cmp, templateName: checks, requiredForCompletion: true, args: [{name: h, value: "{{templates.baseline.podTemplateHash}}"}]}]`)}`) + SUPPORT,
    );
    const s = r.set.rollouts[0]?.spec.strategy;
    expect(s?.type === 'canary' ? s.steps[0] : undefined).toEqual({
      kind: 'experiment',
      experiment: {
        duration: 300,
        dryRun: [],
        templates: [
          { name: 'baseline', specRef: 'stable', replicas: 1, weight: 5 },
          { name: 'canary', specRef: 'canary', replicas: 2, weight: 5 },
        ],
        analyses: [{ name: 'cmp', templateName: 'checks', clusterScope: false, requiredForCompletion: true, args: [{ name: 'h', value: '{{templates.baseline.podTemplateHash}}' }] }],
      },
    });
  });

  it('rejects experiment steps as Argo does: no template, bad specRef, weight without routing, duplicate names', () => {
    expectDiagnostic(parseYaml(canaryRollout(steps('- experiment: {templates: []}'))), { code: 'missing-field', path: 'spec.strategy.canary.steps[0].experiment.templates' });
    expectDiagnostic(parseYaml(canaryRollout(steps('- experiment: {templates: [{name: a, specRef: old}]}'))), { code: 'invalid-value', path: 'spec.strategy.canary.steps[0].experiment.templates[0].specRef' });
    expectDiagnostic(parseYaml(canaryRollout(steps('- experiment: {templates: [{name: a, specRef: stable, weight: 5}]}'))), { code: 'needs-traffic-routing', path: 'spec.strategy.canary.steps[0].experiment.templates[0].weight' });
    expectDiagnostic(parseYaml(canaryRollout(steps('- experiment: {templates: [{name: a, specRef: stable}, {name: a, specRef: canary}]}'))), { code: 'duplicate-name', path: 'spec.strategy.canary.steps[0].experiment.templates[1].name' });
  });

  it('reads the baseline option', () => {
    const r = parseYaml(canaryRollout(`baseline: {enabled: true}
${steps('- setWeight: 10')}`) + SUPPORT);
    expectClean(r);
    const s = r.set.rollouts[0]?.spec.strategy;
    expect(s?.type === 'canary' ? s.baseline : undefined).toEqual({ enabled: true });
  });

  it('reads the baseline annotation, the form a cluster with Argo\'s CRD accepts, and names a bad value', () => {
    const annotated = (value: string) =>
      canaryRollout(steps('- setWeight: 10')).replace('  name: shop\n', `  name: shop\n  annotations: {baton.dev/baseline: ${JSON.stringify(value)}}\n`) + SUPPORT;
    const on = parseYaml(annotated('true'));
    expectClean(on);
    const s = on.set.rollouts[0]?.spec.strategy;
    expect(s?.type === 'canary' ? s.baseline : undefined).toEqual({ enabled: true });
    const off = parseYaml(annotated('false')).set.rollouts[0]?.spec.strategy;
    expect(off?.type === 'canary' ? off.baseline : undefined).toEqual({ enabled: false });
    expectDiagnostic(parseYaml(annotated('yes')), { code: 'invalid-value', path: 'metadata.annotations.baton.dev/baseline' });
  });
});

describe('canary strategy', () => {
  it('applies Argo defaults', () => {
    const r = parseYaml(canaryRollout(steps('- setWeight: 50')));
    expectClean(r);
    const ro = r.set.rollouts[0];
    expect(ro?.spec).toMatchObject({ replicas: 3, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, minReadySeconds: 0, paused: false, progressDeadlineAbort: false });
    expect(ro?.spec.strategy).toMatchObject({ maxSurge: '25%', maxUnavailable: '25%', scaleDownDelaySeconds: 30, abortScaleDownDelaySeconds: 30, dynamicStableScale: false });
    expect(ro?.spec.template?.spec.terminationGracePeriodSeconds).toBe(30);
  });

  it('rejects maxSurge and maxUnavailable both 0, at maxSurge', () => {
    const text = canaryRollout(`maxSurge: 0\nmaxUnavailable: "0%"\n${steps('- setWeight: 50')}`);
    const d = expectDiagnostic(parseYaml(text), { code: 'invalid-surge', path: 'spec.strategy.canary.maxSurge', line: lineOf(text, 'maxSurge: 0') });
    expect(d.message).toBe('MaxSurge and MaxUnavailable both can not be zero');
  });

  it('accepts maxSurge 0 when maxUnavailable is not', () => {
    expectClean(parseYaml(canaryRollout(`maxSurge: 0\nmaxUnavailable: 1\n${steps('- setWeight: 50')}`)));
  });

  it('rejects a malformed percentage', () => {
    const text = canaryRollout(`maxSurge: "25"\n${steps('- setWeight: 50')}`);
    expectDiagnostic(parseYaml(text), { code: 'invalid-value', path: 'spec.strategy.canary.maxSurge' });
  });

  it('rejects the same service as canary and stable', () => {
    const text = canaryRollout(`canaryService: shop\nstableService: shop\n${steps('- setWeight: 50')}`) + SUPPORT;
    const d = expectDiagnostic(parseYaml(text), { code: 'duplicate-service', path: 'spec.strategy.canary.stableService', line: lineOf(text, 'stableService: shop') });
    expect(d.message).toContain('two different services are required');
  });

  it('requires both services with Istio host-level traffic routing', () => {
    const text = canaryRollout(`trafficRouting:\n  istio:\n    virtualService: {name: shop-vs}\n${steps('- setWeight: 50')}`) + SUPPORT;
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'missing-service', path: 'spec.strategy.canary.stableService' });
    expectDiagnostic(r, { code: 'missing-service', path: 'spec.strategy.canary.canaryService' });
  });

  it('rejects scaleDownDelaySeconds and dynamicStableScale without traffic routing', () => {
    const text = canaryRollout(`scaleDownDelaySeconds: 10\ndynamicStableScale: true\n${steps('- setWeight: 50')}`);
    const r = parseYaml(text);
    expectDiagnostic(r, { code: 'needs-traffic-routing', path: 'spec.strategy.canary.scaleDownDelaySeconds', message: 'Canary scaleDownDelaySeconds can only be used with traffic routing' });
    expectDiagnostic(r, { code: 'needs-traffic-routing', path: 'spec.strategy.canary.dynamicStableScale' });
  });

  it('rejects virtualService and virtualServices together', () => {
    const text = canaryRollout(`canaryService: shop-canary\nstableService: shop\ntrafficRouting:\n  istio:\n    virtualService: {name: shop-vs}\n    virtualServices: [{name: shop-vs}]\n${steps('- setWeight: 5')}`) + SUPPORT;
    expectDiagnostic(parseYaml(text), { code: 'invalid-istio', path: 'spec.strategy.canary.trafficRouting.istio' });
  });

  it('warns about traffic routers Baton does not drive', () => {
    const text = canaryRollout(`canaryService: shop-canary\nstableService: shop\ntrafficRouting:\n  nginx: {stableIngress: shop}\n${steps('- setWeight: 5')}`) + SUPPORT;
    const d = expectDiagnostic(parseYaml(text), { code: 'unsupported-traffic-router', severity: 'warning' });
    expect(d.path).toBe('spec.strategy.canary.trafficRouting.nginx');
  });

  it('bounds scaleDownDelayRevisionLimit by revisionHistoryLimit', () => {
    const text = canaryRollout(`scaleDownDelayRevisionLimit: 5\n${steps('- setWeight: 5')}`, '  revisionHistoryLimit: 2\n');
    expectDiagnostic(parseYaml(text), { code: 'invalid-value', path: 'spec.strategy.canary.scaleDownDelayRevisionLimit' });
  });

  it('reads background analysis with startingStep', () => {
    const text = canaryRollout(`analysis:\n  templates: [{templateName: checks}]\n  startingStep: 1\n${steps('- setWeight: 5\n- pause: {}')}`) + SUPPORT;
    const r = parseYaml(text);
    expectClean(r);
    const s = r.set.rollouts[0]?.spec.strategy;
    expect(s?.type === 'canary' && s.analysis?.startingStep).toBe(1);
  });
});
