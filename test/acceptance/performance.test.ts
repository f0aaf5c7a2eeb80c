/**
 * Acceptance: the 24 h background-analysis simulation of bench/simulate/fixture finishes, with a
 * measurement every 10 s (issue 2 "Done when"). Wall time is measured by bench/, not asserted.
 */
import { describe, expect, it } from 'vitest';
import { runSimulate } from '../../src/cli/commands/simulate.js';
import type { SimulationResult } from '../../src/engine/simulate.js';

describe('24 h of background analysis', () => {
  it('finishes Healthy at 24 h with a measurement every 10 s', async () => {
    const out = await runSimulate({ files: ['bench/simulate/fixture/rollout.yaml'], scenario: 'bench/simulate/fixture/scenario.yaml', json: true });
    expect(out.exitCode).toBe(0);
    const result = JSON.parse(out.stdout) as SimulationResult;
    expect(result).toMatchObject({ rollout: 'soak', phase: 'Healthy', aborted: false, stepIndex: 2, stepCount: 2, elapsedSeconds: 86_400 });
    const times = result.timeline.filter((e) => e.type === 'Measurement').map((e) => e.t);
    // From the update (startingStep 0) to the end of the 24 h pause, every 10 s.
    expect(times[0]).toBe(0);
    expect(times.at(-1)).toBe(86_400);
    expect(times.every((t, i) => i === 0 || t - (times[i - 1] as number) === 10)).toBe(true);
    expect(result.timeline.filter((e) => e.type === 'Measurement' && e.phase !== 'Successful')).toEqual([]);
    expect(result.timeline.filter((e) => e.type === 'AnalysisRunCompleted').map((e) => [e.t, e.phase, e.message])).toEqual([[86_400, 'Successful', 'Run Terminated']]);
  });
});
