import { describe, expect, it } from 'vitest';
import { processPrometheusResponse } from './process-response.js';

const ok = (data: unknown, extra: Record<string, unknown> = {}): string => JSON.stringify({ status: 'success', data, ...extra });

describe('processPrometheusResponse', () => {
  it('maps a scalar to a number', () => {
    expect(processPrometheusResponse(200, ok({ resultType: 'scalar', result: [1700000000, '0.5'] }))).toEqual({ kind: 'value', value: 0.5, display: '0.5' });
  });
  it('maps a vector to numbers with the labels dropped', () => {
    const body = ok({
      resultType: 'vector',
      result: [
        { metric: { pod: 'a' }, value: [1, '0.1'] },
        { metric: { pod: 'b' }, value: [1, '0.2'] },
      ],
    });
    expect(processPrometheusResponse(200, body)).toEqual({ kind: 'value', value: [0.1, 0.2], display: '[0.1,0.2]' });
  });
  it('keeps an empty vector as a value for the conditions', () => {
    expect(processPrometheusResponse(200, ok({ resultType: 'vector', result: [] }))).toEqual({ kind: 'value', value: [], display: '[]' });
  });
  it('flattens a matrix in series order', () => {
    const body = ok({
      resultType: 'matrix',
      result: [
        { metric: { a: '1' }, values: [[1, '1'], [2, '2']] },
        { metric: { a: '2' }, values: [[1, 'NaN'], [2, '+Inf']] },
      ],
    });
    const r = processPrometheusResponse(200, body);
    expect(r.kind).toBe('value');
    if (r.kind === 'value') {
      expect(r.display).toBe('[1,2,NaN,+Inf]');
      expect(r.value).toEqual([1, 2, NaN, Infinity]);
    }
  });
  it('stores values as Prometheus prints them (no exponent)', () => {
    const r = processPrometheusResponse(200, ok({ resultType: 'vector', result: [{ metric: {}, value: [1, '1e-05'] }] }));
    expect(r).toMatchObject({ display: '[0.00001]' });
  });
  it('reports a string result as unsupported', () => {
    expect(processPrometheusResponse(200, ok({ resultType: 'string', result: [1, 'x'] }))).toEqual({ kind: 'error', message: 'Prometheus metric type not supported' });
  });
  it('words API errors as client_golang does', () => {
    const body = JSON.stringify({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected end of input' });
    expect(processPrometheusResponse(400, body)).toEqual({ kind: 'error', message: 'bad_data: 1:5: parse error: unexpected end of input' });
    expect(processPrometheusResponse(502, '<html>bad gateway</html>')).toEqual({ kind: 'error', message: 'server_error: server error: 502' });
    expect(processPrometheusResponse(401, 'Unauthorized')).toEqual({ kind: 'error', message: 'client_error: client error: 401' });
  });
  it('keeps warnings in metadata as Argo does', () => {
    const r = processPrometheusResponse(200, ok({ resultType: 'scalar', result: [1, '1'] }, { warnings: ['w1', 'w2'] }));
    expect(r).toMatchObject({ metadata: { warnings: '"w1", "w2"' } });
  });
});
