import { describe, expect, it } from 'vitest';
import { compileExpr, evaluateCondition, ExprRuntimeError } from './index.js';

const cond = (src: string, result: unknown): boolean => evaluateCondition(compileExpr(src), result);

describe('evaluateCondition: Argo compile-time type checks', () => {
  it.each<[string, unknown, string]>([
    // Argo's evaluate_test.go TestEvaluateAsFloatError.
    ['asFloat(result) == "1.1"', '1.1', 'invalid operation: == (mismatched types float64 and string)'],
    // Checked on every branch, as expr.Compile does before anything runs.
    ['false && result > 1', [0.5], 'invalid operation: > (mismatched types []interface {} and int)'],
    ['true || result > 1', { a: 1 }, 'invalid operation: > (mismatched types map[string]interface {} and int)'],
    ['result == "x"', 0.5, 'invalid operation: == (mismatched types float64 and string)'],
    ['1 == "1"', null, 'invalid operation: == (mismatched types int and string)'],
    ['result % 2 == 0', 4, 'invalid operation: % (mismatched types float64 and int)'],
    ['len(result) > 0 and result', [1], 'invalid operation: and (mismatched types bool and []interface {})'],
    ['result ? true : false', 1, 'non-bool expression (type float64) used as condition'],
    ['isNaN(result)', 'x', 'cannot use string as argument (type float64) to call isNaN'],
    ['not result', 'x', 'invalid operation: not (mismatched type string)'],
    ['result contains "a"', 1, 'invalid operation: contains (mismatched types float64 and string)'],
    ['result + "s" == "xs"', 1, 'invalid operation: + (mismatched types float64 and string)'],
    ['1 in result', 'abc', 'invalid operation: in (mismatched types int and string)'],
  ])('%s with %j', (src, result, message) => {
    let err: unknown;
    try {
      cond(src, result);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExprRuntimeError);
    expect((err as ExprRuntimeError).message).toBe(message);
    expect((err as ExprRuntimeError).details).toMatchObject({ source: src });
  });

  it.each<[string, unknown, boolean]>([
    // Values fetched out of JSON are interface {} in Argo: only run time decides.
    ['result.status == "ok"', { status: 200 }, false],
    ['result.status == 200', { status: 200 }, true],
    ['result[0] == "a"', [1], false],
    ['result.name + "x" == "ax"', { name: 'a' }, true],
    ['default(result, 0) < 5', null, true],
    ['isNil(result) || result.ok', null, true],
    ['result == nil', null, true],
    ['result != nil && result > 1', 2, true],
    ['len(result) > 0 && result[0] > 0.9', [0.95], true],
    ['all(result, {# < 0.5})', [0.1], true],
    ['isNaN(result) || result >= 0.95', NaN, true],
    ['asInt(result) > 3', '4', true],
    ['asInt(result) % 2 == 0', '4', true],
    ['asFloat(result) >= 1.1', '1.1', true],
    ['"a" + "b" == result', 'ab', true],
    ['map(result, # * 2)[0] == 2', [1], true],
    ['result ?? false', null, false],
  ])('%s with %j', (src, result, want) => {
    expect(cond(src, result)).toBe(want);
  });

  it('checks again when the result type changes, and keeps passing for the types that passed', () => {
    const c = compileExpr('result == 1');
    expect(evaluateCondition(c, 1)).toBe(true);
    expect(() => evaluateCondition(c, 'x')).toThrow('invalid operation: == (mismatched types string and int)');
    expect(evaluateCondition(c, 2)).toBe(false);
  });
});
