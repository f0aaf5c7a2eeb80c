/**
 * Acceptance: step and background analysis through `baton simulate` (argo-semantics.md
 * "AnalysisRun: measurements", "Canary: background analysis", the analysis step).
 */
import { describe, expect, it } from 'vitest';
import { events, measurements, promTemplate, routedCanary, runName, simulate, weights } from './support.js';

const UPDATE = 'update: {image: "shop:v2"}\n';

/** setWeight 20 -> analysis (template `tpl`) -> setWeight 60. */
function stepAnalysis(metrics: { name: string; fields: string }[], templateExtra = ''): string {
  const rollout = routedCanary(`      steps:
      - setWeight: 20
      - analysis: {templates: [{templateName: tpl}]}
      - setWeight: 60
`);
  return rollout + promTemplate('tpl', metrics).replace('spec:\n', `spec:\n${templateExtra}`);
}

const ERROR_RATE = 'successCondition: result[0] <= 0.05';

describe('step analysis', () => {
  it('Successful lets the step complete; the run is named <rollout>-<hash>-<revision>-<step>', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `interval: 30s\ncount: 3\n${ERROR_RATE}` }]),
      `${UPDATE}metrics:\n  error-rate: [[0.01]]\n`,
    );
    expect(exitCode).toBe(0);
    const started = events(result, 'AnalysisRunStarted');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ t: 0, kind: 'Step' });
    expect(started[0]?.run).toMatch(runName('shop', 2, 1));
    expect(measurements(result)).toEqual([
      [0, 'error-rate', 'Successful'],
      [30, 'error-rate', 'Successful'],
      [60, 'error-rate', 'Successful'],
    ]);
    expect(events(result, 'AnalysisRunCompleted')).toEqual([{ t: 60, type: 'AnalysisRunCompleted', run: started[0]?.run, phase: 'Successful', message: '' }]);
    expect(weights(result)).toEqual([
      [0, 20],
      [60, 60],
      [60, 100],
    ]);
    expect(result.elapsedSeconds).toBe(60);
  });

  it('Inconclusive pauses with InconclusiveAnalysisRun; promote then moves past the analysis step', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `interval: 10s\ncount: 3\n${ERROR_RATE}\nfailureCondition: result[0] > 0.1` }]),
      `${UPDATE}metrics:\n  error-rate: [[0.01], [0.07], [0.01]]\nactions:\n- {at: 100s, do: promote}\n`,
    );
    expect(measurements(result)).toEqual([
      [0, 'error-rate', 'Successful'],
      [10, 'error-rate', 'Inconclusive'],
    ]);
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase, e.message])).toEqual([
      [10, 'Inconclusive', 'Metric "error-rate" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)'],
    ]);
    expect(events(result, 'Paused').map((e) => [e.t, e.reason])).toEqual([[10, 'InconclusiveAnalysisRun']]);
    // No new run after promote: the step is skipped, not measured again.
    expect(events(result, 'AnalysisRunStarted')).toHaveLength(1);
    expect(weights(result)).toEqual([
      [0, 20],
      [100, 60],
      [100, 100],
    ]);
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ phase: 'Healthy', elapsedSeconds: 100 });
  });

  it('promote past an inconclusive step does not also skip a pause step right after it', async () => {
    const rollout =
      routedCanary(`      steps:
      - setWeight: 20
      - analysis: {templates: [{templateName: tpl}]}
      - pause: {duration: 60s}
      - setWeight: 60
`) + promTemplate('tpl', [{ name: 'error-rate', fields: `${ERROR_RATE}\nfailureCondition: result[0] > 0.1` }]);
    const { exitCode, result } = await simulate(rollout, `${UPDATE}metrics:\n  error-rate: [[0.07]]\nactions:\n- {at: 100s, do: promote}\n`);
    // The pause starts at the promote and runs its full minute.
    expect(events(result, 'Paused').map((e) => [e.t, e.reason])).toEqual([
      [0, 'InconclusiveAnalysisRun'],
      [100, 'CanaryPauseStep'],
    ]);
    expect(weights(result)).toEqual([
      [0, 20],
      [160, 60],
      [160, 100],
    ]);
    expect(exitCode).toBe(0);
  });

  it('stays Paused on an inconclusive run when nobody promotes (exit 2)', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `${ERROR_RATE}\nfailureCondition: result[0] > 0.1` }]),
      `${UPDATE}metrics:\n  error-rate: [[0.07]]\nuntil: 10m\n`,
    );
    expect(exitCode).toBe(2);
    expect(result).toMatchObject({ phase: 'Paused', message: 'InconclusiveAnalysisRun', stepIndex: 1, canaryWeight: 20, elapsedSeconds: 600 });
  });

  it('Error after 5 consecutive errors (> 4) aborts with the last error message', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `interval: 30s\ncount: 2\n${ERROR_RATE}` }]),
      `${UPDATE}metrics:\n  error-rate: [{error: "connection refused"}]\n`,
    );
    // Errors retry after 10 s whatever the interval: 0, 10, 20, 30, 40.
    expect(measurements(result)).toEqual([0, 10, 20, 30, 40].map((t) => [t, 'error-rate', 'Error']));
    const runMessage = 'Metric "error-rate" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: connection refused"';
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase, e.message])).toEqual([[40, 'Error', runMessage]]);
    expect(events(result, 'Aborted').map((e) => [e.t, e.message])).toEqual([[40, `Step-based analysis phase error/failed: ${runMessage}`]]);
    expect(exitCode).toBe(1);
    expect(result).toMatchObject({
      phase: 'Degraded',
      message: `RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${runMessage}`,
      aborted: true,
      stepIndex: 0,
      canaryWeight: 0,
      elapsedSeconds: 40,
    });
    expect(weights(result)).toEqual([
      [0, 20],
      [40, 0],
    ]);
  });

  it('fails fast: once one metric fails the run stops measuring; metrics measured alongside keep their measurement', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis([
        { name: 'error-rate', fields: `interval: 10s\ncount: 3\n${ERROR_RATE}` },
        { name: 'latency', fields: 'interval: 10s\ncount: 3\nsuccessCondition: result < 0.5' },
      ]),
      `${UPDATE}metrics:\n  error-rate: [[0.01], [0.9]]\n  latency: [0.1]\n`,
    );
    // Both are due at 0 and 10; error-rate fails at 10, so nothing is measured at 20.
    expect(measurements(result)).toEqual([
      [0, 'error-rate', 'Successful'],
      [0, 'latency', 'Successful'],
      [10, 'error-rate', 'Failed'],
      [10, 'latency', 'Successful'],
    ]);
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase, e.message])).toEqual([
      [10, 'Failed', 'Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)'],
    ]);
    expect(exitCode).toBe(1);
  });

  it('errors retry after 10 s and do not use up count', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `interval: 30s\ncount: 2\n${ERROR_RATE}` }]),
      `${UPDATE}metrics:\n  error-rate: [{error: "refused"}, {error: "refused"}, [0.01], {error: "x"}, [0.02]]\n`,
    );
    expect(measurements(result)).toEqual([
      [0, 'error-rate', 'Error'],
      [10, 'error-rate', 'Error'],
      [20, 'error-rate', 'Successful'],
      [50, 'error-rate', 'Error'],
      [60, 'error-rate', 'Successful'],
    ]);
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase])).toEqual([[60, 'Successful']]);
    expect(exitCode).toBe(0);
  });

  it('ignores dry-run metrics: a failing dry-run metric does not fail the run', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis(
        [
          { name: 'error-rate', fields: ERROR_RATE },
          { name: 'latency', fields: 'interval: 10s\ncount: 2\nsuccessCondition: result < 0.5' },
        ],
        '  dryRun: [{metricName: error-.*}]\n',
      ),
      `${UPDATE}metrics:\n  error-rate: [[0.5]]\n  latency: [0.1]\n`,
    );
    expect(measurements(result)).toEqual([
      [0, 'error-rate', 'Failed'],
      [0, 'latency', 'Successful'],
      [10, 'latency', 'Successful'],
    ]);
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase])).toEqual([[10, 'Successful']]);
    expect(exitCode).toBe(0);
  });

  it('failureLimit -1 never fails on failures (the success streak decides)', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `interval: 10s\ncount: 5\nfailureLimit: -1\nconsecutiveSuccessLimit: 1\n${ERROR_RATE}` }]),
      `${UPDATE}metrics:\n  error-rate: [[0.9], [0.9], [0.9], [0.01]]\n`,
    );
    expect(measurements(result)).toEqual([
      [0, 'error-rate', 'Failed'],
      [10, 'error-rate', 'Failed'],
      [20, 'error-rate', 'Failed'],
      [30, 'error-rate', 'Successful'],
    ]);
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase])).toEqual([[30, 'Successful']]);
    expect(exitCode).toBe(0);
  });

  it('consecutiveSuccessLimit: Successful as soon as the streak is reached', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `interval: 10s\ncount: 5\nfailureLimit: 2\nconsecutiveSuccessLimit: 3\n${ERROR_RATE}` }]),
      `${UPDATE}metrics:\n  error-rate: [[0.01], [0.9], [0.01], [0.01], [0.01]]\n`,
    );
    expect(measurements(result).map(([t, , p]) => [t, p])).toEqual([
      [0, 'Successful'],
      [10, 'Failed'],
      [20, 'Successful'],
      [30, 'Successful'],
      [40, 'Successful'],
    ]);
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase])).toEqual([[40, 'Successful']]);
    expect(exitCode).toBe(0);
  });

  it('consecutiveSuccessLimit with failureLimit: count reached without either -> Inconclusive', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `interval: 10s\ncount: 5\nfailureLimit: 2\nconsecutiveSuccessLimit: 3\n${ERROR_RATE}` }]),
      `${UPDATE}metrics:\n  error-rate: [[0.9], [0.01], [0.01], [0.9], [0.01]]\nuntil: 5m\n`,
    );
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase])).toEqual([[40, 'Inconclusive']]);
    expect(events(result, 'Paused').map((e) => [e.t, e.reason])).toEqual([[40, 'InconclusiveAnalysisRun']]);
    expect(exitCode).toBe(2);
  });

  it('consecutiveSuccessLimit alone (failureLimit -1): count reached without the streak -> Failed', async () => {
    const { exitCode, result } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `interval: 10s\ncount: 4\nfailureLimit: -1\nconsecutiveSuccessLimit: 3\n${ERROR_RATE}` }]),
      `${UPDATE}metrics:\n  error-rate: [[0.01], [0.9], [0.01], [0.9]]\n`,
    );
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase])).toEqual([[30, 'Failed']]);
    expect(events(result, 'Aborted').map((e) => e.t)).toEqual([30]);
    expect(String(events(result, 'Aborted')[0]?.message)).toMatch(/^Step-based analysis phase error\/failed/);
    expect(exitCode).toBe(1);
  });

  it('inconclusiveLimit: Inconclusive only once inconclusives exceed it', async () => {
    const fields = `interval: 10s\ncount: 3\ninconclusiveLimit: 1\n${ERROR_RATE}\nfailureCondition: result[0] > 0.1`;
    const within = await simulate(stepAnalysis([{ name: 'error-rate', fields }]), `${UPDATE}metrics:\n  error-rate: [[0.07], [0.01], [0.01]]\n`);
    expect(events(within.result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase])).toEqual([[20, 'Successful']]);
    expect(within.exitCode).toBe(0);

    const over = await simulate(stepAnalysis([{ name: 'error-rate', fields }]), `${UPDATE}metrics:\n  error-rate: [[0.07], [0.01], [0.07]]\nuntil: 5m\n`);
    expect(events(over.result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase, e.message])).toEqual([
      [20, 'Inconclusive', 'Metric "error-rate" assessed Inconclusive due to inconclusive (2) > inconclusiveLimit (1)'],
    ]);
    expect(over.exitCode).toBe(2);
    expect(over.result.message).toBe('InconclusiveAnalysisRun');
  });

  it('initialDelay delays the first measurement', async () => {
    const { result } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `initialDelay: 30s\ninterval: 10s\ncount: 2\n${ERROR_RATE}` }]),
      `${UPDATE}metrics:\n  error-rate: [[0.01]]\n`,
    );
    expect(measurements(result).map(([t]) => t)).toEqual([30, 40]);
    expect(events(result, 'AnalysisRunCompleted').map((e) => e.t)).toEqual([40]);
  });

  it('a metric whose count resolves to 0 with an interval in a step analysis is an Error run ("runs indefinitely")', async () => {
    const rollout = routedCanary(`      steps:
      - setWeight: 20
      - analysis: {templates: [{templateName: tpl}], args: [{name: n, value: "0"}]}
      - setWeight: 60
`);
    const template = promTemplate('tpl', [{ name: 'error-rate', fields: `interval: 10s\ncount: "{{args.n}}"\n${ERROR_RATE}` }], '  args: [{name: n}]\n');
    const { exitCode, result } = await simulate(rollout + template, `${UPDATE}metrics:\n  error-rate: [[0.01]]\n`);
    const message = 'AnalysisTemplate tpl has metric error-rate which runs indefinitely. Invalid value for count: 0';
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase, e.message])).toEqual([[0, 'Error', message]]);
    expect(measurements(result)).toEqual([]);
    expect(events(result, 'Aborted').map((e) => [e.t, e.message])).toEqual([[0, `Step-based analysis phase error/failed: ${message}`]]);
    expect(exitCode).toBe(1);
  });

  it('a count-less metric with an interval written in a step analysis is an invalid spec (exit 64)', async () => {
    const { exitCode, stderr } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `interval: 10s\n${ERROR_RATE}` }]),
      `${UPDATE}metrics:\n  error-rate: [[0.01]]\n`,
    );
    expect(exitCode).toBe(64);
    expect(stderr).toMatch(/manifests\.yaml:\d+ spec\.strategy\.canary\.steps\[1\]\.analysis\.templates: AnalysisTemplate tpl has metric error-rate which runs indefinitely/);
  });

  it('lint words a count-less step metric as Argo does: "Invalid value for count: <nil>"', async () => {
    const { exitCode, stderr } = await simulate(
      stepAnalysis([{ name: 'error-rate', fields: `interval: 10s\n${ERROR_RATE}` }]),
      `${UPDATE}metrics:\n  error-rate: [[0.01]]\n`,
    );
    expect(exitCode).toBe(64);
    expect(stderr).toContain('which runs indefinitely. Invalid value for count: <nil>');
  });

  it('measurementRetention does not change the outcome', async () => {
    const fields = `interval: 10s\ncount: 5\nfailureLimit: 1\n${ERROR_RATE}`;
    const script = `${UPDATE}metrics:\n  error-rate: [[0.9], [0.01], [0.01], [0.01], [0.9]]\n`;
    const plain = await simulate(stepAnalysis([{ name: 'error-rate', fields }]), script);
    const retained = await simulate(stepAnalysis([{ name: 'error-rate', fields }], '  measurementRetention: [{metricName: error-rate, limit: 1}]\n'), script);
    expect(events(plain.result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase, e.message])).toEqual([
      [40, 'Failed', 'Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)'],
    ]);
    expect(retained.result.timeline).toEqual(plain.result.timeline);
    expect(retained.exitCode).toBe(1);
  });
});

describe('background analysis', () => {
  const rollout = (fields: string): string =>
    routedCanary(`      analysis:
        templates: [{templateName: bg}]
        startingStep: 2
      steps:
      - setWeight: 20
      - pause: {duration: 30s}
      - setWeight: 50
      - pause: {duration: 60s}
      - setWeight: 80
      - pause: {duration: 60s}
`) + promTemplate('bg', [{ name: 'error-rate', fields }]);

  it('starts at startingStep, runs unbounded and is terminated at promotion', async () => {
    const { exitCode, result } = await simulate(rollout(`interval: 10s\n${ERROR_RATE}`), `${UPDATE}metrics:\n  error-rate: [[0.01]]\n`);
    const started = events(result, 'AnalysisRunStarted');
    expect(started.map((e) => [e.t, e.kind])).toEqual([[30, 'Background']]);
    expect(started[0]?.run).toMatch(runName('shop', 2));
    // Every 10 s from 30 until the steps end at 30 + 60 + 60 = 150.
    expect(measurements(result).map(([t]) => t)).toEqual([30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
    expect(events(result, 'Promoted').map((e) => e.t)).toEqual([150]);
    expect(events(result, 'AnalysisRunCompleted').map((e) => [e.t, e.phase, e.message])).toEqual([[150, 'Successful', 'Run Terminated']]);
    expect(exitCode).toBe(0);
  });

  it('Failed aborts with "Background analysis phase error/failed"', async () => {
    const { exitCode, result } = await simulate(rollout(`interval: 10s\n${ERROR_RATE}`), `${UPDATE}metrics:\n  error-rate: [[0.01], [0.01], [0.09]]\n`);
    const runMessage = 'Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)';
    expect(events(result, 'Aborted').map((e) => [e.t, e.message])).toEqual([[50, `Background analysis phase error/failed: ${runMessage}`]]);
    expect(weights(result)).toEqual([
      [0, 20],
      [30, 50],
      [50, 0],
    ]);
    expect(exitCode).toBe(1);
    expect(result).toMatchObject({
      phase: 'Degraded',
      message: `RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed: ${runMessage}`,
      aborted: true,
      stepIndex: 0,
      canaryWeight: 0,
      elapsedSeconds: 50,
    });
  });

  it('Inconclusive pauses; promote lets the rollout continue with a new run', async () => {
    const { exitCode, result } = await simulate(
      rollout(`interval: 10s\n${ERROR_RATE}\nfailureCondition: result[0] > 0.1`),
      `${UPDATE}metrics:\n  error-rate: [[0.01], [0.07], [0.01]]\nactions:\n- {at: 45s, do: promote}\n`,
    );
    expect(events(result, 'Paused').filter((e) => e.reason === 'InconclusiveAnalysisRun').map((e) => e.t)).toEqual([40]);
    const started = events(result, 'AnalysisRunStarted');
    expect(started.map((e) => e.t)).toEqual([30, 45]);
    expect(started[1]?.run).toMatch(runName('shop', 2, undefined, 1));
    expect(events(result, 'Aborted')).toEqual([]);
    expect(exitCode).toBe(0);
    expect(result.phase).toBe('Healthy');
  });
});
