import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../core/errors.js';
import { parseMetricsConfig } from './config.js';

describe('parseMetricsConfig', () => {
  it('applies Prometheus defaults and reads static targets', () => {
    const c = parseMetricsConfig(`
global:
  scrape_interval: 5s
scrape_configs:
  - job_name: app
    static_configs:
      - targets: ['127.0.0.1:8080', 'localhost:9100']
        labels: { env: prod }
  - job_name: slow
    scrape_interval: 1m
    scrape_timeout: 30s
    metrics_path: /stats
    honor_labels: true
`);
    expect(c.scrapeIntervalMs).toBe(5000);
    // An unset global timeout is 10s capped at the interval.
    expect(c.scrapeTimeoutMs).toBe(5000);
    expect(c.evaluationIntervalMs).toBe(60_000);
    expect(c.jobs[0]).toMatchObject({ jobName: 'app', scrapeIntervalMs: 5000, scrapeTimeoutMs: 5000, metricsPath: '/metrics', honorLabels: false });
    expect(c.jobs[0]?.targets).toEqual([
      { address: '127.0.0.1:8080', labels: { env: 'prod' } },
      { address: 'localhost:9100', labels: { env: 'prod' } },
    ]);
    expect(c.jobs[1]).toMatchObject({ scrapeIntervalMs: 60_000, scrapeTimeoutMs: 30_000, metricsPath: '/stats', honorLabels: true, targets: [] });
    expect(c.warnings).toEqual([]);
  });

  it('warns about each unsupported key by its path', () => {
    const c = parseMetricsConfig(`
global: { scrape_interval: 15s, external_labels: { a: b } }
rule_files: [x.yml]
scrape_configs:
  - job_name: k
    relabel_configs: []
    kubernetes_sd_configs: []
    static_configs: [{ targets: ['a:1'], extra: 1 }]
`, 'p.yml');
    expect(c.warnings).toEqual([
      'p.yml: rule_files is not supported by the embedded server and is ignored',
      'p.yml: global.external_labels is not supported by the embedded server and is ignored',
      'p.yml: scrape_configs[0].relabel_configs is not supported by the embedded server and is ignored',
      'p.yml: scrape_configs[0].kubernetes_sd_configs is not supported by the embedded server and is ignored',
      'p.yml: scrape_configs[0].static_configs[0].extra is not supported by the embedded server and is ignored',
    ]);
  });

  it.each([
    ['scrape_configs: [{ job_name: a, scrape_interval: 5x }]', 'scrape_configs[0].scrape_interval: "5x" is not a duration'],
    ['scrape_configs: [{ job_name: a, scrape_interval: 5s, scrape_timeout: 10s }]', 'scrape timeout greater than scrape interval'],
    ['scrape_configs: [{ job_name: a }, { job_name: a }]', 'found multiple scrape configs with job name "a"'],
    ['scrape_configs: [{ static_configs: [] }]', 'scrape_configs[0].job_name: is required'],
    ["scrape_configs: [{ job_name: a, static_configs: [{ targets: ['http://x:1'] }] }]", 'is not host:port'],
    ['scrape_configs: [{ job_name: a, scheme: https }]', 'only http'],
    ['global: [1]', 'global: expected a mapping'],
    ['a: [', 'not valid YAML'],
  ])('rejects %s', (yaml, msg) => {
    expect(() => parseMetricsConfig(yaml, 'p.yml')).toThrow(InvalidInputError);
    expect(() => parseMetricsConfig(yaml, 'p.yml')).toThrow(msg);
  });
});
