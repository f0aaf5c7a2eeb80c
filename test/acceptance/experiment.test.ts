/**
 * Acceptance: Argo's experiment step through `baton simulate` (docs/features/experiment.md):
 * template revisions start, their analysis runs once they are available, a failing analysis
 * aborts the rollout with Argo's message, a passing one completes the step.
 */
import { describe, expect, it } from 'vitest';
import { events, promTemplate, routedCanary, simulate } from './support.js';

const UPDATE = 'update: {image: "shop:v2"}\n';

function experimentRollout(): string {
  return (
    routedCanary(`      steps:
      - setWeight: 20
      - experiment:
          duration: 1m
          templates:
          - {name: baseline, specRef: stable, weight: 10}
          - {name: canary, specRef: canary, weight: 10}
          analyses:
          - {name: compare, templateName: tpl}
      - setWeight: 60
`) + promTemplate('tpl', [{ name: 'error-rate', fields: 'interval: 10s\ncount: 3\nsuccessCondition: result[0] <= 0.05' }])
  );
}

describe('experiment step', () => {
  it('a passing analysis and the duration complete the step', async () => {
    const { exitCode, result } = await simulate(experimentRollout(), `${UPDATE}metrics:\n  error-rate: [[0.01]]\n`);
    expect(exitCode).toBe(0);
    const phases = events(result, 'ExperimentPhase').map((e) => e.phase);
    expect(phases).toContain('Running');
    expect(phases.at(-1)).toBe('Successful');
    const started = events(result, 'AnalysisRunStarted').map((e) => String(e.run));
    expect(started.some((r) => /^shop-[a-z0-9]+-2-1-compare$/.test(r))).toBe(true);
    expect(events(result, 'StepCompleted').map((e) => e.index)).toContain(1);
    expect(events(result, 'Phase').at(-1)?.phase).toBe('Healthy');
  });

  it('a failing analysis aborts the rollout with Argo\'s message', async () => {
    const { exitCode, result } = await simulate(experimentRollout(), `${UPDATE}metrics:\n  error-rate: [[0.2]]\n`);
    expect(exitCode).toBe(1);
    const last = events(result, 'Phase').at(-1);
    expect(last?.phase).toBe('Degraded');
    expect(String(last?.message)).toMatch(/^RolloutAborted: Rollout aborted update to revision 2: Experiment analysis phase is error\/failed: Metric "error-rate" assessed Failed/);
    expect(events(result, 'StepCompleted').map((e) => e.index)).not.toContain(1);
  });
});
