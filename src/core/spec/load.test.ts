import { describe, expect, it } from 'vitest';
import { expectClean, expectDiagnostic, lineOf, parseYaml } from '../../../test/spec/kit.js';
import { parseManifests } from './load.js';

describe('parseManifests', () => {
  it('reads several documents and files, recording where each starts', () => {
    const a = 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n---\n# comment only\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: prod}\nspec: {ports: [{port: 81, targetPort: http}]}\n';
    const b = '---\napiVersion: v1\nkind: Service\nmetadata: {name: c}\nspec: {}\n';
    const r = parseManifests([
      { path: 'a.yaml', text: a },
      { path: 'b.yaml', text: b },
    ]);
    expectClean(r);
    expect(r.set.services.map((s) => [s.metadata.name, s.source])).toEqual([
      ['a', { file: 'a.yaml', line: 1, column: 1 }],
      ['b', { file: 'a.yaml', line: lineOf(a, 'apiVersion', 2), column: 1 }],
      ['c', { file: 'b.yaml', line: 2, column: 1 }],
    ]);
  });

  it('defaults a Service targetPort to its port, protocol TCP, type ClusterIP', () => {
    const r = parseYaml('apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80}, {port: 81, targetPort: http, protocol: UDP}]\n');
    expect(r.set.services[0]?.spec).toEqual({
      selector: {},
      type: 'ClusterIP',
      ports: [
        { port: 80, targetPort: 80, protocol: 'TCP' },
        { port: 81, targetPort: 'http', protocol: 'UDP' },
      ],
    });
  });

  it('reads a Deployment with Kubernetes defaults', () => {
    const r = parseYaml('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: d, image: "d:1"}]}\n');
    expectClean(r);
    expect(r.set.deployments[0]?.spec).toMatchObject({
      replicas: 1,
      minReadySeconds: 0,
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      paused: false,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
  });

  it('reports YAML syntax errors with their line and still reads the other documents', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: ok}\nspec: {}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\nspec: {}\n';
    const r = parseYaml(text);
    const syntax = r.diagnostics.filter((d) => d.code === 'yaml-syntax');
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax[0]?.line).toBeGreaterThanOrEqual(lineOf(text, 'name: [unclosed'));
    expect(syntax[0]?.message).not.toContain('\n');
    expect(syntax[0]?.message).not.toMatch(/at line \d+/);
    expect(r.set.services.map((s) => s.metadata.name)).toEqual(['ok']);
  });

  it('handles a byte-order mark and CRLF line ends', () => {
    const d = expectDiagnostic(parseYaml('\uFEFFapiVersion: v1\r\nkind: Service\r\nmetadata: {name: a}\r\nspec:\r\n  ports: [{port: 0}]\r\n'), { code: 'out-of-range' });
    expect([d.line, d.column]).toEqual([5, 18]);
  });

  it('reports a duplicate key as a syntax error at its line', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {}\nspec: {}\n';
    const d = expectDiagnostic(parseYaml(text), { code: 'yaml-syntax' });
    expect(d.line).toBe(5);
  });

  it('warns about a kind Baton does not read, naming it', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n';
    const d = expectDiagnostic(parseYaml(text), { code: 'unknown-kind', severity: 'warning', path: 'kind', line: 2 });
    expect(d.message).toContain('ConfigMap (v1)');
  });

  it('accepts the three Istio API versions', () => {
    for (const v of ['v1alpha3', 'v1beta1', 'v1']) {
      const r = parseYaml(`apiVersion: networking.istio.io/${v}\nkind: Gateway\nmetadata: {name: g}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, protocol: HTTP}, hosts: ["*"]}]\n`);
      expectClean(r);
      expect(r.set.gateways[0]?.spec.servers[0]?.port).toEqual({ number: 80, protocol: 'HTTP' });
    }
  });

  it('gives a single Istio destination weight 100 and reads route timeouts in seconds', () => {
    const r = parseYaml('apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  hosts: [a]\n  http:\n  - timeout: 1500ms\n    route: [{destination: {host: a, port: {number: 80}}}]\n');
    expectClean(r);
    expect(r.set.virtualServices[0]?.spec.http[0]).toEqual({ match: [], timeout: 1.5, route: [{ destination: { host: 'a', port: { number: 80 } }, weight: 100 }] });
  });

  it('reads DestinationRule subsets', () => {
    const r = parseYaml('apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: dr}\nspec:\n  host: shop\n  subsets: [{name: stable, labels: {v: "1"}}, {name: canary, labels: {v: "2"}}]\n');
    expectClean(r);
    expect(r.set.destinationRules[0]?.spec.subsets.map((s) => s.name)).toEqual(['stable', 'canary']);
  });

  it('keeps baton.dev documents raw in extensions; a kind Baton does not know is a warning', () => {
    const r = parseYaml('apiVersion: baton.dev/v1alpha1\nkind: Process\nmetadata: {name: p}\nspec: {command: [node, app.js]}\n');
    expectDiagnostic(r, { code: 'unknown-kind', severity: 'warning', line: 1 });
    expect(r.set.extensions).toEqual([
      { apiVersion: 'baton.dev/v1alpha1', kind: 'Process', metadata: { name: 'p', labels: {}, annotations: {} }, spec: { command: ['node', 'app.js'] }, source: { file: 'm.yaml', line: 1, column: 1 } },
    ]);
  });

  it('requires apiVersion, kind and metadata.name', () => {
    const r = parseYaml('kind: Service\nmetadata: {}\n---\napiVersion: v1\nkind: Service\nmetadata: {labels: {a: b}}\nspec: {}\n');
    expectDiagnostic(r, { code: 'missing-field', path: 'apiVersion', line: 1 });
    expectDiagnostic(r, { code: 'missing-field', path: 'metadata.name', line: 6 });
  });

  it('warns about a YAML document that is not a manifest at all', () => {
    expectDiagnostic(parseYaml('rollout: shop\nuntil: 24h\n'), { code: 'not-a-manifest', severity: 'warning', line: 1 });
  });

  it('rejects a document that is not a map', () => {
    expectDiagnostic(parseYaml('- a\n- b\n'), { code: 'invalid-document', line: 1 });
  });

  it('reads the items of a v1 List, with paths into the list', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n  spec: {ports: [{port: 0}]}\n';
    const r = parseYaml(text);
    expect(r.set.services.map((s) => s.metadata.name)).toEqual(['a']);
    expectDiagnostic(r, { code: 'out-of-range', path: 'items[0].spec.ports[0].port', line: 7 });
  });

  it('reports two manifests of one kind with the same name, pointing at the first', () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: dup}\nspec: {}\n';
    const r = parseManifests([
      { path: 'a.yaml', text: svc },
      { path: 'b.yaml', text: svc },
    ]);
    const d = expectDiagnostic(r, { code: 'duplicate-manifest', file: 'b.yaml', line: 3 });
    expect(d.hint).toBe('the first is at a.yaml:3');
  });

  it('reads JSON manifests', () => {
    const r = parseManifests([{ path: 's.json', text: '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "j"},\n "spec": {"ports": [{"port": "80"}]}}' }]);
    expectDiagnostic(r, { code: 'invalid-type', path: 'spec.ports[0].port', line: 2 });
  });

  it('sorts diagnostics by file order, then line', () => {
    const bad = 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  type: 5\n  ports: [{port: -1}]\n';
    const r = parseManifests([
      { path: 'z.yaml', text: bad },
      { path: 'a.yaml', text: bad.replace('name: x', 'name: y') },
    ]);
    expect(r.diagnostics.map((d) => `${d.file}:${d.line}`)).toEqual(['z.yaml:5', 'z.yaml:6', 'a.yaml:5', 'a.yaml:6']);
  });
});

describe('object names', () => {
  it('requires DNS-1123 names, and DNS-1035 labels for Services', () => {
    const r = parseYaml('apiVersion: v1\nkind: Service\nmetadata: {name: 1-svc}\nspec: {}\n---\napiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: My_Template}\nspec: {metrics: [{name: a, provider: {web: {url: "http://x"}}}]}\n');
    expect(r.diagnostics.map((d) => [d.code, d.path, d.line, d.message])).toEqual([
      ['invalid-name', 'metadata.name', 3, '"1-svc" is not a valid Service name'],
      ['invalid-name', 'metadata.name', 8, '"My_Template" is not a valid object name'],
    ]);
    expectClean(parseYaml('apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: 1.checks-v2}\nspec: {metrics: [{name: a, provider: {web: {url: "http://x"}}}]}\n'));
  });
});

describe('YAML features Kubernetes accepts', () => {
  it('expands merge keys and aliases', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports:\n  - &p {port: 80, protocol: TCP}\n  - <<: *p\n    port: 81\n';
    const r = parseYaml(text);
    expectClean(r);
    expect(r.set.services[0]?.spec.ports.map((p) => [p.port, p.protocol])).toEqual([
      [80, 'TCP'],
      [81, 'TCP'],
    ]);
  });
});

describe('Istio validation', () => {
  it('requires VirtualService hosts and a route (or redirect) on each http route', () => {
    const text = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  http:\n  - match: [{uri: {prefix: /old}}]\n    redirect: {uri: /new}\n  - match: [{uri: {prefix: /x}}]\n';
    const r = parseYaml(text);
    expect(r.diagnostics.map((d) => [d.code, d.path, d.line])).toEqual([
      ['missing-field', 'spec.hosts', lineOf(text, 'spec:')],
      ['invalid-route', 'spec.http[1]', lineOf(text, '- match: [{uri: {prefix: /x}}]')],
    ]);
  });
});

describe('API versions', () => {
  it('rejects a kind Baton reads at a version or group spelling it does not read', () => {
    for (const [apiVersion, kind, hint] of [
      ['argoproj.io/v1beta1', 'Rollout', 'use apiVersion: argoproj.io/v1alpha1'],
      ['argopoj.io/v1alpha1', 'AnalysisTemplate', 'use apiVersion: argoproj.io/v1alpha1'],
      ['apps/v1beta2', 'Deployment', 'use apiVersion: apps/v1'],
      ['networking.istio.io/v2', 'VirtualService', 'use apiVersion: networking.istio.io/v1alpha3 or networking.istio.io/v1beta1 or networking.istio.io/v1'],
    ] as const) {
      const r = parseYaml(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\nspec: {}\n`);
      expectDiagnostic(r, { code: 'unsupported-api-version', severity: 'error', path: 'apiVersion', line: 1, hint });
    }
  });

  it('warns only about a same-named kind of another API group', () => {
    for (const apiVersion of ['gateway.networking.k8s.io/v1', 'serving.knative.dev/v1']) {
      const kind = apiVersion.startsWith('gateway') ? 'Gateway' : 'Service';
      const r = parseYaml(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\nspec: {}\n`);
      expectDiagnostic(r, { code: 'unknown-kind', severity: 'warning' });
    }
  });
});
