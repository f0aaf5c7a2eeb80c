/**
 * Argo Rollouts behaviours, each taken from one of Argo's own unit or e2e tests (named in the
 * case's scenario.yaml and in the test name), run through `baton simulate` as a user would:
 * `baton simulate -f cases/<case>/manifests.yaml --scenario cases/<case>/scenario.yaml`.
 * Expectations are read off Argo's tests and source (v1.9.1), not off Baton's output.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimulate } from '../../src/cli/commands/simulate.js';
import type { SimulationResult, TimelineEntry } from '../../src/engine/simulate.js';

const CASES = join(import.meta.dirname, 'cases');

async function simulate(name: string, scenario = 'scenario.yaml'): Promise<{ exitCode: number; result: SimulationResult; stderr: string }> {
  const dir = join(CASES, name);
  const out = await runSimulate({ files: [join(dir, 'manifests.yaml')], scenario: join(dir, scenario), json: true });
  return { exitCode: out.exitCode, stderr: out.stderr, result: out.exitCode === 64 ? (undefined as never) : (JSON.parse(out.stdout) as SimulationResult) };
}

const of = (r: SimulationResult, type: string): TimelineEntry[] => r.timeline.filter((e) => e.type === type);
const times = (r: SimulationResult, type: string): number[] => of(r, type).map((e) => e.t);

describe('analysis (rollout/analysis_test.go, test/e2e/analysis_test.go)', () => {
  it('an Inconclusive background run holds the rollout Paused until a person acts (TestCanaryInconclusiveBackgroundAnalysis, TestPausedOnInconclusiveBackgroundAnalysisRun, context.go haltProgress)', async () => {
    const { exitCode, result } = await simulate('background-inconclusive-holds');
    expect(exitCode).toBe(2);
    expect(result).toMatchObject({ phase: 'Paused', message: 'InconclusiveAnalysisRun', aborted: false });
    // inconclusiveLimit 3: the fourth inconclusive measurement (t=15 s) ends the run.
    expect(of(result, 'AnalysisRunCompleted')).toMatchObject([{ t: 15, phase: 'Inconclusive' }]);
    expect(of(result, 'Paused').map((e) => [e.t, e.reason])).toEqual([[0, 'CanaryPauseStep'], [15, 'InconclusiveAnalysisRun']]);
    // The timed pause runs out at 30 s, as in Argo, but nothing scales and nothing is promoted.
    expect(of(result, 'Promoted')).toEqual([]);
    expect(of(result, 'Scaled').filter((e) => e.t > 15)).toEqual([]);
    expect(of(result, 'WeightChanged').filter((e) => e.t > 15)).toEqual([]);
  });

  it('promote after an Inconclusive background run starts a new run and the rollout completes (needsNewAnalysisRun)', async () => {
    const { exitCode, result } = await simulate('background-inconclusive-holds', 'scenario-promote.yaml');
    expect(exitCode).toBe(0);
    const runs = of(result, 'AnalysisRunStarted').map((e) => e.run as string);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toBe(`${runs[0] as string}.1`);
    expect(of(result, 'Promoted')).toMatchObject([{ t: 600, revision: 2 }]);
  });

  it('an Inconclusive step run pauses; promote moves on to the next step (TestPausedStepAfterInconclusiveAnalysisRun)', async () => {
    const { exitCode, result } = await simulate('step-inconclusive');
    expect(exitCode).toBe(0);
    expect(of(result, 'Paused').map((e) => [e.t, e.reason])).toEqual([[0, 'InconclusiveAnalysisRun'], [300, 'CanaryPauseStep']]);
    expect(of(result, 'WeightChanged').map((e) => [e.t, e.canary])).toEqual([[0, 20], [300, 60], [330, 100]]);
    expect(of(result, 'AnalysisRunStarted')).toHaveLength(1);
  });

  it('a Failed background run aborts with "Background analysis phase error/failed" (TestErrorConditionAfterErrorAnalysisRunBackground)', async () => {
    const { exitCode, result } = await simulate('background-error');
    expect(exitCode).toBe(1);
    expect(times(result, 'Measurement')).toEqual([0, 30, 60]);
    expect(result.message).toBe(
      'RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed: Metric "rate" assessed Failed due to failed (2) > failureLimit (1)',
    );
  });

  it('template args from a Secret given with the manifests (TestAnalysisWithSecret, TestSecretContentReferenceSuccess)', async () => {
    const { exitCode, result } = await simulate('secret-args');
    expect(exitCode).toBe(0);
    expect(of(result, 'Measurement').map((e) => [e.t, e.phase])).toEqual([[0, 'Successful'], [5, 'Successful']]);
    expect(of(result, 'AnalysisRunCompleted')).toMatchObject([{ t: 5, phase: 'Successful' }]);
    expect(of(result, 'Promoted')).toMatchObject([{ t: 60, revision: 2 }]);
    // The Secret's value is substituted into the metric only; it is never in the timeline.
    expect(JSON.stringify(result)).not.toContain('127.0.0.1:9/example.json');
  });

  it('a Secret that does not exist makes the run Error, and the step aborts (TestSecretNotFound)', async () => {
    const { exitCode, result } = await simulate('secret-not-found');
    expect(exitCode).toBe(1);
    expect(of(result, 'AnalysisRunCompleted')).toMatchObject([{ phase: 'Error', message: 'Unable to resolve metric arguments: secrets "missing-secret" not found' }]);
    expect(result.message).toContain('Step-based analysis phase error/failed: Unable to resolve metric arguments');
  });
});

describe('job metrics (metricproviders/job/job_test.go)', () => {
  it('a Job that runs two minutes is measured when it completes; the step completes then (TestRun, TestResumeCompletedJob)', async () => {
    const { exitCode, result } = await simulate('job-takes-time');
    expect(exitCode).toBe(0);
    expect(of(result, 'Measurement')).toMatchObject([{ t: 120, metric: 'smoke', phase: 'Successful' }]);
    expect(of(result, 'StepCompleted').map((e) => [e.t, e.step])).toEqual([[0, 'setWeight: 50'], [120, 'analysis']]);
  });

  it('a Job whose pod never starts fails at activeDeadlineSeconds and the step aborts (TestResumeFailedJob, DeadlineExceeded)', async () => {
    const { exitCode, result } = await simulate('job-takes-time', 'scenario-deadline.yaml');
    expect(exitCode).toBe(1);
    expect(of(result, 'Measurement')).toMatchObject([{ t: 300, phase: 'Failed', message: 'Job was active longer than specified deadline (activeDeadlineSeconds: 300)' }]);
    expect(of(result, 'Aborted')).toMatchObject([{ t: 300 }]);
  });

  it('an abort while the Job runs terminates the run (TestTerminateMeasurement)', async () => {
    const { exitCode, result } = await simulate('job-takes-time', 'scenario-abort.yaml');
    expect(exitCode).toBe(1);
    expect(of(result, 'AnalysisRunCompleted')).toMatchObject([{ t: 60, phase: 'Successful', message: 'Run Terminated' }]);
    expect(of(result, 'Measurement')).toEqual([]);
  });
});

describe('canary (rollout/canary_test.go, test/e2e/canary_test.go)', () => {
  it('abort of a fully promoted rollout is removed; it stays Healthy (controller.go newRolloutContext, pause.go CalculateAbortStatus)', async () => {
    const { exitCode, result } = await simulate('abort-fully-promoted');
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ phase: 'Healthy', aborted: false, message: '' });
    expect(of(result, 'AbortCleared')).toMatchObject([{ t: 300 }]);
    expect(of(result, 'Aborted')).toEqual([]);
    expect(of(result, 'Phase').filter((e) => e.t >= 300)).toEqual([]);
  });

  it('a second update mid-rollout restarts the steps for revision 3 and removes revision 2 (TestResetCurrentStepIndexOnPodSpecChange, TestCanaryScaleDownOldRsDuringInterruptedUpdate)', async () => {
    const { exitCode, result } = await simulate('second-update');
    expect(exitCode).toBe(0);
    expect(of(result, 'RevisionCreated').map((e) => [e.t, e.revision])).toEqual([[0, 2], [30, 3]]);
    expect(of(result, 'StepStarted').filter((e) => e.t === 30)[0]).toMatchObject({ index: 0 });
    expect(of(result, 'ScaledDown')).toMatchObject([{ t: 30, revision: 2 }, { t: 90, revision: 1 }]);
    expect(of(result, 'Promoted')).toMatchObject([{ t: 90, revision: 3 }]);
  });

  it('an edit of replicas scales both sides; an edit of the steps restarts them (TestRolloutScalingDuringUpdate, TestResetCurrentStepIndexOnStepChange)', async () => {
    const { exitCode, result } = await simulate('edit-mid-rollout');
    expect(exitCode).toBe(0);
    // replicas 4 -> 8 at 20 s: the 50 % split of 8 pods is 4 + 4.
    const at20 = of(result, 'Scaled').filter((e) => e.t === 20).map((e) => [e.revision, e.replicas]);
    expect(at20).toEqual(expect.arrayContaining([[2, 4], [1, 4]]));
    expect(of(result, 'StepStarted').filter((e) => e.t === 40)[0]).toMatchObject({ index: 0, step: 'setWeight: 25' });
    expect(of(result, 'RevisionCreated')).toHaveLength(1);
    expect(of(result, 'Promoted')).toMatchObject([{ t: 100, revision: 2 }]);
  });

  it('a canary pod that never becomes ready: the step waits and progressDeadlineAbort aborts (TestBlueGreenProgressDeadlineAbort, TestCanaryProgressDeadlineExceededWithPause)', async () => {
    const { exitCode, result } = await simulate('canary-never-ready');
    expect(exitCode).toBe(1);
    expect(of(result, 'ProgressDeadlineExceeded')).toMatchObject([{ t: 60 }]);
    expect(result.message).toMatch(/^RolloutAborted: Rollout aborted update to revision 2: ReplicaSet "stuck-\w+" has timed out progressing\.$/);
  });

  it('a setWeight step completes only once the canary pods are available again (AtDesiredReplicaCountsForCanary, TestCanaryRolloutIncrementStepIfSetWeightsAreCorrect)', async () => {
    const { exitCode, result } = await simulate('pod-goes-unready');
    expect(exitCode).toBe(0);
    expect(of(result, 'PodUnready')).toMatchObject([{ t: 10, revision: 2, pod: 1 }]);
    expect(of(result, 'PodReady')).toMatchObject([{ t: 50, revision: 2, pod: 1 }]);
    expect(of(result, 'StepCompleted').map((e) => [e.t, e.index])).toEqual([[0, 0], [10, 1], [50, 2], [60, 3]]);
  });

  it('a pause during a timed pause step outlives the step (TestNoResumeAfterPauseDurationIfUserPaused)', async () => {
    const { exitCode, result } = await simulate('paused-during-timed-pause');
    expect(exitCode).toBe(0);
    expect(of(result, 'StepCompleted').map((e) => [e.t, e.index])).toEqual([[0, 0], [300, 1]]);
  });

  it('undo to the stable template mid-update skips every step (TestRollBackToStable)', async () => {
    const { exitCode, result } = await simulate('rollback-to-stable');
    expect(exitCode).toBe(0);
    expect(of(result, 'RolledBackToStable')).toMatchObject([{ t: 30 }]);
    expect(of(result, 'StepStarted').filter((e) => e.t >= 30)).toEqual([]);
    expect(result.elapsedSeconds).toBe(30);
  });
});

describe('traffic routers Baton does not drive (rollout/trafficrouting/*)', () => {
  it('SMI: the TrafficSplit backends follow the steps (smi_test.go TestReconcileUpdateTrafficSplit)', async () => {
    const { exitCode, result } = await simulate('smi-weights');
    expect(exitCode).toBe(0);
    expect(of(result, 'RouterWeights').map((e) => [e.t, e.set])).toEqual([
      [0, 'TrafficSplit routed-split: backends routed-canary=20, routed=80'],
      [30, 'TrafficSplit routed-split: backends routed-canary=60, routed=40'],
      [60, 'TrafficSplit routed-split: backends routed-canary=100, routed=0'],
      [60, 'TrafficSplit routed-split: backends routed-canary=0, routed=100'],
    ]);
  });

  it('NGINX: the canary Ingress weight annotation (nginx_test.go TestCanaryIngressCreate)', async () => {
    const { result } = await simulate('nginx-weights');
    expect(of(result, 'RouterWeights').map((e) => e.set)[0]).toBe('Ingress routed-routed-ingress-canary: nginx.ingress.kubernetes.io/canary-weight: "20"');
  });
});

describe('maxTrafficWeight (NGINX and plugins only)', () => {
  it('weights on a 1000 scale: replicas and reported percentages follow (TestCanaryRolloutWithMaxWeightInTrafficRouting, TestCanaryIngressMaxWeightInTrafficRouting)', async () => {
    const { exitCode, result } = await simulate('nginx-max-weight');
    expect(exitCode).toBe(0);
    expect(of(result, 'Scaled').filter((e) => e.revision === 2).map((e) => [e.t, e.replicas])).toEqual([[0, 1], [30, 3], [60, 5]]);
    expect(of(result, 'WeightChanged').map((e) => [e.t, e.canary, e.stable])).toEqual([[0, 20, 80], [30, 60, 40], [60, 100, 0]]);
    expect(of(result, 'RouterWeights')[0]?.set).toBe('Ingress routed-routed-ingress-canary: nginx.ingress.kubernetes.io/canary-weight: "200", nginx.ingress.kubernetes.io/canary-weight-total: "1000"');
  });
});

describe('blue/green (rollout/analysis_test.go, test/e2e/analysis_test.go)', () => {
  it('an Inconclusive pre-promotion run holds the active Service until promoted (TestRolloutPrePromotionAnalysisDoNothingOnInconclusiveAnalysis)', async () => {
    const { exitCode, result } = await simulate('bluegreen-prepromotion-inconclusive');
    expect(exitCode).toBe(0);
    expect(of(result, 'Paused')).toMatchObject([{ t: 0, reason: 'InconclusiveAnalysisRun' }]);
    expect(of(result, 'ActiveSwitched')).toMatchObject([{ t: 600, revision: 2 }]);
    expect(of(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase])).toEqual([[0, 'Inconclusive'], [600, 'Successful']]);
  });

  it('a Failed post-promotion run aborts and switches the active Service back (TestAbortRolloutOnErrorPostPromotionAnalysis, TestBlueGreenPostPromotionFail)', async () => {
    const { exitCode, result } = await simulate('bluegreen-postpromotion-fail');
    expect(exitCode).toBe(1);
    expect(of(result, 'ActiveSwitched').map((e) => e.revision)).toEqual([2, 1]);
    expect(result.message).toContain('Blue/green post-promotion analysis phase error/failed');
  });
});
