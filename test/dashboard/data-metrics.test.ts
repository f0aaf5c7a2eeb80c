/** The dashboard's metric charts' data: thresholds from conditions, numbers from measurement values. */
import { describe, expect, it } from 'vitest';
import { formatValue, measuredNumber, measurementPoints, thresholdOf, thresholdsOf, valueRange } from '../../dashboard/src/data/metrics.js';

describe('thresholdOf', () => {
  it('reads the conditions of the tbyte templates', () => {
    expect(thresholdOf('result[0] <= 0.05', 'success')).toEqual({ of: 'success', op: '<=', value: 0.05, condition: 'result[0] <= 0.05' });
    expect(thresholdOf('result[0] >= 0.8', 'success')?.value).toBe(0.8);
    expect(thresholdOf('result > 100', 'failure')).toMatchObject({ op: '>', value: 100 });
  });
  it('reads a number on the left, turning the comparison round', () => {
    expect(thresholdOf('0.8 <= result[0]', 'success')).toMatchObject({ op: '>=', value: 0.8 });
  });
  it('finds the comparison inside a larger condition', () => {
    expect(thresholdOf('len(result) == 0 || result[0] < 1e-3', 'success')).toMatchObject({ op: '<', value: 0.001 });
    expect(thresholdOf('isNaN(result[0]) || result[0] <= 0.5', 'success')).toMatchObject({ op: '<=', value: 0.5 });
  });
  it('draws nothing for a condition it cannot draw', () => {
    expect(thresholdOf('result[1] < 5', 'success')).toBeUndefined();
    expect(thresholdOf('result.status == "ok"', 'success')).toBeUndefined();
    expect(thresholdOf('asInt(result) < limit', 'success')).toBeUndefined();
    expect(thresholdOf(undefined, 'success')).toBeUndefined();
  });
  it('gives both thresholds of a metric', () => {
    expect(thresholdsOf({ successCondition: 'result[0] <= 0.05', failureCondition: 'result[0] > 0.2' }).map((t) => [t.of, t.value])).toEqual([['success', 0.05], ['failure', 0.2]]);
  });
});

describe('measurement values', () => {
  it('reads the numbers as providers write them', () => {
    expect(measuredNumber('[0.0123]')).toBe(0.0123);
    expect(measuredNumber('0.5')).toBe(0.5);
    expect(measuredNumber('[1, 2]')).toBe(1);
    expect(measuredNumber('[NaN]')).toBeUndefined();
    expect(measuredNumber('[]')).toBeUndefined();
    expect(measuredNumber('')).toBeUndefined();
    expect(measuredNumber(undefined)).toBeUndefined();
    expect(measuredNumber('{"a":1}')).toBeUndefined();
  });
  it('keeps each point with its phase, an Error with no number', () => {
    expect(measurementPoints([{ phase: 'Successful', value: '[0]', startedAt: 5 }, { phase: 'Error', message: 'connection refused' }, { phase: 'Failed', value: '[0.3]' }])).toEqual([
      { index: 0, phase: 'Successful', value: 0, at: 5 },
      { index: 1, phase: 'Error', message: 'connection refused' },
      { index: 2, phase: 'Failed', value: 0.3 },
    ]);
  });
  it('ranges from 0 to above the highest value or threshold', () => {
    expect(valueRange([{ index: 0, phase: 'Successful', value: 0.01 }], [{ of: 'success', op: '<=', value: 0.05, condition: '' }]).max).toBeCloseTo(0.0575);
    expect(valueRange([{ index: 0, phase: 'Successful', value: -2 }], []).min).toBe(-2);
    expect(valueRange([], [])).toEqual({ min: 0, max: 1 });
  });
  it('labels numbers briefly', () => {
    expect([0.05, 0.123456, 1250, 2_500_000, 0].map(formatValue)).toEqual(['0.05', '0.123', '1.25k', '2.5M', '0']);
  });
});
