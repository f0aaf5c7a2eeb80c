import { describe, expect, it } from 'vitest';
import { formatGoFloat, formatGoJson, formatSampleValue, parseSampleValue } from './go-format.js';

describe('formatGoFloat %v', () => {
  // Expected strings are what Go's fmt.Sprint(float64) prints.
  it.each([
    [0, '0'],
    [1, '1'],
    [0.5, '0.5'],
    [0.01, '0.01'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [0.000012345, '1.2345e-05'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [1e21, '1e+21'],
    [1.5e300, '1.5e+300'],
    [5e-324, '5e-324'],
    [-0.25, '-0.25'],
    [-1e6, '-1e+06'],
    [-0, '-0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%s -> %s', (x, want) => {
    expect(formatGoFloat(x)).toBe(want);
  });
});

describe('formatGoFloat f (Prometheus SampleValue.String)', () => {
  it.each([
    [0, '0'],
    [0.00001, '0.00001'],
    [1e6, '1000000'],
    [1.5e-7, '0.00000015'],
    [123.456, '123.456'],
    [1e21, '1000000000000000000000'],
    [-0.5, '-0.5'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
  ])('%s -> %s', (x, want) => {
    expect(formatGoFloat(x, 'f')).toBe(want);
    expect(formatSampleValue(x)).toBe(want);
  });
});

describe('parseSampleValue', () => {
  it('reads Prometheus sample strings including the non-finite spellings', () => {
    expect(parseSampleValue('0.5')).toBe(0.5);
    expect(parseSampleValue('1e-05')).toBe(0.00001);
    expect(parseSampleValue('+Inf')).toBe(Infinity);
    expect(parseSampleValue('-Inf')).toBe(-Infinity);
    expect(parseSampleValue('NaN')).toBeNaN();
  });
  it('rejects what is not a sample', () => {
    expect(parseSampleValue('abc')).toBeUndefined();
    expect(parseSampleValue('')).toBeUndefined();
    expect(parseSampleValue(0.5)).toBeUndefined();
  });
});

describe('formatGoJson', () => {
  it('sorts object keys and escapes HTML characters as Go json.Marshal does', () => {
    expect(formatGoJson({ b: 1, a: { d: true, c: null } })).toBe('{"a":{"c":null,"d":true},"b":1}');
    expect(formatGoJson('<a&b>')).toBe('"\\u003ca\\u0026b\\u003e"');
    expect(formatGoJson([0.5, 1e-7, 1e21])).toBe('[0.5,1e-7,1e+21]');
  });
});
