/**
 * Acceptance: a person's actions at virtual times (argo-semantics.md "Abort, promote, retry,
 * undo") and the abort / scale-down delays, through `baton simulate`.
 */
import { describe, expect, it } from 'vitest';
import { basicCanary, events, measurements, promTemplate, routedCanary, runName, simulate, weights } from './support.js';

/** setWeight 20 -> pause 60s -> analysis (count 2, every 30s) -> setWeight 60 -> pause {}. */
const ROLLOUT =
  routedCanary(`      steps:
      - setWeight: 20
      - pause: {duration: 60s}
      - analysis: {templates: [{templateName: tpl}]}
      - setWeight: 60
      - pause: {}
`) + promTemplate('tpl', [{ name: 'error-rate', fields: 'interval: 30s\ncount: 2\nsuccessCondition: result[0] <= 0.05' }]);

const scenario = (actions: string, extra = ''): string => `update: {image: "shop:v2"}\n${extra}metrics:\n  error-rate: [[0.01]]\nactions:\n${actions}`;

describe('abort', () => {
  it('aborts: Degraded with Argo\'s message, weight 0, step 0; the canary is scaled down 30 s later', async () => {
    const { exitCode, result } = await simulate(ROLLOUT, scenario('- {at: 10s, do: abort}\n- {at: 2m, do: resume}\n'));
    expect(events(result, 'Aborted')).toEqual([{ t: 10, type: 'Aborted', message: 'Rollout aborted update to revision 2', revision: 2 }]);
    expect(weights(result)).toEqual([
      [0, 20],
      [10, 0],
    ]);
    // abortScaleDownDelaySeconds defaults to 30.
    expect(events(result, 'ScaledDown').map((e) => e.t)).toEqual([40]);
    expect(exitCode).toBe(1);
    expect(result).toMatchObject({
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2',
      aborted: true,
      stepIndex: 0,
      canaryWeight: 0,
    });
  });

  it('terminates the running analysis and keeps the reason given', async () => {
    const { result } = await simulate(ROLLOUT, scenario('- {at: 70s, do: abort, reason: "bad smell"}\n'));
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase, e.message])).toEqual([[70, 'Successful', 'Run Terminated']]);
    expect(measurements(result).map(([t]) => t)).toEqual([60]);
    expect(result.message).toBe('RolloutAborted: Rollout aborted update to revision 2: bad smell');
    expect(result.elapsedSeconds).toBe(70);
  });
});

describe('abort of a basic canary', () => {
  it('scales the canary down at once (abortScaleDownDelaySeconds is for traffic routing) and the stable back up', async () => {
    const rollout = basicCanary(`      steps:
      - setWeight: 50
      - pause: {}
`);
    const { exitCode, result } = await simulate(rollout, 'update: {image: "shop:v2"}\nactions:\n- {at: 5s, do: abort}\n');
    const scaled = events(result, 'Scaled').filter((e) => e.t === 5);
    expect(scaled.filter((e) => e.revision === 2).at(-1)?.replicas).toBe(0);
    expect(scaled.filter((e) => e.revision === 1).at(-1)?.replicas).toBe(4);
    expect(events(result, 'ScaledDown').map((e) => e.t)).toEqual([5]);
    expect(weights(result)).toEqual([
      [0, 50],
      [5, 0],
    ]);
    expect(exitCode).toBe(1);
  });
});

describe('retry', () => {
  it('restarts at step 0 with new run names (.1)', async () => {
    const { exitCode, result } = await simulate(ROLLOUT, scenario('- {at: 70s, do: abort}\n- {at: 100s, do: retry}\n- {at: 300s, do: promote}\n'));
    const runs = events(result, 'AnalysisRunStarted');
    expect(runs.map((e) => e.t)).toEqual([60, 160]);
    expect(runs[0]?.run).toMatch(runName('shop', 2, 2));
    expect(runs[1]?.run).toMatch(runName('shop', 2, 2, 1));
    expect(runs[1]?.run).toBe(`${String(runs[0]?.run)}.1`);
    expect(weights(result)).toEqual([
      [0, 20],
      [70, 0],
      [100, 20],
      [190, 60],
      [300, 100],
    ]);
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ phase: 'Healthy', aborted: false, elapsedSeconds: 300 });
  });
});

describe('pause and resume', () => {
  it('pause holds the rollout as "manually paused"; resume lets it continue', async () => {
    const { exitCode, result } = await simulate(ROLLOUT, scenario('- {at: 10s, do: pause}\n- {at: 100s, do: resume}\n- {at: 300s, do: promote}\n'));
    expect(events(result, 'Phase').find((e) => e.t === 10)).toMatchObject({ phase: 'Paused', message: 'manually paused' });
    // Nothing advances while paused, though the 60 s pause step ran out at 60.
    expect(events(result, 'StepCompleted').filter((e) => e.t > 10 && e.t < 100)).toEqual([]);
    expect(events(result, 'StepCompleted').find((e) => e.index === 1)?.t).toBe(100);
    expect(events(result, 'AnalysisRunStarted').map((e) => e.t)).toEqual([100]);
    expect(weights(result)).toEqual([
      [0, 20],
      [130, 60],
      [300, 100],
    ]);
    expect(exitCode).toBe(0);
  });

  it('stays Paused with "manually paused" at until (exit 2)', async () => {
    const { exitCode, result } = await simulate(ROLLOUT, scenario('- {at: 10s, do: pause}\n', 'until: 10m\n'));
    expect(exitCode).toBe(2);
    expect(result).toMatchObject({ phase: 'Paused', message: 'manually paused', stepIndex: 1, canaryWeight: 20, elapsedSeconds: 600 });
  });
});

describe('promote --full', () => {
  it('skips the remaining steps and analysis and promotes once the canary is fully available', async () => {
    const { exitCode, result } = await simulate(ROLLOUT, scenario('- {at: 70s, do: promote-full}\n', 'readySeconds: 5\n'));
    // Pods ready at 5: weight 20 then; pause 5..65; analysis from 65; full promotion at 70, the
    // three more canary pods are ready at 75.
    expect(measurements(result)).toEqual([[65, 'error-rate', 'Successful']]);
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase, e.message])).toEqual([[70, 'Successful', 'Run Terminated']]);
    expect(events(result, 'Promoted')).toEqual([{ t: 75, type: 'Promoted', revision: 2, reason: 'Full promotion requested' }]);
    expect(weights(result).some(([, w]) => w === 60)).toBe(false);
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ phase: 'Healthy', stepIndex: 5, stepCount: 5, elapsedSeconds: 75 });
  });
});

describe('promote', () => {
  it('during a timed pause skips the rest of the pause', async () => {
    const { result } = await simulate(ROLLOUT, scenario('- {at: 20s, do: promote}\n- {at: 300s, do: promote}\n'));
    expect(events(result, 'StepCompleted').find((e) => e.index === 1)?.t).toBe(20);
    expect(events(result, 'AnalysisRunStarted').map((e) => e.t)).toEqual([20]);
  });
});

describe('undo', () => {
  it('during an update goes back to the stable template: no steps, no analysis, weight 0', async () => {
    const { exitCode, result } = await simulate(ROLLOUT, scenario('- {at: 70s, do: undo}\n'));
    expect(events(result, 'RolledBackToStable')).toEqual([{ t: 70, type: 'RolledBackToStable', revision: 3 }]);
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.message])).toEqual([[70, 'Run Terminated']]);
    expect(weights(result)).toEqual([
      [0, 20],
      [70, 0],
    ]);
    expect(events(result, 'Promoted')).toEqual([]);
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ phase: 'Healthy', aborted: false, stepIndex: 5, canaryWeight: 0, elapsedSeconds: 70 });
  });

  it('after a promotion rolls the previous template out again as revision 3, through the steps', async () => {
    const rollout = routedCanary(`      steps:
      - setWeight: 50
      - pause: {duration: 10s}
`);
    const { exitCode, result } = await simulate(rollout, 'update: {image: "shop:v2"}\nactions:\n- {at: 60s, do: undo}\n');
    expect(events(result, 'Promoted').map((e) => [e.t, e.revision])).toEqual([
      [10, 2],
      [70, 3],
    ]);
    expect(weights(result)).toEqual([
      [0, 50],
      [10, 100],
      [60, 50],
      [70, 100],
    ]);
    expect(exitCode).toBe(0);
  });
});

describe('undo --to-revision', () => {
  it('to revision 1 during the update is a rollback to stable', async () => {
    const { exitCode, result } = await simulate(ROLLOUT, scenario('- {at: 70s, do: undo, toRevision: 1}\n'));
    expect(events(result, 'RolledBackToStable')).toEqual([{ t: 70, type: 'RolledBackToStable', revision: 3 }]);
    expect(exitCode).toBe(0);
  });

  it('to a revision the rollout never had is reported and changes nothing', async () => {
    const { exitCode, stderr, result } = await simulate(ROLLOUT, scenario('- {at: 10s, do: undo, toRevision: 9}\n- {at: 300s, do: promote}\n'));
    expect(stderr).toBe('');
    expect(events(result, 'ActionFailed')).toEqual([{ t: 10, type: 'ActionFailed', action: 'undo', message: "rollout 'shop' has no revision 9 (revisions: 1, 2)" }]);
    expect(events(result, 'Action').map((e) => e.t)).toEqual([300]);
    expect(exitCode).toBe(0);
    expect(events(result, 'Promoted').map((e) => [e.t, e.revision])).toEqual([[300, 2]]);
  });

  it('a toRevision that is not a revision number is an invalid scenario (exit 64)', async () => {
    const { exitCode, stderr } = await simulate(ROLLOUT, scenario('- {at: 10s, do: undo, toRevision: latest}\n'));
    expect(exitCode).toBe(64);
    expect(stderr).toMatch(/scenario\.yaml:5 actions\[0\]\.toRevision: "latest" is not a revision number/);
  });
});

describe('scale-down delays', () => {
  const delays = (abortDelay: number): string =>
    routedCanary(`      scaleDownDelaySeconds: 20
      abortScaleDownDelaySeconds: ${abortDelay}
      steps:
      - setWeight: 50
      - pause: {duration: 10s}
`);

  it('scaleDownDelaySeconds: the old stable is scaled down that long after promotion', async () => {
    const { result } = await simulate(delays(10), 'update: {image: "shop:v2"}\nactions:\n- {at: 5m, do: resume}\n');
    expect(events(result, 'Promoted').map((e) => e.t)).toEqual([10]);
    expect(events(result, 'ScaledDown').map((e) => [e.t, e.revision])).toEqual([[30, 1]]);
  });

  it('abortScaleDownDelaySeconds: the canary is scaled down that long after the abort', async () => {
    const { result } = await simulate(delays(10), 'update: {image: "shop:v2"}\nactions:\n- {at: 5s, do: abort}\n- {at: 5m, do: resume}\n');
    expect(events(result, 'ScaledDown').map((e) => [e.t, e.revision])).toEqual([[15, 2]]);
  });

  it('abortScaleDownDelaySeconds 0 never scales the canary down', async () => {
    const { result } = await simulate(delays(0), 'update: {image: "shop:v2"}\nactions:\n- {at: 5s, do: abort}\n- {at: 1h, do: resume}\n');
    expect(events(result, 'ScaledDown')).toEqual([]);
    expect(result.elapsedSeconds).toBe(3600);
  });
});
