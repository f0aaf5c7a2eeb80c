/**
 * Helpers for the spec tests: parse YAML snippets, find a diagnostic by code and path, and the
 * line a piece of text sits on (so expected lines follow the fixture, not a hard-coded number).
 */
import { expect } from 'vitest';
import type { Diagnostic } from '../../src/core/spec/diagnostics.js';
import { parseManifests, type ParseOptions, type ParseResult } from '../../src/core/spec/load.js';

export function parseYaml(text: string, options?: ParseOptions, path = 'm.yaml'): ParseResult {
  return parseManifests([{ path, text }], options);
}

/** 1-based line of the first occurrence of `needle` in `text` (the nth with `nth`). */
export function lineOf(text: string, needle: string, nth = 1): number {
  let from = 0;
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, from);
    if (at < 0) throw new Error(`fixture does not contain ${JSON.stringify(needle)}`);
    from = at + 1;
  }
  return text.slice(0, at).split('\n').length;
}

export function errors(r: ParseResult): Diagnostic[] {
  return r.diagnostics.filter((d) => d.severity === 'error');
}

/** The one diagnostic with `code` at `path`; fails the test with the full list otherwise. */
export function expectDiagnostic(r: ParseResult, want: Partial<Diagnostic> & { code: string }): Diagnostic {
  const found = r.diagnostics.filter((d) => d.code === want.code && (want.path === undefined || d.path === want.path));
  expect(found, `diagnostics were:\n${r.diagnostics.map((d) => `${d.line} ${d.path} [${d.code}] ${d.message}`).join('\n')}`).toHaveLength(1);
  const d = found[0] as Diagnostic;
  expect(d).toMatchObject(want);
  return d;
}

export function expectClean(r: ParseResult): void {
  expect(r.diagnostics.map((d) => `${d.line} ${d.path} [${d.code}] ${d.message}`)).toEqual([]);
}

/** A valid canary Rollout with Istio routing; `canary` replaces the strategy body. */
export function canaryRollout(canary: string, extraSpec = ''): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: shop
        image: shop:v1
${extraSpec}  strategy:
    canary:
${canary
  .split('\n')
  .map((l) => (l ? `      ${l}` : l))
  .join('\n')}
`;
}

/** Services `shop` and `shop-canary`, a VirtualService `shop-vs` with one route over both, and
 * an AnalysisTemplate `checks` with one bounded metric. */
export const SUPPORT = `---
apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  selector: {app: shop}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: shop-canary}
spec:
  selector: {app: shop}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: shop-vs}
spec:
  hosts: [shop.local]
  http:
  - name: primary
    route:
    - destination: {host: shop}
      weight: 100
    - destination: {host: shop-canary}
      weight: 0
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: checks}
spec:
  metrics:
  - name: error-rate
    interval: 10s
    count: 3
    successCondition: result[0] < 0.05
    provider:
      prometheus: {address: "http://127.0.0.1:9090", query: "vector(0)"}
`;

export const ROUTED = `canaryService: shop-canary
stableService: shop
trafficRouting:
  istio:
    virtualService: {name: shop-vs}
`;
