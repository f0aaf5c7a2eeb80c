import { describe, expect, it } from 'vitest';
import type { MetricSpec } from '../spec/types.js';
import { createAnalysisRun } from './create-run.js';
import { job, metric, providerError, runOf, template, vector } from './fixtures.test-util.js';
import { beginMeasurement, completeMeasurement, completeMeasurements, measurementsInFlight, terminateRun, UnknownMetricError } from './measure.js';
import type { ProviderResult } from './provider-result.js';
import { dueMeasurements, nextWakeAt } from './schedule.js';
import type { AnalysisRunState } from './types.js';

/**
 * Runs `run` on a virtual clock the way the engine will: wake at nextWakeAt, take what is due,
 * hand each result back. Returns the final run and the measurement log `[t, metric, phase]`.
 */
function drive(
  start: AnalysisRunState,
  answer: (metric: string, t: number) => ProviderResult,
  until = 24 * 3_600_000,
): { run: AnalysisRunState; log: [number, string, string][] } {
  let run = start;
  const log: [number, string, string][] = [];
  for (;;) {
    const t = nextWakeAt(run);
    if (t === undefined || t > until) return { run, log };
    const due = dueMeasurements(run, t);
    // nextWakeAt must never wake the engine for nothing.
    expect(due.length).toBeGreaterThan(0);
    for (const d of due) {
      run = completeMeasurement(run, d.metricName, answer(d.metricName, t), t);
      const r = run.metricResults.find((x) => x.name === d.metricName);
      log.push([t / 1000, d.metricName, r?.measurements.at(-1)?.phase ?? '?']);
    }
  }
}

/** The seed design's frontend analysis (examples/tbyte/frontend-analysis.yaml). */
const seedMetrics: MetricSpec[] = [
  metric('pod-ready-ratio', { interval: '10s', count: 3, successCondition: 'result[0] >= 0.8', failureLimit: 2 }),
  metric('error-rate', { interval: '30s', count: 3, successCondition: 'result[0] <= 0.05', failureLimit: 1 }),
  metric('response-time-p95', { interval: '30s', count: 3, successCondition: 'result[0] <= 0.5', failureLimit: 1 }),
];
/** Healthy answers for the seed metrics: all pods ready, 1 % errors, 200 ms p95. */
const healthy = (m: string): ProviderResult => vector(m === 'pod-ready-ratio' ? 1 : m === 'error-rate' ? 0.01 : 0.2);
const seedRun = (now: number) =>
  createAnalysisRun(
    { name: 'frontend-2-1', kind: 'Step', templates: [template('tbyte-microservices-frontend-analysis', seedMetrics)], args: [], dryRun: [], measurementRetention: [] },
    now,
  );

describe('the seed analysis', () => {
  it('passes with good metrics once every metric has its 3 measurements', () => {
    const { run, log } = drive(seedRun(30_000), healthy);
    expect(run.phase).toBe('Successful');
    expect(run.message).toBeUndefined();
    expect(run.completedAt).toBe(90_000);
    expect(log.filter(([, m]) => m === 'pod-ready-ratio').map(([t]) => t)).toEqual([30, 40, 50]);
    expect(log.filter(([, m]) => m === 'error-rate').map(([t]) => t)).toEqual([30, 60, 90]);
    expect(run.metricResults.map((r) => [r.name, r.phase, r.count, r.successful])).toEqual([
      ['pod-ready-ratio', 'Successful', 3, 3],
      ['error-rate', 'Successful', 3, 3],
      ['response-time-p95', 'Successful', 3, 3],
    ]);
  });

  it('fails at t=90 when the error rate goes 0.01, 0.09, 0.09', () => {
    const errorRates = [0.01, 0.09];
    let n = 0;
    const { run } = drive(seedRun(30_000), (m) => (m === 'error-rate' ? vector(errorRates[Math.min(n++, errorRates.length - 1)] as number) : healthy(m)));
    expect(run.phase).toBe('Failed');
    expect(run.message).toBe('Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)');
    expect(run.completedAt).toBe(90_000);
    const errorRate = run.metricResults[1];
    expect(errorRate).toMatchObject({ phase: 'Failed', count: 3, successful: 1, failed: 2 });
    expect(errorRate?.measurements.map((m) => [m.value, m.phase, m.finishedAt])).toEqual([
      ['[0.01]', 'Successful', 30_000],
      ['[0.09]', 'Failed', 60_000],
      ['[0.09]', 'Failed', 90_000],
    ]);
    // Fail fast: response-time-p95 had no measurement at 90 yet and is stopped, not failed.
    expect(run.metricResults[2]).toMatchObject({ phase: 'Successful', count: 2 });
  });
});

describe('run phase and message', () => {
  it('errors after consecutiveErrorLimit + 1 errors, quoting the last error', () => {
    const { run, log } = drive(runOf([metric('x', { successCondition: 'result[0] < 1' })]), () => providerError('connection refused'));
    expect(log.map(([t]) => t)).toEqual([0, 10, 20, 30, 40]);
    expect(run.phase).toBe('Error');
    expect(run.message).toBe('Metric "x" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: connection refused"');
    expect(run.metricResults[0]).toMatchObject({ phase: 'Error', message: 'connection refused', error: 5, count: 0 });
  });

  it('is Inconclusive when neither condition holds', () => {
    let run = runOf([metric('m', { successCondition: 'result[0] < 0.05', failureCondition: 'result[0] > 0.1' })]);
    run = completeMeasurement(run, 'm', vector(0.07), 0);
    expect(run.phase).toBe('Inconclusive');
    expect(run.message).toBe('Metric "m" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)');
  });

  it('stops every metric as soon as a real metric fails (fail fast)', () => {
    let run = runOf([metric('slow', { interval: '10s', count: 10 }), metric('gate', { successCondition: 'result[0] > 0.5' })]);
    run = completeMeasurement(run, 'slow', vector(1), 0);
    run = completeMeasurement(run, 'gate', vector(0.1), 0);
    expect(run.phase).toBe('Failed');
    expect(run.message).toBe('Metric "gate" assessed Failed due to failed (1) > failureLimit (0)');
    expect(run.metricResults.map((r) => r.phase)).toEqual(['Successful', 'Failed']);
    expect(dueMeasurements(run, 10_000)).toEqual([]);
    expect(nextWakeAt(run)).toBeUndefined();
    // A late answer for a finished run changes nothing.
    expect(completeMeasurement(run, 'slow', vector(1), 10_000)).toBe(run);
  });

  it('takes the worst phase of the real metrics', () => {
    let run = runOf([metric('ok'), metric('bad', { interval: '10s', count: 2, failureLimit: 1, successCondition: 'result[0] > 0.5' })]);
    run = completeMeasurement(run, 'ok', vector(1), 0);
    expect(run.phase).toBe('Running');
    run = completeMeasurement(run, 'bad', vector(0), 0);
    run = completeMeasurement(run, 'bad', vector(0), 10_000);
    expect(run.phase).toBe('Failed');
    expect(run.message).toBe('Metric "bad" assessed Failed due to failed (2) > failureLimit (1)');
  });

  it('ignores dry-run metrics, giving them their own message', () => {
    let run = runOf([metric('real', { interval: '10s', count: 2 }), metric('trial', { successCondition: 'result[0] > 0.5' })], { dryRun: [{ metricName: 'trial' }] });
    run = completeMeasurement(run, 'trial', vector(0), 0);
    run = completeMeasurement(run, 'real', vector(1), 0);
    expect(run.phase).toBe('Running');
    expect(run.metricResults[1]).toMatchObject({ phase: 'Failed', dryRun: true, message: 'Metric assessed Failed due to failed (1) > failureLimit (0)' });
    run = completeMeasurement(run, 'real', vector(1), 10_000);
    expect(run.phase).toBe('Successful');
    expect(run.message).toBeUndefined();
  });

  it('is Successful when every metric is dry-run, whatever they say', () => {
    let run = runOf([metric('trial', { successCondition: 'false' })], { dryRun: [{ metricName: '.*' }] });
    run = completeMeasurement(run, 'trial', vector(0), 0);
    expect(run.phase).toBe('Successful');
  });

  describe('consecutiveSuccessLimit (count 5)', () => {
    const run5 = (failureLimit: number) => runOf([metric('m', { interval: '1s', count: 5, failureLimit, consecutiveSuccessLimit: 3, successCondition: 'result[0] > 0.5' })]);
    const feed = (run: AnalysisRunState, seq: string) =>
      [...seq].reduce((r, c, i) => completeMeasurement(r, 'm', vector(c === 'S' ? 1 : 0), i * 1000), run);

    it('S F S S S -> Successful at the 5th', () => {
      const run = feed(run5(2), 'SFSSS');
      expect([run.phase, run.message, run.completedAt]).toEqual(['Successful', undefined, 4000]);
    });
    it('S S S -> Successful early, before the count', () => {
      expect(feed(run5(2), 'SSS')).toMatchObject({ phase: 'Successful', completedAt: 2000 });
    });
    it('F S S F S with both limits active -> Inconclusive at the count', () => {
      const run = feed(run5(2), 'FSSFS');
      expect([run.phase, run.message]).toEqual(['Inconclusive', undefined]);
    });
    it('F S S F S with failureLimit -1 -> Failed at the count', () => {
      const run = feed(run5(-1), 'FSSFS');
      expect([run.phase, run.message]).toEqual(['Failed', undefined]);
    });
    it('F F F -> Failed on the failure limit', () => {
      const run = feed(run5(2), 'FFF');
      expect([run.phase, run.message]).toEqual(['Failed', 'Metric "m" assessed Failed due to failed (3) > failureLimit (2)']);
    });
  });
});

describe('measurement retention', () => {
  it('keeps the last 10 measurements by default and every count', () => {
    const { run } = drive(runOf([metric('m', { interval: '10s', count: 15 })]), () => vector(1));
    const r = run.metricResults[0];
    expect(r?.count).toBe(15);
    expect(r?.measurements).toHaveLength(10);
    expect(r?.measurements[0]?.finishedAt).toBe(50_000);
  });

  it('keeps what measurementRetention says', () => {
    const { run } = drive(runOf([metric('m', { interval: '10s', count: 15 })], { measurementRetention: [{ metricName: 'm', limit: 3 }] }), () => vector(1));
    expect(run.metricResults[0]?.measurements.map((m) => m.finishedAt)).toEqual([120_000, 130_000, 140_000]);
  });
});

describe('long measurements and termination', () => {
  it('runs a job from beginMeasurement to completeMeasurement', () => {
    let run = runOf([metric('migrate')]);
    run = beginMeasurement(run, 'migrate', 1_000, { 'job-name': 'migrate-1' });
    expect(run.metricResults[0]).toMatchObject({ phase: 'Running', measurements: [{ phase: 'Running', startedAt: 1_000, metadata: { 'job-name': 'migrate-1' } }] });
    expect(dueMeasurements(run, 50_000)).toEqual([]);
    // A second begin while one is in flight changes nothing.
    expect(beginMeasurement(run, 'migrate', 2_000)).toBe(run);
    run = completeMeasurement(run, 'migrate', job('Failed', 'exit code 3'), 9_000);
    expect(run.metricResults[0]?.measurements).toEqual([
      { phase: 'Failed', message: 'exit code 3', startedAt: 1_000, finishedAt: 9_000, metadata: { 'job-name': 'migrate-1' } },
    ]);
    expect(run.phase).toBe('Failed');
    expect(run.message).toBe('Metric "migrate" assessed Failed due to failed (1) > failureLimit (0): "Error Message: exit code 3"');
  });

  it('ends a job in flight as "Metric Terminated" when another metric fails the run', () => {
    let run = runOf([metric('job'), metric('gate', { successCondition: 'result[0] > 0.5' })]);
    run = beginMeasurement(run, 'job', 0);
    expect(measurementsInFlight(run)).toEqual(['job']);
    const before = run;
    run = completeMeasurement(run, 'gate', vector(0), 1_000);
    expect([run.phase, run.message]).toEqual(['Failed', 'Metric "gate" assessed Failed due to failed (1) > failureLimit (0)']);
    // The engine stops what was in flight before the run completed.
    expect(measurementsInFlight(before)).toEqual(['job']);
    expect(measurementsInFlight(run)).toEqual([]);
    expect(run.metricResults[0]).toMatchObject({
      phase: 'Successful',
      message: 'Metric Terminated',
      measurements: [{ phase: 'Successful', message: 'Metric Terminated', startedAt: 0, finishedAt: 1_000 }],
    });
    // The killed job's answer comes too late to change anything.
    expect(completeMeasurement(run, 'job', job('Inconclusive', 'terminated'), 2_000)).toBe(run);
  });

  it('terminates a background run: Successful, "Run Terminated"', () => {
    let run = runOf([metric('bg', { interval: '10s' })]);
    run = completeMeasurement(run, 'bg', vector(1), 0);
    run = completeMeasurement(run, 'bg', vector(1), 10_000);
    run = terminateRun(run, 15_000);
    expect([run.phase, run.message, run.completedAt, run.terminated]).toEqual(['Successful', 'Run Terminated', 15_000, true]);
    expect(run.metricResults[0]).toMatchObject({ phase: 'Successful', count: 2 });
  });

  it('ends an in-flight measurement as "Metric Terminated"', () => {
    let run = runOf([metric('job', { interval: '10s' })]);
    run = beginMeasurement(run, 'job', 0);
    run = terminateRun(run, 4_000);
    expect(run.metricResults[0]?.measurements).toEqual([{ phase: 'Successful', message: 'Metric Terminated', startedAt: 0, finishedAt: 4_000 }]);
    expect(run.phase).toBe('Successful');
    expect(run.message).toBe('Run Terminated');
  });

  it('terminates a run with no measurement yet as Successful', () => {
    const run = terminateRun(runOf([metric('late', { initialDelay: '5m' })]), 1_000);
    expect([run.phase, run.message]).toEqual(['Successful', 'Run Terminated']);
  });

  it('does not change a completed run', () => {
    let run = runOf([metric('m', { successCondition: 'false' })]);
    run = completeMeasurement(run, 'm', vector(1), 0);
    expect(terminateRun(run, 1_000)).toBe(run);
  });
});

describe('state handling', () => {
  it('never mutates its input and stays plain JSON', () => {
    const start = runOf([metric('a', { interval: '10s', count: 3, successCondition: 'result[0] > 0.5' }), metric('b', { interval: '10s' })]);
    const snapshot = JSON.stringify(start);
    let run = completeMeasurement(start, 'a', vector(1), 0);
    run = beginMeasurement(run, 'b', 0);
    const before = JSON.stringify(run);
    const after = terminateRun(run, 5_000);
    expect(JSON.stringify(start)).toBe(snapshot);
    expect(JSON.stringify(run)).toBe(before);
    expect(JSON.parse(JSON.stringify(after))).toStrictEqual(after);
    expect(JSON.parse(snapshot)).toStrictEqual(start);
  });

  it('rejects an unknown metric name with a typed error', () => {
    const run = runOf([metric('a')]);
    expect(() => completeMeasurement(run, 'nope', vector(1), 0)).toThrow(UnknownMetricError);
    try {
      beginMeasurement(run, 'nope', 0);
    } catch (err) {
      expect((err as UnknownMetricError).code).toBe('analysis-metric');
    }
  });
});

describe('completeMeasurements', () => {
  const twoMetrics = (now: number): AnalysisRunState =>
    createAnalysisRun(
      {
        name: 'r',
        kind: 'Step',
        templates: [template('t', [metric('a', { successCondition: 'result[0] < 1' }), metric('b', { interval: '10s', count: 3, successCondition: 'result[0] < 1' })])],
        args: [],
        dryRun: [],
        measurementRetention: [],
      },
      now,
    );

  it('keeps every measurement taken together, though one of them fails the run', () => {
    let run = twoMetrics(0);
    for (const d of dueMeasurements(run, 0)) run = beginMeasurement(run, d.metricName, 0);
    run = completeMeasurements(
      run,
      [
        { metricName: 'a', result: vector(5) },
        { metricName: 'b', result: vector(0.5) },
      ],
      0,
    );
    expect(run.phase).toBe('Failed');
    expect(run.message).toBe('Metric "a" assessed Failed due to failed (1) > failureLimit (0)');
    expect(run.metricResults.map((r) => [r.name, r.measurements.map((m) => m.phase), r.count])).toEqual([
      ['a', ['Failed'], 1],
      ['b', ['Successful'], 1],
    ]);
  });

  it('one result at a time, the first failure ends the run and a later result is ignored', () => {
    let run = twoMetrics(0);
    run = completeMeasurement(run, 'a', vector(5), 0);
    run = completeMeasurement(run, 'b', vector(0.5), 0);
    expect(run.metricResults.find((r) => r.name === 'b')?.measurements).toEqual([]);
  });

  it('ignores results for a run that has already completed', () => {
    const done = completeMeasurement(twoMetrics(0), 'a', vector(5), 0);
    expect(completeMeasurements(done, [{ metricName: 'b', result: vector(0.5) }], 5)).toBe(done);
  });
});
