import { describe, expect, it } from 'vitest';
import { initialRolloutState, type RolloutStatus } from '../../core/rollout/index.js';
import { parseManifests } from '../../core/spec/index.js';
import { argoRolloutStatus, argoTime, invalidSpecStatus, mergePatch } from './rollout-status.js';

const rollout = parseManifests([
  {
    path: 'r.yaml',
    text: `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: ns}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:2}]}
  strategy:
    canary:
      canaryService: web-canary
      stableService: web
      trafficRouting: {istio: {virtualService: {name: web}}}
      steps: [{setWeight: 25}, {pause: {}}, {setWeight: 75}]
`,
  },
]).set.rollouts[0]!;

const base: RolloutStatus = { phase: 'Paused', message: 'CanaryPauseStep', stepIndex: 1, stepCount: 3, canaryWeight: 25, stableRevision: 1, currentRevision: 2, aborted: false, replicas: 5, updatedReplicas: 1, availableReplicas: 5 };

describe('Argo Rollout status projection', () => {
  it('writes the fields kubectl, the plugin and ArgoCD read', () => {
    const state = { ...initialRolloutState(), stableHash: 'aaa', currentHash: 'bbb', currentStepIndex: 1, stepsHash: 'sss', canaryWeight: 25, pauseConditions: [{ reason: 'CanaryPauseStep' as const, startTime: Date.UTC(2026, 0, 1, 10) }], controllerPause: true };
    const st = argoRolloutStatus({ rollout, generation: 3, state, status: base, runs: [], observed: [{ hash: 'aaa', replicas: 4, readyReplicas: 4, availableReplicas: 4 }, { hash: 'bbb', replicas: 1, readyReplicas: 1, availableReplicas: 1 }], previous: undefined, now: Date.UTC(2026, 0, 1, 10, 0, 1) });
    expect(st).toMatchObject({
      phase: 'Paused',
      message: 'CanaryPauseStep',
      observedGeneration: '3',
      currentPodHash: 'bbb',
      stableRS: 'aaa',
      currentStepIndex: 1,
      currentStepHash: 'sss',
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T10:00:00Z' }],
      controllerPause: true,
      abort: false,
      replicas: 5,
      updatedReplicas: 1,
      readyReplicas: 5,
      availableReplicas: 5,
      selector: 'app=web',
      canary: { weights: { canary: { weight: 25, podTemplateHash: 'bbb', serviceName: 'web-canary' }, stable: { weight: 75, podTemplateHash: 'aaa', serviceName: 'web' }, verified: true } },
    });
    expect(st.conditions?.find((c) => c.type === 'Paused')).toMatchObject({ status: 'True', reason: 'RolloutPaused' });
    expect(st.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'RolloutPaused' });
    expect(st.conditions?.find((c) => c.type === 'Completed')).toMatchObject({ status: 'False', message: 'Rollout not completed, started update to revision 2 (bbb)' });
  });

  it('keeps a condition\'s times while it holds, and moves lastTransitionTime when its status changes', () => {
    const state = { ...initialRolloutState(), stableHash: 'aaa', currentHash: 'aaa' };
    const healthy: RolloutStatus = { ...base, phase: 'Healthy', message: '', updatedReplicas: 4, replicas: 4, availableReplicas: 4 };
    const input = { rollout, generation: 1, state, status: healthy, runs: [], observed: [], previous: undefined, now: 1_000_000 };
    const first = argoRolloutStatus(input);
    const again = argoRolloutStatus({ ...input, previous: first, now: 2_000_000 });
    expect(again.conditions).toEqual(first.conditions);
    const degraded = argoRolloutStatus({ ...input, state: { ...state, aborted: true }, status: { ...healthy, phase: 'Degraded', message: 'RolloutAborted: Rollout aborted update to revision 2' }, previous: first, now: 3_000_000 });
    const healthyCond = degraded.conditions?.find((c) => c.type === 'Healthy');
    expect(healthyCond).toMatchObject({ status: 'False', lastTransitionTime: argoTime(3_000_000) });
    expect(degraded.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'RolloutAborted', message: 'Rollout aborted update to revision 2' });
  });

  it('InvalidSpec: Degraded with the condition and the problem as message', () => {
    const st = invalidSpecStatus('Rollout ns/web spec.strategy: required', 4, undefined, 0);
    expect(st).toMatchObject({ phase: 'Degraded', message: 'InvalidSpec: Rollout ns/web spec.strategy: required', observedGeneration: '4' });
    expect(st.conditions).toEqual([expect.objectContaining({ type: 'InvalidSpec', status: 'True', reason: 'InvalidSpec' })]);
  });
});

describe('mergePatch (RFC 7386, only what changed)', () => {
  it('sends changed and new fields, null for removed ones, nothing for equal ones', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { a: 1, b: { c: 2, d: 4 }, e: [1, 2], f: 'x' })).toEqual({ b: { d: 4 }, e: [1, 2], f: 'x' });
    expect(mergePatch({ a: 1, b: 2 }, { a: 1 })).toEqual({ b: null });
    expect(mergePatch({ a: { b: 1 } }, { a: { b: 1 } })).toBeUndefined();
    expect(mergePatch({ abort: false }, { abort: true })).toEqual({ abort: true });
  });
});
