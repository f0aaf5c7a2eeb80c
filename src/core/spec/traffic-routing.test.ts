import { describe, expect, it } from 'vitest';
import { canaryRollout, errors, parseYaml, SUPPORT } from '../../../test/spec/kit.js';

describe('lint: trafficRouting.maxTrafficWeight', () => {
  const withRouter = (router: string): string =>
    canaryRollout(`canaryService: shop-canary\nstableService: shop\ntrafficRouting:\n  ${router}\n  maxTrafficWeight: 1000\nsteps: [{setWeight: 600}]`) + SUPPORT;

  it('is accepted with nginx and plugins (setWeight up to it), refused with another router, as Argo validates', () => {
    const errorPaths = (router: string): string[] => errors(parseYaml(withRouter(router))).map((d) => d.path);
    expect(errorPaths('nginx: {stableIngress: web}')).toEqual([]);
    expect(errorPaths('plugins: {argoproj-labs/gatewayAPI: {httpRoute: r}}')).toEqual([]);
    expect(errorPaths('smi: {}')).toEqual(['spec.strategy.canary.trafficRouting.maxTrafficWeight']);
  });
});
