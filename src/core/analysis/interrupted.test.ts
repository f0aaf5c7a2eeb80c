import { describe, expect, it } from 'vitest';
import type { JobProvider, MetricSpec, WebProvider } from '../spec/types.js';
import { metric, prometheus, runOf, vector } from './fixtures.test-util.js';
import { INTERRUPTED_JOB_MESSAGE, interruptedAction, recoverInterruptedMeasurements } from './interrupted.js';
import { beginMeasurement, completeMeasurement, terminateRun } from './measure.js';
import { dueMeasurements, nextWakeAt } from './schedule.js';
import type { AnalysisRunState } from './types.js';

const jobProvider: JobProvider = { type: 'job', template: { metadata: { labels: {}, annotations: {} }, spec: { containers: [] } } as unknown as JobProvider['template'], backoffLimit: 0 };
const webProvider: WebProvider = { type: 'web', url: 'http://127.0.0.1/x', method: 'GET', headers: [], timeoutSeconds: 10, jsonPath: '{$}', insecure: false };
const jobMetric = (name: string, over: Partial<MetricSpec> = {}): MetricSpec => metric(name, { provider: jobProvider, providerKeys: ['job'], ...over });

/** A run whose metric `m` measured once at 0 (value 0), then began a measurement at `beganAt` that was lost. */
function lostAt(spec: MetricSpec, beganAt: number): AnalysisRunState {
  let run = runOf([spec]);
  run = beginMeasurement(run, spec.name, 0);
  run = completeMeasurement(run, spec.name, vector(0), 0);
  return beginMeasurement(run, spec.name, beganAt);
}

describe('interruptedAction: Argo resumes only the job provider', () => {
  it.each([
    ['prometheus', prometheus, 'remeasure'],
    ['web', webProvider, 'remeasure'],
    ['job', jobProvider, 'error'],
  ] as const)('%s -> %s', (_name, provider, expected) => {
    expect(interruptedAction(provider)).toBe(expected);
  });
});

describe('recoverInterruptedMeasurements', () => {
  const prom = metric('error-rate', { interval: '30s', count: 5, successCondition: 'result[0] <= 0.05', failureLimit: 1 });

  it.each<{ name: string; spec: MetricSpec; beganAt: number; now: number; phases: string[]; due: number | undefined; counts: [number, number] }>([
    // Measured at 0, began at 30 and lost; found at 45: dropped, due again at once (0 + 30 <= 45).
    { name: 'prometheus, lost mid-query', spec: prom, beganAt: 30_000, now: 45_000, phases: ['Successful'], due: 30_000, counts: [1, 0] },
    // Found long after: still one re-measurement, not one per missed interval.
    { name: 'prometheus, found an hour later', spec: prom, beganAt: 30_000, now: 3_600_000, phases: ['Successful'], due: 30_000, counts: [1, 0] },
    // The job's result went with the controller: an Error at `now`, retried 10 s later.
    { name: 'job, lost mid-run', spec: jobMetric('smoke', { interval: '30s', count: 5 }), beganAt: 30_000, now: 45_000, phases: ['Successful', 'Error'], due: 55_000, counts: [1, 1] },
  ])('$name', ({ spec, beganAt, now, phases, due, counts }) => {
    const { run, recovered } = recoverInterruptedMeasurements(lostAt(spec, beganAt), now);
    const isJob = spec.provider?.type === 'job';
    expect(recovered).toEqual([{ metricName: spec.name, action: isJob ? 'error' : 'remeasure', startedAt: beganAt }]);
    const r = run.metricResults[0];
    expect(r?.measurements.map((m) => m.phase)).toEqual(phases);
    expect(r?.measurements.every((m) => m.finishedAt !== undefined)).toBe(true);
    expect([r?.count, r?.error]).toEqual(counts);
    expect(nextWakeAt(run)).toBe(due);
    expect(run.phase).toBe('Running');
    if (isJob) expect(r?.measurements.at(-1)?.message).toBe(INTERRUPTED_JOB_MESSAGE);
    // What is due is taken: nothing is left waiting for an answer that will never come.
    expect(dueMeasurements(run, Math.max(now, due ?? 0)).map((d) => d.metricName)).toEqual([spec.name]);
  });

  it('re-measures a first measurement that was lost (no earlier one): due at the run start', () => {
    let run = runOf([prom], {}, 10_000);
    run = beginMeasurement(run, 'error-rate', 10_000);
    expect(nextWakeAt(run)).toBeUndefined(); // stalled, before recovery
    const out = recoverInterruptedMeasurements(run, 20_000);
    expect(out.run.metricResults[0]?.measurements).toEqual([]);
    expect(nextWakeAt(out.run)).toBe(10_000);
  });

  it('a lost job measurement that reaches consecutiveErrorLimit makes the run Error, as any error would', () => {
    let run = runOf([jobMetric('smoke', { interval: '10s', consecutiveErrorLimit: 0 })]);
    run = beginMeasurement(run, 'smoke', 0);
    const out = recoverInterruptedMeasurements(run, 5_000);
    expect(out.run.phase).toBe('Error');
    expect(out.run.message).toContain('consecutiveErrors (1) > consecutiveErrorLimit (0)');
  });

  it('only metrics with a measurement in flight are touched; others keep their schedule', () => {
    const other = metric('latency', { interval: '30s', count: 5 });
    let run = runOf([prom, other]);
    run = beginMeasurement(beginMeasurement(run, 'error-rate', 0), 'latency', 0);
    run = completeMeasurement(run, 'latency', vector(0.1), 1_000);
    const out = recoverInterruptedMeasurements(run, 2_000);
    expect(out.recovered.map((x) => x.metricName)).toEqual(['error-rate']);
    expect(out.run.metricResults[1]).toEqual(run.metricResults[1]);
  });

  it('leaves runs with nothing in flight, and completed runs, as they are (same object)', () => {
    const idle = runOf([prom]);
    expect(recoverInterruptedMeasurements(idle, 1_000)).toEqual({ run: idle, recovered: [] });
    const done = terminateRun(beginMeasurement(runOf([prom]), 'error-rate', 0), 1_000);
    expect(recoverInterruptedMeasurements(done, 2_000).run).toBe(done);
  });
});
