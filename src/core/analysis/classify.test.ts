import { describe, expect, it } from 'vitest';
import { classifyResult, evaluateConditions } from './classify.js';
import { job, providerError, vector } from './fixtures.test-util.js';

const SUCCESS = 'result[0] < 0.05';
const FAILURE = 'result[0] > 0.1';

describe('evaluateConditions (Argo EvaluateResult)', () => {
  it.each([
    ['neither condition', {}, [0.5], 'Successful'],
    ['only success, true', { successCondition: SUCCESS }, [0.01], 'Successful'],
    ['only success, false', { successCondition: SUCCESS }, [0.07], 'Failed'],
    ['only failure, true', { failureCondition: FAILURE }, [0.2], 'Failed'],
    ['only failure, false', { failureCondition: FAILURE }, [0.07], 'Successful'],
    ['both, success true', { successCondition: SUCCESS, failureCondition: FAILURE }, [0.01], 'Successful'],
    ['both, failure true', { successCondition: SUCCESS, failureCondition: FAILURE }, [0.2], 'Failed'],
    ['both, neither true', { successCondition: SUCCESS, failureCondition: FAILURE }, [0.07], 'Inconclusive'],
    ['both true: failure wins', { successCondition: 'result[0] >= 0', failureCondition: 'result[0] >= 0' }, [1], 'Failed'],
    ['NaN compares false', { successCondition: 'result[0] > 0.5' }, [NaN], 'Failed'],
    ['NaN with both: Inconclusive', { successCondition: 'result[0] > 0.5', failureCondition: 'result[0] <= 0.5' }, [NaN], 'Inconclusive'],
    ['isNaN helper', { failureCondition: 'isNaN(result[0])' }, [NaN], 'Failed'],
    ['a scalar result', { successCondition: 'result >= 0.95' }, 0.99, 'Successful'],
    ['web JSON result', { successCondition: "result.status == 'ok' && len(result.items) > 1" }, { status: 'ok', items: [1, 2] }, 'Successful'],
  ])('%s -> %s', (_what, conditions, value, phase) => {
    expect(evaluateConditions(conditions, value)).toEqual({ phase });
  });

  it.each([
    ['a vector compared as a number', { successCondition: 'result > 1' }, [0.5]],
    ['an index out of range', { successCondition: 'result[0] > 1' }, []],
    ['a syntax error', { successCondition: 'result >' }, [0.5]],
    ['a syntax error in the failure condition', { successCondition: 'true', failureCondition: 'result[0] >>> 1' }, [0.5]],
  ])('%s -> Error with a message', (_what, conditions, value) => {
    const out = evaluateConditions(conditions, value);
    expect(out.phase).toBe('Error');
    expect(out.message).toMatch(/\S/);
  });

  it('type-checks every branch against the result, as Argo compiles with expr.Env', () => {
    // `result > 1` on a vector is ill-typed even though `true ||` never reaches it.
    expect(evaluateConditions({ successCondition: 'true || result > 1' }, [0.5]).phase).toBe('Error');
    expect(evaluateConditions({ successCondition: 'true || result > 1' }, 0.5).phase).toBe('Successful');
  });

  it('rejects an unknown name', () => {
    expect(evaluateConditions({ successCondition: 'value > 1' }, [0.5])).toEqual({ phase: 'Error', message: 'unknown name value' });
  });

  it('drops the (line:column) of compile errors, as Argo does', () => {
    const out = evaluateConditions({ successCondition: 'result >' }, [1]);
    expect(out.message).not.toMatch(/\(\d+:\d+\)/);
  });

  it('reports a non-boolean result with its Go type', () => {
    expect(evaluateConditions({ successCondition: 'result[0]' }, [0.5])).toEqual({ phase: 'Error', message: 'expected bool, but got float64' });
    expect(evaluateConditions({ successCondition: '"yes"' }, [0.5])).toEqual({ phase: 'Error', message: 'expected bool, but got string' });
    expect(evaluateConditions({ failureCondition: 'result' }, null)).toEqual({ phase: 'Error', message: 'expected bool, but got <nil>' });
  });

  it('reports the success condition first, as Argo evaluates it first', () => {
    const out = evaluateConditions({ successCondition: 'result[0]', failureCondition: 'result >' }, [0.5]);
    expect(out).toEqual({ phase: 'Error', message: 'expected bool, but got float64' });
  });

  it('gives the same answer for a cached condition', () => {
    const c = { successCondition: 'result[0] <= 0.05' };
    expect(evaluateConditions(c, [0.01]).phase).toBe('Successful');
    expect(evaluateConditions(c, [0.09]).phase).toBe('Failed');
    expect(evaluateConditions(c, [0.01]).phase).toBe('Successful');
  });
});

describe('classifyResult', () => {
  it('keeps the displayed value and metadata', () => {
    const out = classifyResult({ successCondition: SUCCESS }, { kind: 'value', value: [0.01], display: '[0.01]', metadata: { query: 'up' } });
    expect(out).toEqual({ phase: 'Successful', value: '[0.01]', metadata: { query: 'up' } });
  });

  it('stores no value when a condition errors, as Argo marks the measurement Error before setting it', () => {
    const out = classifyResult({ successCondition: 'result > 1' }, vector(0.5));
    expect(out).toMatchObject({ phase: 'Error', message: expect.stringMatching(/^invalid operation: > \(mismatched types/) as unknown });
    expect(out).not.toHaveProperty('value');
  });

  it('turns a provider error into an Error measurement with its message', () => {
    expect(classifyResult({ successCondition: SUCCESS }, providerError('connection refused'))).toEqual({
      phase: 'Error',
      message: 'connection refused',
    });
  });

  it.each(['Successful', 'Failed', 'Inconclusive'] as const)('maps a job result %s directly, conditions unused', (phase) => {
    expect(classifyResult({ successCondition: 'false', failureCondition: 'true' }, job(phase, 'exit 0'))).toEqual({ phase, message: 'exit 0' });
  });
});

describe('empty results', () => {
  it('an empty vector indexed by the condition is Error "no data returned"', () => {
    const out = classifyResult({ successCondition: 'result[0] <= 0.05' }, { kind: 'value', value: [], display: '[]' });
    expect(out).toEqual({ phase: 'Error', message: 'no data returned' });
  });
  it('an empty vector a condition handles is judged normally', () => {
    expect(classifyResult({ successCondition: 'len(result) == 0' }, { kind: 'value', value: [], display: '[]' }).phase).toBe('Successful');
    expect(classifyResult({ successCondition: 'len(result) > 0' }, { kind: 'value', value: [], display: '[]' }).phase).toBe('Failed');
  });
});
