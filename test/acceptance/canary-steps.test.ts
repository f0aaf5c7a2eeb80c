/**
 * Acceptance: canary step kinds through `baton simulate` (argo-semantics.md "Canary: lifecycle"
 * and "Canary: steps"). Times are virtual seconds since the update.
 */
import { describe, expect, it } from 'vitest';
import { basicCanary, events, routedCanary, simulate, weights } from './support.js';

const UPDATE = 'update: {image: "shop:v2"}\n';

describe('pause durations', () => {
  const steps = `      steps:
      - setWeight: 20
      - pause: {duration: 30}
      - setWeight: 40
      - pause: {duration: "30"}
      - setWeight: 60
      - pause: {duration: 1m30s}
      - setWeight: 80
      - pause: {duration: 0}
      - setWeight: 90
      - pause: {}
`;

  it('int seconds, a numeric string, a Go duration and 0 (next tick); no duration holds until `until`', async () => {
    const { exitCode, result } = await simulate(routedCanary(steps), `${UPDATE}until: 1h\n`);
    // 20 at 0; 30 s -> 40 at 30; "30" -> 60 at 60; 1m30s -> 80 at 150; 0 -> 90 at 150; then {} holds.
    expect(weights(result)).toEqual([
      [0, 20],
      [30, 40],
      [60, 60],
      [150, 80],
      [150, 90],
    ]);
    expect(events(result, 'Paused').map((e) => [e.t, e.reason])).toEqual([
      [0, 'CanaryPauseStep'],
      [30, 'CanaryPauseStep'],
      [60, 'CanaryPauseStep'],
      [150, 'CanaryPauseStep'],
      [150, 'CanaryPauseStep'],
    ]);
    expect(exitCode).toBe(2);
    expect(result).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', aborted: false, stepIndex: 9, stepCount: 10, canaryWeight: 90, elapsedSeconds: 3600 });
  });

  it('an indefinite pause completes on promote and the rollout ends Healthy at that time', async () => {
    const { exitCode, result } = await simulate(routedCanary(steps), `${UPDATE}actions:\n- {at: 200s, do: promote}\n`);
    expect(exitCode).toBe(0);
    expect(weights(result).slice(-2)).toEqual([
      [150, 90],
      [200, 100],
    ]);
    expect(events(result, 'Promoted')).toEqual([{ t: 200, type: 'Promoted', revision: 2, reason: 'Completed all 10 canary steps' }]);
    expect(result).toMatchObject({ phase: 'Healthy', message: '', stepIndex: 10, stepCount: 10, canaryWeight: 0, elapsedSeconds: 200 });
  });
});

describe('setWeight', () => {
  const steps = `      steps:
      - setWeight: 25
      - pause: {duration: 10s}
      - setWeight: 50
`;

  it('with readySeconds > 0 completes only once the canary pods are available (traffic-routed)', async () => {
    const { exitCode, result } = await simulate(routedCanary(steps), `${UPDATE}readySeconds: 10\n`);
    // The canary pod for 25 % is ready at 10: weight and step then; pause 10..20; the second pod
    // for 50 % is ready at 30; after the last step all 4 canary pods are ready at 40 -> promoted.
    expect(weights(result)).toEqual([
      [10, 25],
      [30, 50],
      [40, 100],
    ]);
    expect(events(result, 'StepCompleted').map((e) => [e.t, e.step])).toEqual([
      [10, 'setWeight: 25'],
      [20, 'pause: 10s'],
      [30, 'setWeight: 50'],
    ]);
    expect(events(result, 'Promoted').map((e) => e.t)).toEqual([40]);
    expect(exitCode).toBe(0);
    expect(result.elapsedSeconds).toBe(40);
  });

  it('with readySeconds > 0 completes only once the canary pods are available (basic canary)', async () => {
    const { exitCode, result } = await simulate(basicCanary(steps), `${UPDATE}readySeconds: 10\n`);
    expect(events(result, 'StepCompleted').map((e) => [e.t, e.step])).toEqual([
      [10, 'setWeight: 25'],
      [20, 'pause: 10s'],
      [30, 'setWeight: 50'],
    ]);
    expect(events(result, 'Promoted').map((e) => e.t)).toEqual([40]);
    expect(exitCode).toBe(0);
  });

  it('completes at most one step per reconcile: consecutive weights each take effect in order', async () => {
    const { result } = await simulate(
      routedCanary(`      steps:
      - setWeight: 10
      - setWeight: 20
      - setWeight: 30
`),
      UPDATE,
    );
    expect(weights(result)).toEqual([
      [0, 10],
      [0, 20],
      [0, 30],
      [0, 100],
    ]);
    expect(events(result, 'StepCompleted').map((e) => e.index)).toEqual([0, 1, 2]);
  });
});

describe('lifecycle', () => {
  it('a rollout with no steps promotes as soon as the new pods are available', async () => {
    const { exitCode, result } = await simulate(routedCanary('      steps: []\n'), `${UPDATE}readySeconds: 7\n`);
    expect(exitCode).toBe(0);
    expect(events(result, 'Promoted')).toEqual([{ t: 7, type: 'Promoted', revision: 2, reason: 'Completed all 0 canary steps' }]);
    expect(result).toMatchObject({ phase: 'Healthy', stepIndex: 0, stepCount: 0, elapsedSeconds: 7 });
  });

  it('an update back to the stable template skips every step and analysis', async () => {
    const { exitCode, result } = await simulate(
      routedCanary(`      steps:
      - setWeight: 20
      - pause: {}
`),
      'update: {image: "shop:v1"}\n',
    );
    // The "update" leaves the template as it was: nothing to roll out.
    expect(exitCode).toBe(0);
    expect(weights(result)).toEqual([]);
    expect(events(result, 'AnalysisRunStarted')).toEqual([]);
    expect(result).toMatchObject({ phase: 'Healthy', stepIndex: 2, stepCount: 2, elapsedSeconds: 0 });
  });

  it('a Rollout with a workloadRef rolls out the referenced Deployment\'s template', async () => {
    const manifests = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: shop}}
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: shop}
  strategy:
    canary:
      steps:
      - setWeight: 50
      - pause: {duration: 10s}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  replicas: 0
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers: [{name: shop, image: "shop:v1"}]
`;
    const { exitCode, stdout, result } = await simulate(manifests, UPDATE, { json: false });
    expect(exitCode).toBe(0);
    expect(result).toBeUndefined();
    expect(stdout.split('\n')[0]).toBe('Simulating shop: shop:v1 -> shop:v2');
    const json = await simulate(manifests, UPDATE);
    expect(weights(json.result)).toEqual([
      [0, 50],
      [10, 100],
    ]);
    expect(json.result).toMatchObject({ phase: 'Healthy', elapsedSeconds: 10 });
  });

  describe('progress deadline', () => {
    const steps = `      steps:
      - setWeight: 50
      - pause: {duration: 10s}
`;

    it('no progress for progressDeadlineSeconds (600) is Degraded, and the rollout carries on when the pods come up', async () => {
      const { exitCode, result } = await simulate(routedCanary(steps), `${UPDATE}readySeconds: 700\n`);
      const timedOut = (t: number): Record<string, unknown> => ({ t, type: 'Phase', phase: 'Degraded', message: expect.stringMatching(/^ProgressDeadlineExceeded: ReplicaSet "shop-[0-9a-z]+" has timed out progressing\.$/) as unknown });
      // Canary pods asked for at 0 are ready at 700; the last step ends at 710 and the full
      // canary asked for then is ready at 1410, 700 s later: timed out again at 1310.
      expect(events(result, 'Phase').filter((e) => e.phase === 'Degraded')).toEqual([timedOut(600), timedOut(1310)]);
      expect(events(result, 'ProgressDeadlineExceeded').map((e) => e.t)).toEqual([600, 1310]);
      expect(weights(result)).toEqual([
        [700, 50],
        [1410, 100],
      ]);
      expect(exitCode).toBe(0);
      expect(result).toMatchObject({ phase: 'Healthy', aborted: false, elapsedSeconds: 1410 });
    });

    it('with progressDeadlineAbort the rollout aborts at the deadline', async () => {
      const rollout = routedCanary(steps).replace('  replicas: 4\n', '  replicas: 4\n  progressDeadlineSeconds: 120\n  progressDeadlineAbort: true\n');
      const { exitCode, result } = await simulate(rollout, `${UPDATE}readySeconds: 700\n`);
      expect(events(result, 'Aborted').map((e) => e.t)).toEqual([120]);
      expect(exitCode).toBe(1);
      expect(result).toMatchObject({ phase: 'Degraded', aborted: true, elapsedSeconds: 120 });
      expect(result.message).toMatch(/^RolloutAborted: Rollout aborted update to revision 2: ReplicaSet "shop-[0-9a-z]+" has timed out progressing\.$/);
    });
  });
});
