/** Realistic records for store tests: a canary mid-rollout with analysis runs and measurements. */
import type { AnalysisRunState, Measurement } from '../../src/core/analysis/index.js';
import { initialRolloutState, type RolloutState } from '../../src/core/rollout/index.js';
import type { PodTemplateSpec } from '../../src/core/spec/types.js';
import type { RolloutRecord } from '../../src/ports/state-store.js';

export function template(image: string): PodTemplateSpec {
  return {
    metadata: { labels: { app: 'backend' }, annotations: {} },
    spec: {
      containers: [{ name: 'backend', image, command: ['node', 'server.js'], args: [], env: [{ name: 'MODE', value: 'x' }], ports: [] }],
      terminationGracePeriodSeconds: 30,
      raw: {},
    },
  };
}

export function rolloutState(step: number, weight: number): RolloutState {
  return {
    ...initialRolloutState(),
    revisions: [
      { revision: 1, hash: 'aaa111', template: template('backend:v1'), createdAt: 1_000 },
      { revision: 2, hash: 'bbb222', template: template('backend:v2'), createdAt: 2_000 },
    ],
    stableHash: 'aaa111',
    currentHash: 'bbb222',
    currentStepIndex: step,
    stepStartedAt: 5_000 + step,
    canaryWeight: weight,
    analysisRuns: [{ name: 'backend-bbb222-2', kind: 'Step', stepIndex: 2, hash: 'bbb222' }],
    usedRunNames: ['backend-bbb222-2'],
    desiredReplicas: { aaa111: 3, bbb222: 1 },
    serviceSelectors: { stable: 'aaa111', canary: 'bbb222' },
  };
}

export function measurement(i: number, phase: Measurement['phase'] = 'Successful'): Measurement {
  const m: Measurement = { phase, startedAt: 10_000 + i * 1000 };
  if (phase !== 'Running') m.finishedAt = 10_000 + i * 1000 + 40;
  if (phase === 'Error') m.message = `query failed ${i}`;
  else if (phase !== 'Running') m.value = `[0.99${i}]`;
  if (i % 2 === 0) m.metadata = { query: 'sum(rate(x[1m]))' };
  return m;
}

export function analysisRun(name: string, opts: { phase?: AnalysisRunState['phase']; startedAt?: number; measurements?: number } = {}): AnalysisRunState {
  const phase = opts.phase ?? 'Running';
  const n = opts.measurements ?? 3;
  const ms = Array.from({ length: n }, (_, i) => measurement(i, i === n - 1 && phase === 'Running' ? 'Running' : i === 1 ? 'Error' : 'Successful'));
  const run: AnalysisRunState = {
    name,
    kind: 'Step',
    phase,
    startedAt: opts.startedAt ?? 9_000,
    terminated: false,
    metrics: [
      {
        name: 'success-rate',
        template: 'success-rate',
        intervalMs: 1000,
        successCondition: 'result[0] >= 0.95',
        failureLimit: 0,
        inconclusiveLimit: 0,
        consecutiveErrorLimit: 4,
        consecutiveSuccessLimit: 0,
        provider: { type: 'prometheus', address: 'http://127.0.0.1:9090', query: 'sum(rate(x[1m]))', insecure: false, headers: [] },
        dryRun: false,
        measurementLimit: 10,
      },
      {
        name: 'latency',
        template: 'latency',
        failureLimit: 1,
        inconclusiveLimit: 0,
        consecutiveErrorLimit: 4,
        consecutiveSuccessLimit: 0,
        provider: { type: 'prometheus', address: 'http://127.0.0.1:9090', query: 'histogram_quantile(0.99, x)', insecure: false, headers: [] },
        dryRun: true,
        measurementLimit: 10,
      },
    ],
    metricResults: [
      { name: 'success-rate', phase, measurements: ms, count: n, successful: n - 1, failed: 0, inconclusive: 0, error: 1, consecutiveError: 0, consecutiveSuccess: 1, dryRun: false },
      { name: 'latency', phase: 'Successful', measurements: [measurement(7)], count: 1, successful: 1, failed: 0, inconclusive: 0, error: 0, consecutiveError: 0, consecutiveSuccess: 1, dryRun: true },
    ],
    args: [{ name: 'service', value: 'backend' }, { name: 'unset' }],
  };
  if (phase !== 'Running' && phase !== 'Pending') {
    run.completedAt = run.startedAt + 5_000;
    run.message = `run ${phase}`;
  }
  return run;
}

export function record(step = 2, weight = 25): RolloutRecord {
  return { rolloutState: rolloutState(step, weight), analysisRuns: [analysisRun('backend-bbb222-2'), analysisRun('backend-bbb222-bg', { phase: 'Successful', startedAt: 8_000 })] };
}

/** Record number `k` of a sequence whose parts all depend on `k`, so a torn read shows. */
export function numberedRecord(k: number): RolloutRecord {
  const rec = record(k, (k * 10) % 100);
  rec.analysisRuns = Array.from({ length: (k % 4) + 1 }, (_, i) => analysisRun(`run-${k}-${i}`, { measurements: (k % 5) + 1 }));
  return rec;
}
