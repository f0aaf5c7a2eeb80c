import { describe, expect, it } from 'vitest';
import { parseManifests } from './load.js';

const parse = (text: string) => parseManifests([{ path: 'f0.yaml', text }]);

describe('lint: trafficRouting.maxTrafficWeight', () => {
  const rollout = (router: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: shop}
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: app, image: "shop:v1"}]}
  strategy:
    canary:
      stableService: shop
      canaryService: shop-canary
      trafficRouting:
        ${router}
        maxTrafficWeight: 1000
      steps: [{setWeight: 600}]
---
apiVersion: v1
kind: Service
metadata: {name: shop}
spec: {selector: {app: shop}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: shop-canary}
spec: {selector: {app: shop}, ports: [{port: 80}]}
`;

  it('is accepted with nginx and plugins (setWeight up to it), refused with another router, as Argo validates', () => {
    const errorsOf = (router: string) => parse(rollout(router)).diagnostics.filter((d) => d.severity === 'error').map((d) => d.path);
    expect(errorsOf('nginx: {stableIngress: web}')).toEqual([]);
    expect(errorsOf('plugins: {argoproj-labs/gatewayAPI: {httpRoute: r}}')).toEqual([]);
    expect(errorsOf('smi: {}')).toEqual(['spec.strategy.canary.trafficRouting.maxTrafficWeight']);
  });
});
