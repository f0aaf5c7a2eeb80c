import { describe, expect, it } from 'vitest';
import { judgeMetricDefaults, type JudgeMetricConfig } from './judge-config.js';
import { classifyMetric, type MetricClassification } from './judge-metric.js';
import { scoreJudgement } from './judge-score.js';

type Partial1 = Parameters<typeof judgeMetricDefaults>[1];

// Cases of Kayenta's ClassifierSuite.scala (kayenta-judge tests), by test name: the classifier
// there is built with tolerance 0.10 and confLevel 0.95, so these are too.
const HIGH_EXP = [20, 22, 21, 25, 30];
const HIGH_CTRL = [1, 2.2, 1.1, 2.5, 3];
const CASES: [string, Partial1, number[], number[], MetricClassification['label'], boolean][] = [
  ['Mean Ratio Effect Size: High', { effectSize: { allowedDecrease: 0.8, allowedIncrease: 1.2 } }, HIGH_EXP, HIGH_CTRL, 'High', false],
  ['Mean Ratio Effect Size: Pass', { effectSize: { allowedDecrease: 0.5, allowedIncrease: 1 } }, [10, 12.2, 10.1, 12.5, 23], [20, 22, 21, 25, 30], 'Pass', false],
  ['Critical Effect Size: Critical High', { critical: true, effectSize: { criticalDecrease: 1, criticalIncrease: 1.2 } }, HIGH_EXP, HIGH_CTRL, 'High', true],
  ['Critical Effect Size: Critical Low', { critical: true, effectSize: { criticalDecrease: 1.2, criticalIncrease: 1 } }, [2, 2, 2, 2, 3], [10, 20.2, 10.1, 20.5, 30], 'Low', true],
  ['Critical Effect Size: High', { critical: true, effectSize: { allowedDecrease: 1, allowedIncrease: 5, criticalDecrease: 1, criticalIncrease: 13 } }, HIGH_EXP, HIGH_CTRL, 'High', false],
  ['Critical Effect Size: Pass', { critical: true, effectSize: { allowedDecrease: 1, allowedIncrease: 13, criticalDecrease: 1, criticalIncrease: 15 } }, HIGH_EXP, HIGH_CTRL, 'Pass', false],
  ['Critical Effect Size: Critical High (Default Thresholds)', { critical: true }, HIGH_EXP, HIGH_CTRL, 'High', true],
  ['Tied Observations', { direction: 'decrease' }, [1, 1, 1], [1, 1], 'Pass', false],
  ['Identical Populations', { direction: 'decrease' }, [1, 2, 3, 4, 5], [5, 4, 3, 2, 1], 'Pass', false],
  ['Leading Zero Identical Population', { direction: 'decrease' }, [0, 1, 1, 1, 1], [1, 1, 1, 1, 1], 'Pass', false],
  ['Missing Experiment Data', { direction: 'decrease' }, [], [1, 2, 3, 4, 5], 'Nodata', false],
  ['Missing Experiment Data: Critical Metric', { direction: 'decrease', critical: true }, [], [1, 2, 3, 4, 5], 'Nodata', true],
  ['Missing Experiment Data with NaN Replacement', { nanStrategy: 'replace' }, [], [1, 2, 3, 4, 5], 'Pass', false],
  // Direction: a High in a metric judged on decreases only is a Pass.
  ['(direction) High filtered by decrease', { direction: 'decrease' }, HIGH_EXP, HIGH_CTRL, 'Pass', false],
  ['(mustHaveData) missing data fails the metric', { mustHaveData: true }, [], [1, 2], 'NodataFailMetric', false],
];

describe('classifyMetric: Kayenta ClassifierSuite cases', () => {
  it.each(CASES)('%s', (_name, partial, canary, baseline, label, critical) => {
    const cfg: JudgeMetricConfig = judgeMetricDefaults('m', { tolerance: 0.1, confLevel: 0.95, ...partial });
    const r = classifyMetric(cfg, { kind: 'series', canary, baseline });
    expect(r.label).toBe(label);
    expect(r.critical).toBe(critical);
  });

  it('a verdict carries its numbers', () => {
    const r = classifyMetric(judgeMetricDefaults('latency', { confLevel: 0.95 }), { kind: 'series', canary: HIGH_EXP, baseline: HIGH_CTRL });
    expect(r.numbers).toMatchObject({ test: 'mannWhitney', canaryCount: 5, baselineCount: 5, statistic: 25, confLevel: 0.95, allowedIncrease: 1 });
    expect(r.numbers.effectSize).toBeCloseTo(23.6 / 1.96, 10);
    expect(r.numbers.confInt?.[0]).toBeGreaterThan(0);
    expect(r.reason).toBe('The metric latency was classified as High');
  });

  it('NaN strategy: removed by default, counted as 0 with replace', () => {
    const nan = Number.NaN;
    const removed = classifyMetric(judgeMetricDefaults('m'), { kind: 'series', canary: [1, nan, 2, nan], baseline: [1, 2] });
    expect(removed.numbers.canaryCount).toBe(2);
    const replaced = classifyMetric(judgeMetricDefaults('m', { nanStrategy: 'replace' }), { kind: 'series', canary: [1, nan, 2, nan], baseline: [1, 2] });
    expect(replaced.numbers.canaryCount).toBe(4);
    expect(replaced.numbers.canaryMean).toBe(0.75);
  });
});

describe('what Kayenta misses', () => {
  it('a spread increase with an unchanged median is High on the spread test and Pass on Mann-Whitney', () => {
    // Baseline log-latency near 50 ms; the canary's median is the same but half its requests
    // take 3x or a third of the time.
    const baseline = Array.from({ length: 60 }, (_, i) => 0.05 * (1 + 0.05 * Math.sin(i)));
    const canary = baseline.map((v, i) => (i % 4 === 0 ? v * 3 : i % 4 === 2 ? v / 3 : v));
    const spread = classifyMetric(judgeMetricDefaults('latency', { test: 'spread' }), { kind: 'series', canary, baseline });
    expect(spread.label).toBe('High');
    expect(spread.numbers.effectSize).toBeGreaterThan(2);
    expect(spread.numbers.pValue).toBeLessThan(0.02);
    const location = classifyMetric(judgeMetricDefaults('latency'), { kind: 'series', canary, baseline });
    expect(location.label).toBe('Pass');
  });

  it('sparse errors: 6 canary errors in 500 against 0 in 500 is High on the count test', () => {
    const r = classifyMetric(judgeMetricDefaults('errors', { test: 'count', direction: 'increase' }), { kind: 'counts', canary: { events: 6, total: 500 }, baseline: { events: 0, total: 500 } });
    expect(r.label).toBe('High');
    expect(r.numbers.pValue).toBeCloseTo(0.0153, 3);
    // At 2 against 0 the evidence is not enough at 0.98.
    const weak = classifyMetric(judgeMetricDefaults('errors', { test: 'count' }), { kind: 'counts', canary: { events: 2, total: 500 }, baseline: { events: 0, total: 500 } });
    expect(weak.label).toBe('Pass');
    const none = classifyMetric(judgeMetricDefaults('errors', { test: 'count' }), { kind: 'counts', canary: { events: 0, total: 0 }, baseline: { events: 0, total: 500 } });
    expect(none.label).toBe('Nodata');
  });
});

describe('scoreJudgement (Kayenta WeightedSumScorer)', () => {
  const m = (name: string, label: MetricClassification['label'], groups: string[], extra: Partial<MetricClassification> = {}): MetricClassification => ({
    name,
    label,
    groups,
    critical: false,
    muted: false,
    numbers: { test: 'mannWhitney', canaryCount: 1, baselineCount: 1, confLevel: 0.98, allowedIncrease: 1, allowedDecrease: 1 },
    ...extra,
  });

  it('the worked example: 0.6 · 50 + 0.4 · 100 = 70', () => {
    const metrics = [m('e1', 'Pass', ['errors']), m('e2', 'High', ['errors']), m('l1', 'Pass', ['latency'])];
    const r = scoreJudgement(metrics, { groupWeights: { errors: 60 }, scoreThresholds: { pass: 95, marginal: 75 } });
    expect(r.score).toBe(70);
    expect(r.verdict).toBe('Fail');
    expect(scoreJudgement(metrics, { groupWeights: { errors: 60 }, scoreThresholds: { pass: 95, marginal: 60 } }).verdict).toBe('Marginal');
  });

  it('a critical failure scores 0 with its reason; muted metrics do not count; half Nodata scores 0', () => {
    const crit = scoreJudgement([m('a', 'Pass', ['g']), m('b', 'High', ['g'], { critical: true, reason: 'The metric b was classified as High (Critical)' })], { groupWeights: {}, scoreThresholds: { pass: 90, marginal: 50 } });
    expect(crit.score).toBe(0);
    expect(crit.reason).toBe('Canary Failed: The metric b was classified as High (Critical)');
    const muted = scoreJudgement([m('a', 'Pass', ['g']), m('b', 'High', ['g'], { muted: true })], { groupWeights: {}, scoreThresholds: { pass: 90, marginal: 50 } });
    expect(muted.score).toBe(100);
    const nodata = scoreJudgement([m('a', 'Pass', ['g']), m('b', 'Nodata', ['h'])], { groupWeights: {}, scoreThresholds: { pass: 90, marginal: 50 } });
    expect(nodata.score).toBe(0);
    expect(nodata.verdict).toBe('Fail');
  });
});
