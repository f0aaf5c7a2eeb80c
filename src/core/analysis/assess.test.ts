import { describe, expect, it } from 'vitest';
import { assessMetric, assessMetricLimits, isWorse } from './assess.js';
import { prometheus } from './fixtures.test-util.js';
import type { Measurement, MetricResult, ResolvedMetric } from './types.js';

function metricWith(over: Partial<ResolvedMetric> = {}): ResolvedMetric {
  return {
    name: 'm',
    template: 't',
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    provider: prometheus,
    dryRun: false,
    measurementLimit: 10,
    ...over,
  };
}

const done: Measurement = { phase: 'Successful', startedAt: 0, finishedAt: 0 };

function resultWith(over: Partial<MetricResult> = {}): MetricResult {
  return {
    name: 'm',
    phase: 'Running',
    measurements: [done],
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    dryRun: false,
    ...over,
  };
}

describe('assessMetric (Argo assessMetricStatus)', () => {
  it.each<[string, Partial<ResolvedMetric>, Partial<MetricResult>, boolean, string]>([
    ['no measurement yet', {}, { measurements: [], phase: 'Pending' }, false, 'Pending'],
    ['no measurement, terminating', {}, { measurements: [], phase: 'Pending' }, true, 'Successful'],
    ['a measurement in flight', {}, { measurements: [{ phase: 'Running', startedAt: 0 }] }, false, 'Running'],
    ['a measurement in flight, terminating', {}, { measurements: [{ phase: 'Running', startedAt: 0 }] }, true, 'Running'],
    ['an already completed phase is kept', {}, { phase: 'Failed', failed: 0 }, false, 'Failed'],
    ['failed > failureLimit', { failureLimit: 1, count: 5, intervalMs: 1 }, { failed: 2, count: 2 }, false, 'Failed'],
    ['failed == failureLimit', { failureLimit: 1, count: 5, intervalMs: 1 }, { failed: 1, count: 1 }, false, 'Running'],
    ['failureLimit -1 disables failures', { failureLimit: -1, count: 5, intervalMs: 1 }, { failed: 4, count: 4 }, false, 'Running'],
    ['inconclusive > inconclusiveLimit', { count: 5, intervalMs: 1 }, { inconclusive: 1, count: 1 }, false, 'Inconclusive'],
    ['consecutive errors > limit', {}, { consecutiveError: 5, error: 5 }, false, 'Error'],
    ['consecutive errors == limit', {}, { consecutiveError: 4, error: 4 }, false, 'Running'],
    ['consecutiveSuccessLimit reached early', { consecutiveSuccessLimit: 2, count: 5, intervalMs: 1 }, { consecutiveSuccess: 2, count: 3 }, false, 'Successful'],
    ['count reached, no success limit', { count: 3, intervalMs: 1, failureLimit: 1 }, { count: 3, failed: 1 }, false, 'Successful'],
    ['count reached, both limits active', { count: 5, intervalMs: 1, failureLimit: 2, consecutiveSuccessLimit: 3 }, { count: 5, failed: 2, consecutiveSuccess: 1 }, false, 'Inconclusive'],
    ['count reached, only the success limit', { count: 5, intervalMs: 1, failureLimit: -1, consecutiveSuccessLimit: 3 }, { count: 5, failed: 3, consecutiveSuccess: 2 }, false, 'Failed'],
    ['one measurement without interval', {}, { count: 1 }, false, 'Successful'],
    ['an Error does not use up the count', {}, { count: 0, error: 1, consecutiveError: 1 }, false, 'Running'],
    ['unbounded (interval, no count)', { intervalMs: 1000 }, { count: 100 }, false, 'Running'],
    ['unbounded, terminating', { intervalMs: 1000 }, { count: 100 }, true, 'Successful'],
  ])('%s -> %s', (_what, metric, result, terminating, phase) => {
    expect(assessMetric(metricWith(metric), resultWith(result), terminating)).toBe(phase);
  });
});

describe('assessMetricLimits: later limits override earlier ones', () => {
  const m = metricWith({ failureLimit: 1, inconclusiveLimit: 1, consecutiveErrorLimit: 2 });
  it.each<[Partial<MetricResult>, string | undefined, string | undefined]>([
    [{ failed: 2 }, 'Failed', 'failed (2) > failureLimit (1)'],
    [{ failed: 2, inconclusive: 2 }, 'Inconclusive', 'inconclusive (2) > inconclusiveLimit (1)'],
    [{ failed: 2, inconclusive: 2, consecutiveError: 3 }, 'Error', 'consecutiveErrors (3) > consecutiveErrorLimit (2)'],
    [{ failed: 1, inconclusive: 1, consecutiveError: 2 }, undefined, undefined],
  ])('%j -> %s', (result, phase, reason) => {
    expect(assessMetricLimits(m, resultWith(result))).toEqual(phase ? { phase, reason } : {});
  });
});

describe('isWorse (Argo analysisStatusOrder)', () => {
  it('orders Successful < Running < Pending < Inconclusive < Error < Failed', () => {
    const order = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'] as const;
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        expect(isWorse(order[i] as (typeof order)[number], order[j] as (typeof order)[number])).toBe(j > i);
      }
    }
  });
});
