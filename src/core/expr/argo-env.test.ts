import { describe, expect, it } from 'vitest';
import {
  ARGO_CONDITION_NAMES, argoConditionEnv, compileCondition, compileExpr, evaluateCondition, ExprRuntimeError,
  ExprSyntaxError,
} from './index.js';

const check = (src: string, result: unknown): unknown => compileExpr(src).evaluate(argoConditionEnv(result));

describe('Argo conditions', () => {
  it.each<[string, unknown, boolean]>([
    // The seed's analysis templates.
    ['result[0] >= 0.8', [0.95], true],
    ['result[0] >= 0.8', [0.8], true],
    ['result[0] >= 0.8', [0.79], false],
    ['result[0] <= 0.05', [0.01], true],
    ['result[0] <= 0.05', [0.09], false],
    ['result[0] <= 0.5', [0.5], true],
    ['result[0] <= 0.5', [0.51], false],
    // Argo's docs.
    ['len(result) > 0 && result[0] > 0.9', [0.95], true],
    ['len(result) > 0 && result[0] > 0.9', [], false],
    ['all(result, {# < 0.5})', [0.1, 0.4], true],
    ['all(result, {# < 0.5})', [0.1, 0.6], false],
    ['isNaN(result) || result >= 0.95', NaN, true],
    ['isNaN(result) || result >= 0.95', 0.96, true],
    ['isNaN(result) || result >= 0.95', 0.9, false],
    ['result.data.ok == true', { data: { ok: true } }, true],
    ['result.data.ok == true', { data: { ok: 'true' } }, false],
    ['asInt(result) > 3', '4', true],
    ['asInt(result) > 3', 3.9, false],
    ['asFloat(result) >= 1.1', '1.1', true],
    ['default(result, 0) < 5', null, true],
    ['default(result, 0) < 5', 7, false],
    ['isNil(result)', null, true],
    ['isNil(result)', [], false],
    ['isInf(result)', Infinity, true],
    ['isInf(result)', -Infinity, true],
    ['isInf(result)', 1e308, false],
    // Argo's own evaluate_test.go.
    ['result == true', true, true],
    ['result == false', true, false],
    ['all(result.service_apdex.values.values, {# > 1})', { service_apdex: { label: null, values: { values: [2, 2] } } }, true],
    ['2 in result', [2, 2], true],
    ['result > 1', 5, true],
    ['asInt(result) == 1', '1', true],
    ['asInt(result) == 1', 1, true],
    ['asInt(result) == 1', 1.123, true],
    ['asFloat(result) == 1.1', '1.1', true],
    ['asFloat(result) == 1', 1, true],
    // Comparisons with NaN are false, not errors.
    ['result[0] > 0.5', [NaN], false],
    ['result[0] <= 0.5', [NaN], false],
  ])('%s with %j', (src, result, want) => {
    expect(check(src, result)).toBe(want);
  });

  it.each<[string, unknown, string]>([
    ['result > 1', [0.5], 'invalid operation: > (mismatched types []interface {} and int)'],
    ['result[0] >= 0.8', [], 'index out of range: 0 (array length is 0)'],
    ['result.data.ok', null, 'cannot fetch data from <nil>'],
    ['asInt(result) == 1', '1.1', 'strconv.ParseInt: parsing "1.1": invalid syntax'],
    ['asInt(result) > 0', 'notint', 'strconv.ParseInt: parsing "notint": invalid syntax'],
    ['asInt(result) > 0', [1, 2], 'asInt() not supported on []interface {} [1 2]'],
    ['asFloat(result) == 1.1', 'NotANum', 'strconv.ParseFloat: parsing "NotANum": invalid syntax'],
    ['asFloat(result) > 0', true, 'asFloat() not supported on bool true'],
    ['isNaN(result)', [1], 'cannot use []interface {} as argument (type float64) to call isNaN'],
    ['isInf(result)', 'x', 'cannot use string as argument (type float64) to call isInf'],
    ['invalidVariable', true, 'unknown name invalidVariable'],
  ])('%s with %j is an error', (src, result, message) => {
    expect(() => check(src, result)).toThrow(ExprRuntimeError);
    expect(() => check(src, result)).toThrow(message);
  });

  it('binds isNil and default to the result, as Argo does', () => {
    // Argo's isNilFunc/defaultFunc close over the result and ignore their first argument.
    expect(check('isNil(1)', null)).toBe(true);
    expect(check('default(result.x, 0)', { y: 1 })).toEqual({ y: 1 });
    expect(check('default(result, 0)', undefined)).toBe(0n);
  });

  it('evaluateCondition insists on a boolean', () => {
    expect(evaluateCondition(compileExpr('result[0] < 1'), [0.5])).toBe(true);
    expect(() => evaluateCondition(compileExpr('1'), true)).toThrow('expected bool, but got int');
    expect(() => evaluateCondition(compileExpr('result'), 0.5)).toThrow('expected bool, but got float64');
    expect(() => evaluateCondition(compileExpr('result'), null)).toThrow('expected bool, but got <nil>');
  });

  it('compileCondition rejects unknown names at compile time', () => {
    expect(ARGO_CONDITION_NAMES).toEqual(['result', 'asInt', 'asFloat', 'isNaN', 'isInf', 'isNil', 'default']);
    expect(() => compileCondition('len(result) > 0 && reslt[0] > 1')).toThrow(ExprSyntaxError);
    expect(() => compileCondition('len(result) > 0 && reslt[0] > 1')).toThrow('unknown name reslt (1:20)');
    expect(() => compileCondition('asInteger(result) > 1')).toThrow('unknown name asInteger (1:1)');
    expect(() => compileCondition('all(result, {#.x > 1}) || map(result, .y)[0] ?? isNil(result)')).not.toThrow();
    expect(evaluateCondition(compileCondition('default(result, 1) > 0'), null)).toBe(true);
  });
});
