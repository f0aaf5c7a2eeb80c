import { describe, expect, it } from 'vitest';
import { metric, prometheus, providerError, runOf, template, vector } from './fixtures.test-util.js';
import { beginMeasurement, completeMeasurement, terminateRun } from './measure.js';
import { dueMeasurements, nextWakeAt } from './schedule.js';

const names = (run: Parameters<typeof dueMeasurements>[0], now: number) => dueMeasurements(run, now).map((d) => d.metricName);

describe('dueMeasurements / nextWakeAt', () => {
  it('takes the first measurement at the start of the run', () => {
    const run = runOf([metric('a'), metric('b')], {}, 5_000);
    expect(names(run, 4_999)).toEqual([]);
    expect(names(run, 5_000)).toEqual(['a', 'b']);
    expect(nextWakeAt(run)).toBe(5_000);
  });

  it('hands out the provider with arguments substituted', () => {
    const run = runOf([], {
      templates: [template('t', [metric('a', { provider: { ...prometheus, query: 'up{job="{{args.job}}"}' } })], { args: [{ name: 'job', value: 'shop' }] })],
    });
    expect(dueMeasurements(run, 0)).toEqual([{ metricName: 'a', provider: { ...prometheus, query: 'up{job="shop"}' } }]);
  });

  it('waits for initialDelay before the first measurement', () => {
    const run = runOf([metric('late', { initialDelay: '1m' }), metric('now')], {}, 1_000);
    expect(names(run, 1_000)).toEqual(['now']);
    const after = completeMeasurement(run, 'now', vector(1), 1_000);
    expect(nextWakeAt(after)).toBe(61_000);
    expect(names(after, 60_999)).toEqual([]);
    expect(names(after, 61_000)).toEqual(['late']);
  });

  it('spaces measurements by interval from the previous finish', () => {
    let run = runOf([metric('m', { interval: '30s', count: 3 })]);
    run = completeMeasurement(run, 'm', vector(1), 2_000);
    expect(nextWakeAt(run)).toBe(32_000);
    expect(names(run, 31_999)).toEqual([]);
    expect(names(run, 32_000)).toEqual(['m']);
  });

  it('retries 10 s after an Error whatever the interval, and the error does not use up count', () => {
    let run = runOf([metric('m', { interval: '60s', count: 2 })]);
    run = completeMeasurement(run, 'm', vector(1), 0);
    run = completeMeasurement(run, 'm', providerError('timeout'), 60_000);
    expect(nextWakeAt(run)).toBe(70_000);
    expect(names(run, 70_000)).toEqual(['m']);
    run = completeMeasurement(run, 'm', vector(1), 70_000);
    expect(run.metricResults[0]).toMatchObject({ phase: 'Successful', count: 2, error: 1, consecutiveError: 0 });
    expect(run.phase).toBe('Successful');
    expect(nextWakeAt(run)).toBeUndefined();
    expect(names(run, 1e9)).toEqual([]);
  });

  it('retries 10 s after an Error when the metric has no interval', () => {
    let run = runOf([metric('once')]);
    run = completeMeasurement(run, 'once', providerError('refused'), 0);
    expect(run.phase).toBe('Running');
    expect(nextWakeAt(run)).toBe(10_000);
  });

  it('takes nothing more once the count is reached', () => {
    let run = runOf([metric('a', { interval: '10s', count: 1 }), metric('b', { interval: '10s', count: 2 })]);
    run = completeMeasurement(run, 'a', vector(1), 0);
    run = completeMeasurement(run, 'b', vector(1), 0);
    expect(names(run, 10_000)).toEqual(['b']);
    expect(nextWakeAt(run)).toBe(10_000);
  });

  it('skips a metric with a measurement in flight', () => {
    let run = runOf([metric('job', { interval: '10s' }), metric('prom', { interval: '30s' })]);
    run = beginMeasurement(run, 'job', 0);
    run = completeMeasurement(run, 'prom', vector(1), 0);
    expect(names(run, 100_000)).toEqual(['prom']);
    expect(nextWakeAt(run)).toBe(30_000);
  });

  it('has nothing to take once the run is terminated', () => {
    let run = runOf([metric('m', { interval: '10s' })]);
    run = completeMeasurement(run, 'm', vector(1), 0);
    run = terminateRun(run, 5_000);
    expect(names(run, 10_000)).toEqual([]);
    expect(nextWakeAt(run)).toBeUndefined();
  });
});
