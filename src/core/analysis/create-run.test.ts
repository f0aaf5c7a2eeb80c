import { describe, expect, it } from 'vitest';
import type { WebProvider } from '../spec/types.js';
import { createAnalysisRun } from './create-run.js';
import { clusterTemplate, metric, prometheus, runOf, template } from './fixtures.test-util.js';
import { dueMeasurements, nextWakeAt } from './schedule.js';

describe('createAnalysisRun: merging templates', () => {
  it('concatenates metrics (namespaced templates first) and merges args, rollout values overriding defaults', () => {
    const run = createAnalysisRun(
      {
        name: 'shop-abc-2',
        kind: 'Step',
        templates: [
          clusterTemplate('cluster', [metric('latency', { provider: { ...prometheus, query: 'p95{svc="{{args.svc}}"}' } })], {
            args: [{ name: 'svc' }],
          }),
          template('errors', [metric('error-rate', { provider: { ...prometheus, query: 'err{svc="{{args.svc}}",v="{{args.v}}"}' } })], {
            args: [{ name: 'svc', value: 'default-svc' }, { name: 'v', value: 'v1' }],
          }),
        ],
        args: [
          { name: 'svc', value: 'shop' },
          { name: 'not-declared', value: 'ignored' },
        ],
        dryRun: [],
        measurementRetention: [],
      },
      1000,
    );
    expect(run.phase).toBe('Running');
    expect(run.startedAt).toBe(1000);
    expect(run.metrics.map((m) => [m.name, m.template])).toEqual([
      ['error-rate', 'errors'],
      ['latency', 'cluster'],
    ]);
    expect(run.metrics.map((m) => (m.provider.type === 'prometheus' ? m.provider.query : ''))).toEqual([
      'err{svc="shop",v="v1"}',
      'p95{svc="shop"}',
    ]);
    expect(run.args).toEqual([
      { name: 'svc', value: 'shop' },
      { name: 'v', value: 'v1' },
    ]);
    expect(run.metricResults.map((r) => [r.name, r.phase, r.count])).toEqual([
      ['error-rate', 'Pending', 0],
      ['latency', 'Pending', 0],
    ]);
  });

  it('applies Argo defaults to limits', () => {
    const [m] = runOf([metric('m')]).metrics;
    expect(m).toMatchObject({ failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, consecutiveSuccessLimit: 0, measurementLimit: 10, dryRun: false });
    expect(m?.count).toBeUndefined();
    expect(m?.intervalMs).toBeUndefined();
  });

  it('resolves count, limits and durations after substitution', () => {
    const run = runOf(
      [],
      {
        templates: [
          template(
            't',
            [metric('m', { count: '{{args.count}}', failureLimit: '{{ args.limit }}', consecutiveSuccessLimit: '{{args.streak}}', consecutiveErrorLimit: 2, interval: '{{args.every}}', initialDelay: '1m30s' })],
            { args: [{ name: 'count', value: '5' }, { name: 'limit', value: '-1' }, { name: 'streak', value: '+2' }, { name: 'every', value: '30s' }] },
          ),
        ],
      },
    );
    expect(run.phase).toBe('Running');
    expect(run.metrics[0]).toMatchObject({ count: 5, failureLimit: -1, consecutiveSuccessLimit: 2, consecutiveErrorLimit: 2, intervalMs: 30_000, initialDelayMs: 90_000 });
  });

  it('substitutes inside web bodies, headers and jsonBody, keeping the raw value', () => {
    const web: WebProvider = {
      type: 'web',
      url: 'http://x/{{args.path}}',
      method: 'POST',
      headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
      jsonBody: { q: '{{args.token}}', n: 1 },
      timeoutSeconds: 10,
      jsonPath: '{$}',
      insecure: false,
    };
    const run = runOf([], {
      templates: [
        template('t', [metric('w', { provider: web, providerKeys: ['web'] })], {
          args: [{ name: 'path', value: 'a b' }, { name: 'token', value: 's"e\\c' }],
        }),
      ],
    });
    expect(run.metrics[0]?.provider).toEqual({ ...web, url: 'http://x/a b', headers: [{ key: 'Authorization', value: 'Bearer s"e\\c' }], jsonBody: { q: 's"e\\c', n: 1 } });
  });
});

describe('createAnalysisRun: runs in phase Error with Argo messages', () => {
  const bad = (metrics: Parameters<typeof template>[1], spec: Parameters<typeof template>[2] = {}, over: Partial<Parameters<typeof createAnalysisRun>[0]> = {}) =>
    createAnalysisRun(
      { name: 'r', kind: 'Background', templates: [template('tmpl', metrics, spec)], args: [], dryRun: [], measurementRetention: [], ...over },
      500,
    );

  it.each([
    ['no metrics', [], {}, 'Analysis spec invalid: no metrics specified'],
    ['zero providers', [metric('m', { provider: undefined, providerKeys: [] })], {}, 'Analysis spec invalid: metrics[0]: no provider specified'],
    ['several providers', [metric('m', { providerKeys: ['prometheus', 'web'] })], {}, 'Analysis spec invalid: metrics[0]: multiple providers specified'],
    [
      'an unsupported provider',
      [metric('m', { provider: { type: 'unsupported', name: 'datadog', raw: {} }, providerKeys: ['datadog'] })],
      {},
      'Analysis spec invalid: metrics[0]: provider datadog is not supported by Baton',
    ],
    ['a bad interval unit', [metric('m', { interval: '5x' })], {}, 'Analysis spec invalid: metrics[0]: invalid interval string: time: unknown unit "x" in duration "5x"'],
    ['an interval without unit', [metric('m', { interval: '30' })], {}, 'Analysis spec invalid: metrics[0]: invalid interval string: time: missing unit in duration "30"'],
    ['a bad initialDelay', [metric('m', { initialDelay: 'soon' })], {}, 'Analysis spec invalid: metrics[0]: invalid startDelay string: time: invalid duration "soon"'],
    ['count > 1 without interval', [metric('m', { count: 3 })], {}, 'Analysis spec invalid: metrics[0]: interval must be specified when count > 1'],
    ['count < failureLimit', [metric('m', { count: 2, interval: '1s', failureLimit: 3 })], {}, 'Analysis spec invalid: metrics[0]: count must be >= failureLimit'],
    [
      'count < failureLimit + consecutiveSuccessLimit',
      [metric('m', { count: 4, interval: '1s', failureLimit: 2, consecutiveSuccessLimit: 3 })],
      {},
      'Analysis spec invalid: metrics[0]: count must be >= failureLimit + consecutiveSuccessLimit',
    ],
    ['count < inconclusiveLimit', [metric('m', { count: 2, interval: '1s', inconclusiveLimit: 3 })], {}, 'Analysis spec invalid: metrics[0]: count must be >= inconclusiveLimit'],
    ['failureLimit < -1', [metric('m', { failureLimit: -2 })], {}, 'Analysis spec invalid: metrics[0]: failureLimit must be >= -1'],
    [
      'both limits disabled',
      [metric('m', { failureLimit: -1 })],
      {},
      'Analysis spec invalid: metrics[0]: failureLimit and consecutiveSuccessLimit cannot both be disabled (failureLimit: -1, consecutiveSuccessLimit: 0)',
    ],
    ['consecutiveErrorLimit < 0', [metric('m', { consecutiveErrorLimit: -1 })], {}, 'Analysis spec invalid: metrics[0]: consecutiveErrorLimit must be >= 0'],
    ['a non-integer count', [metric('m', { count: 'lots' })], {}, 'Analysis spec invalid: metrics[0]: count: "lots" is not an integer'],
    ['the second metric', [metric('a'), metric('b', { interval: 'x' })], {}, 'Analysis spec invalid: metrics[1]: invalid interval string: time: invalid duration "x"'],
    ['a duplicate metric name', [metric('a'), metric('a')], {}, "two metrics have the same name 'a'"],
    ['an undeclared {{args.x}}', [metric('m', { provider: { ...prometheus, query: 'up{a="{{ args.x }}"}' } })], {}, 'Unable to resolve metric arguments: failed to resolve {{ args.x }}'],
    [
      'an argument value Go quotes as \\a',
      [metric('m', { provider: { ...prometheus, query: '{{args.x}}' } })],
      { args: [{ name: 'x', value: 'ring\u0007' }] },
      "Unable to resolve metric arguments: invalid character 'a' in string escape code",
    ],
    ['a declared argument without value', [metric('m')], { args: [{ name: 'svc' }] }, 'args.svc was not resolved'],
    [
      'a Secret argument',
      [metric('m')],
      { args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
      'Unable to resolve metric arguments: argument "token" comes from a Secret (valueFrom.secretKeyRef), which Baton cannot read; pass its value from the Rollout',
    ],
    ['a dryRun rule matching nothing', [metric('m')], { dryRun: [{ metricName: 'nope' }] }, "Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s)"],
    [
      'a measurementRetention rule matching nothing',
      [metric('m')],
      { measurementRetention: [{ metricName: '^x$', limit: 3 }] },
      "Analysis spec invalid: measurementRetention[0]: Rule didn't match any metric name(s)",
    ],
  ])('%s', (_what, metrics, spec, message) => {
    const run = bad(metrics, spec);
    expect(run.phase).toBe('Error');
    expect(run.message).toBe(message);
    expect(run.completedAt).toBe(500);
    expect(dueMeasurements(run, 500)).toEqual([]);
    expect(nextWakeAt(run)).toBeUndefined();
  });

  it('reports an argument given two values by two templates', () => {
    const run = createAnalysisRun(
      {
        name: 'r',
        kind: 'Background',
        templates: [template('a', [metric('a')], { args: [{ name: 'x', value: '1' }] }), template('b', [metric('b')], { args: [{ name: 'x', value: '2' }] })],
        args: [],
        dryRun: [],
        measurementRetention: [],
      },
      0,
    );
    expect(run.message).toBe("Argument `x` specified multiple times with different values: '1', '2'");
  });

  it('reports a duplicate name that appears only after substitution', () => {
    const run = bad([metric('rate-{{args.a}}'), metric('rate-{{args.b}}')], { args: [{ name: 'a', value: 'x' }, { name: 'b', value: 'x' }] });
    expect(run.message).toBe("Analysis spec invalid: metrics[1]: duplicate name 'rate-x'");
  });

  it('reports the same dryRun rule from the rollout and a template', () => {
    const run = bad([metric('m')], { dryRun: [{ metricName: 'm' }] }, { dryRun: [{ metricName: 'm' }] });
    expect(run.message).toBe("two Dry-Run metric rules have the same name 'm'");
  });

  it('accepts a Secret argument when the rollout passes its value', () => {
    const run = bad([metric('m', { provider: { ...prometheus, query: '{{args.token}}' } })], { args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }, { args: [{ name: 'token', value: 'abc' }] });
    expect(run.phase).toBe('Running');
    expect(run.metrics[0]?.provider).toMatchObject({ query: 'abc' });
  });

  describe('a metric that runs indefinitely', () => {
    const unbounded = [metric('forever', { interval: '10s' })];
    it.each(['Step', 'PrePromotion', 'PostPromotion'] as const)('is an Error in a %s run', (kind) => {
      const run = bad(unbounded, {}, { kind });
      expect(run.phase).toBe('Error');
      expect(run.message).toBe('AnalysisTemplate tmpl has metric forever which runs indefinitely. Invalid value for count: <nil>');
    });
    it('prints a written count of 0', () => {
      const run = bad([metric('forever', { interval: '10s', count: 0 })], {}, { kind: 'Step' });
      expect(run.message).toBe('AnalysisTemplate tmpl has metric forever which runs indefinitely. Invalid value for count: 0');
    });
    it('is allowed in background analysis', () => {
      expect(bad(unbounded).phase).toBe('Running');
    });
    it('is not what a metric without interval is (one measurement)', () => {
      expect(bad([metric('once')], {}, { kind: 'Step' }).phase).toBe('Running');
    });
  });
});

describe('createAnalysisRun: dryRun and measurementRetention', () => {
  it('matches metric names as unanchored regular expressions, rollout and template rules combined', () => {
    const run = createAnalysisRun(
      {
        name: 'r',
        kind: 'Background',
        templates: [template('t', [metric('error-rate'), metric('latency-p95'), metric('ready')], { dryRun: [{ metricName: 'latency' }], measurementRetention: [{ metricName: 'ready', limit: 3 }] })],
        args: [],
        dryRun: [{ metricName: 'rate' }],
        measurementRetention: [{ metricName: '.*', limit: 0 }],
      },
      0,
    );
    expect(run.metrics.map((m) => [m.name, m.dryRun, m.measurementLimit])).toEqual([
      ['error-rate', true, 10],
      ['latency-p95', true, 10],
      ['ready', false, 3],
    ]);
    expect(run.metricResults.map((r) => r.dryRun)).toEqual([true, true, false]);
  });
});
