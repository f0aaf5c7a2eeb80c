/**
 * Acceptance: setHeaderRoute, setMirrorRoute and setCanaryScale with Istio traffic routing
 * (argo-semantics.md "Canary: steps" and "Canary: replicas"), seen in the simulate timeline.
 */
import { describe, expect, it } from 'vitest';
import { events, routedCanary, simulate, weights } from './support.js';

const STEPS = `      steps:
      - setCanaryScale: {replicas: 1}
      - setHeaderRoute:
          name: beta
          match: [{headerName: x-beta, headerValue: {exact: "1"}}]
      - setMirrorRoute:
          name: mirror
          match: [{method: {exact: GET}}]
          percentage: 35
      - pause: {duration: 10s}
      - setWeight: 50
      - setCanaryScale: {weight: 75}
      - pause: {duration: 10s}
      - setHeaderRoute: {name: beta}
      - setCanaryScale: {matchTrafficWeight: true}
      - pause: {}
`;

const ROLLOUT = routedCanary(STEPS, { managedRoutes: ['beta', 'mirror'], replicas: 4 });

/** `[t, replicas]` of the canary (revision 2) scale changes. */
const canaryScale = (r: Awaited<ReturnType<typeof simulate>>['result']): [number, number][] =>
  events(r, 'Scaled')
    .filter((e) => e.revision === 2)
    .map((e) => [e.t, e.replicas as number]);

describe('managed routes and setCanaryScale', () => {
  it('header and mirror routes complete at once, a route without match is removed, the rest go at promotion', async () => {
    const { exitCode, result } = await simulate(ROLLOUT, 'update: {image: "shop:v2"}\nactions:\n- {at: 60s, do: promote}\n');
    expect(events(result, 'HeaderRouteSet')).toEqual([
      { t: 0, type: 'HeaderRouteSet', name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: '1' } }] },
    ]);
    // percentage as written (35); the step completes at once, so the pause starts at 0.
    expect(events(result, 'MirrorRouteSet')).toEqual([{ t: 0, type: 'MirrorRouteSet', name: 'mirror', match: [{ method: { exact: 'GET' } }], percentage: 35 }]);
    expect(events(result, 'StepCompleted').map((e) => [e.t, e.step])).toEqual([
      [0, 'setCanaryScale{replicas: 1}'],
      [0, 'setHeaderRoute: beta'],
      [0, 'setMirrorRoute: mirror'],
      [10, 'pause: 10s'],
      [10, 'setWeight: 50'],
      [10, 'setCanaryScale{weight: 75}'],
      [20, 'pause: 10s'],
      [20, 'setHeaderRoute: beta'],
      [20, 'setCanaryScale{matchTrafficWeight: true}'],
      [60, 'pause'],
    ]);
    expect(events(result, 'ManagedRoutesRemoved').map((e) => [e.t, e.names])).toEqual([
      [20, ['beta']],
      [60, ['mirror']],
    ]);
    expect(events(result, 'Promoted').map((e) => e.t)).toEqual([60]);
    expect(exitCode).toBe(0);
  });

  it('setCanaryScale stays in force over setWeight until matchTrafficWeight', async () => {
    const { result } = await simulate(ROLLOUT, 'update: {image: "shop:v2"}\nactions:\n- {at: 60s, do: promote}\n');
    // replicas: 1 -> 1 pod; setWeight 50 leaves it at 1 (the scale is still in force) while
    // traffic goes to 50 %; weight: 75 -> ceil(0.75 * 4) = 3; matchTrafficWeight -> ceil(0.5 * 4) = 2;
    // all 4 after the last step.
    expect(canaryScale(result)).toEqual([
      [0, 1],
      [10, 3],
      [20, 2],
      [60, 4],
    ]);
    expect(weights(result)).toEqual([
      [10, 50],
      [60, 100],
    ]);
  });

  it('an abort removes the routes left, sets weight 0 and scales the canary down after 30 s', async () => {
    const { exitCode, result } = await simulate(ROLLOUT, 'update: {image: "shop:v2"}\nactions:\n- {at: 60s, do: abort}\n- {at: 5m, do: resume}\n');
    expect(events(result, 'ManagedRoutesRemoved').map((e) => [e.t, e.names])).toEqual([
      [20, ['beta']],
      [60, ['mirror']],
    ]);
    expect(weights(result)).toEqual([
      [10, 50],
      [60, 0],
    ]);
    expect(canaryScale(result).slice(-1)).toEqual([[90, 0]]);
    expect(events(result, 'ScaledDown').map((e) => e.t)).toEqual([90]);
    expect(exitCode).toBe(1);
  });

  it('setMirrorRoute without percentage mirrors 100 %', async () => {
    const rollout = routedCanary(
      `      steps:
      - setMirrorRoute: {name: mirror, match: [{path: {prefix: /api}}]}
      - pause: {}
`,
      { managedRoutes: ['mirror'] },
    );
    const { result } = await simulate(rollout, 'update: {image: "shop:v2"}\nuntil: 10m\n');
    expect(events(result, 'MirrorRouteSet')).toEqual([{ t: 0, type: 'MirrorRouteSet', name: 'mirror', match: [{ path: { prefix: '/api' } }], percentage: 100 }]);
    expect(result).toMatchObject({ phase: 'Paused', stepIndex: 1 });
  });
});
