import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, escapeLabelValue, methodIndex } from './registry.js';

describe('metrics registry', () => {
  it('renders counters and histograms with the cluster labels, route, method and status', () => {
    const m = createMetricsRegistry();
    const g = m.group({ role: 'canary', revision: '7b1e22' }, 'frontend');
    m.observe(g, 200, methodIndex('GET'), 0.003);
    m.observe(g, 200, methodIndex('GET'), 0.4);
    m.observe(g, 503, methodIndex('POST'), 0.7);
    const text = m.render([{ endpoint: '127.0.0.1:1', inFlight: 2 }]);
    const base = 'revision="7b1e22",role="canary",route="frontend"';
    expect(text).toContain(`http_requests_total{${base},method="GET",status="200"} 2`);
    expect(text).toContain(`http_requests_total{${base},method="POST",status="503"} 1`);
    expect(text).toContain(`http_request_duration_seconds_bucket{${base},method="GET",status="200",le="0.005"} 1`);
    expect(text).toContain(`http_request_duration_seconds_bucket{${base},method="GET",status="200",le="0.5"} 2`);
    expect(text).toContain(`http_request_duration_seconds_bucket{${base},method="POST",status="503",le="0.5"} 0`);
    expect(text).toContain(`http_request_duration_seconds_bucket{${base},method="POST",status="503",le="+Inf"} 1`);
    expect(text).toContain(`http_request_duration_seconds_count{${base},method="GET",status="200"} 2`);
    expect(text).toContain('baton_gateway_endpoint_requests_in_flight{endpoint="127.0.0.1:1"} 2');
    expect(text).toContain('# TYPE http_requests_total counter');
  });

  it('keeps one group per label set across config versions', () => {
    const m = createMetricsRegistry();
    expect(m.group({ a: 'b' }, 'r')).toBe(m.group({ a: 'b' }, 'r'));
    expect(m.group({ a: 'b' }, 'r')).not.toBe(m.group({ a: 'c' }, 'r'));
  });

  it('escapes label values and buckets unknown methods', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(methodIndex('PROPFIND')).toBe(methodIndex('BREW'));
  });
});
