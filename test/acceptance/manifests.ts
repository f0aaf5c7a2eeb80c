/**
 * Manifest builders for the acceptance tests: a canary Rollout `shop` (routed through Istio or
 * basic), its Services and VirtualService, and Prometheus AnalysisTemplates.
 */

/** Stable and canary Services plus a VirtualService routing between them. */
export function istioServices(name: string, routes = ''): string {
  return `---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: ${name}}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: ${name}-canary}
spec:
  selector: {app: ${name}}
  ports: [{port: 80}]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: ${name}-vs}
spec:
  hosts: [${name}.local]
  http:
  - name: primary
    route:
    - destination: {host: ${name}}
      weight: 100
    - destination: {host: ${name}-canary}
      weight: 0
${routes}`;
}

/** The Rollout `shop` (image shop:v1) up to `strategy.<strategy>:`. */
function shopRolloutHead(strategy: 'canary' | 'blueGreen', replicas: number): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers: [{name: shop, image: "shop:v1"}]
  strategy:
    ${strategy}:`;
}

/**
 * A canary Rollout `shop` (image shop:v1) with Istio traffic routing; `canary` is the YAML under
 * `strategy.canary` other than the routing fields, indented by 6 spaces.
 */
export function routedCanary(canary: string, opts: { replicas?: number; managedRoutes?: string[]; extra?: string } = {}): string {
  const managed = opts.managedRoutes?.length ? `\n        managedRoutes:\n${opts.managedRoutes.map((n) => `        - name: ${n}`).join('\n')}` : '';
  return `${shopRolloutHead('canary', opts.replicas ?? 4)}
      canaryService: shop-canary
      stableService: shop
      trafficRouting:${managed}
        istio:
          virtualService: {name: shop-vs, routes: [primary]}
${canary}
${istioServices('shop')}${opts.extra ?? ''}`;
}

/** A basic canary Rollout `shop` (no traffic routing). */
export function basicCanary(canary: string, opts: { replicas?: number } = {}): string {
  return `${shopRolloutHead('canary', opts.replicas ?? 4)}
${canary}
`;
}

/**
 * A blue/green Rollout `shop` (image shop:v1) with its Services `shop-active` and `shop-preview`;
 * `blueGreen` is the YAML under `strategy.blueGreen` other than the two Service names, indented
 * by 6 spaces.
 */
export function blueGreenRollout(blueGreen: string, opts: { replicas: number }): string {
  return `${shopRolloutHead('blueGreen', opts.replicas)}
      activeService: shop-active
      previewService: shop-preview
${blueGreen}
---
apiVersion: v1
kind: Service
metadata: {name: shop-active}
spec: {selector: {app: shop}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: shop-preview}
spec: {selector: {app: shop}, ports: [{port: 80}]}
`;
}

/** An AnalysisTemplate with a Prometheus metric per entry (`name`, extra YAML fields). */
export function promTemplate(name: string, metrics: { name: string; fields: string }[], args = ''): string {
  const body = metrics
    .map(
      (m) => `  - name: ${m.name}
${m.fields
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
    provider:
      prometheus:
        address: http://prometheus:9090
        query: up`,
    )
    .join('\n');
  return `---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: ${name}}
spec:
${args}  metrics:
${body}
`;
}

/** The run-name shape Argo uses: `<rollout>-<hash>-<revision>[-<infix>][.<n>]`. */
export function runName(rollout: string, revision: number, infix?: string | number, retry?: number): RegExp {
  const tail = `${infix === undefined ? '' : `-${infix}`}${retry === undefined ? '' : `\\.${retry}`}`;
  return new RegExp(`^${rollout}-[0-9a-z]+-${revision}${tail}$`);
}
