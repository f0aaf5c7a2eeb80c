import { describe, expect, it } from 'vitest';
import { ExpositionParseError, parseExposition } from './exposition.js';
import { labelsToRecord } from './labels.js';

describe('parseExposition', () => {
  it('reads HELP, TYPE, labels with escapes, special values and timestamps', () => {
    const body = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# Escaping in label values:',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.5"} 4773',
      'rpc_duration_seconds_sum 1.7560473e+07',
      'nan_value NaN',
      'empty_label{a=""} 1',
      'trailing_comma{a="b",} 2',
    ].join('\n');
    const { samples, metadata } = parseExposition(body);
    expect(samples).toHaveLength(10);
    expect(labelsToRecord(samples[0]!.labels)).toEqual({ __name__: 'http_requests_total', method: 'post', code: '200' });
    expect(samples[0]!.timestampMs).toBe(1395066363000);
    expect(labelsToRecord(samples[2]!.labels)).toEqual({ __name__: 'msdos_file_access_time_seconds', path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(samples[2]!.value).toBe(1458255915);
    expect(samples[3]!.timestampMs).toBeUndefined();
    expect(samples[4]!.value).toBe(Infinity);
    expect(samples[4]!.timestampMs).toBe(-3982045);
    expect(samples[7]!.value).toBeNaN();
    expect(labelsToRecord(samples[8]!.labels)).toEqual({ __name__: 'empty_label' });
    expect(labelsToRecord(samples[9]!.labels)).toEqual({ __name__: 'trailing_comma', a: 'b' });
    expect(metadata.get('http_requests_total')).toEqual({ type: 'counter', help: 'The total number of HTTP requests.' });
    expect(metadata.get('rpc_duration_seconds')?.type).toBe('summary');
  });

  it.each([
    ['bad value', 'metric abc', 1],
    ['unterminated label value', 'metric{a="b} 1', 1],
    ['bad escape', 'metric{a="\\x"} 1', 1],
    ['duplicate label', 'metric{a="1",a="2"} 1', 1],
    ['missing value', 'ok 1\nmetric{a="1"}', 2],
    ['bad timestamp', 'metric 1 12.5', 1],
    ['unknown type', '# TYPE metric rainbow', 1],
    ['bad metric name', '9metric 1', 1],
  ])('rejects %s with the line number', (_what, body, line) => {
    let err: unknown;
    try {
      parseExposition(body);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpositionParseError);
    expect((err as ExpositionParseError).line).toBe(line);
  });
});
