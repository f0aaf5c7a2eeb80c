/**
 * Acceptance: scripted results of every kind the scenario contract names (issue 2 item 8:
 * scalar, vector, JSON values, {error}, {job}) judged by conditions as argo-semantics.md
 * "Conditions" and "Providers" say.
 */
import { describe, expect, it } from 'vitest';
import { events, routedCanary, simulate } from './support.js';

const PROM = '      prometheus: {address: "http://prom:9090", query: up}';
const WEB = '      web: {url: "http://shop/health", jsonPath: "{$}"}';
const JOB = `      job:
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers: [{name: migrate, image: "migrate:v1", command: [node, migrate.js]}]`;

/** setWeight 20 -> analysis of one metric `m` -> setWeight 60. */
function oneMetric(fields: string, provider: string): string {
  return (
    routedCanary(`      steps:
      - setWeight: 20
      - analysis: {templates: [{templateName: tpl}]}
      - setWeight: 60
`) +
    `---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: tpl}
spec:
  metrics:
  - name: m
    ${fields.trim().split('\n').join('\n    ')}
    provider:
${provider}
`
  );
}

async function run(fields: string, provider: string, results: string): Promise<Awaited<ReturnType<typeof simulate>>> {
  return simulate(oneMetric(fields, provider), `update: {image: "shop:v2"}\nmetrics:\n  m: ${results}\n`);
}

const firstMeasurement = (r: Awaited<ReturnType<typeof simulate>>): Record<string, unknown> | undefined => {
  const m = events(r.result, 'Measurement')[0];
  if (!m) return undefined;
  const { t: _t, type: _type, run: _run, ...rest } = m;
  return rest;
};

describe('scripted providers', () => {
  it('a job {job: failed} measures Failed (conditions are not evaluated) and aborts', async () => {
    const r = await run('successCondition: "true"', JOB, '[{job: failed}]');
    expect(firstMeasurement(r)).toEqual({ metric: 'm', phase: 'Failed' });
    expect(r.exitCode).toBe(1);
    expect(r.result.message).toBe(
      'RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: Metric "m" assessed Failed due to failed (1) > failureLimit (0)',
    );
  });

  it('a job {job: succeeded} measures Successful even with a failing condition', async () => {
    const r = await run('successCondition: "false"', JOB, '[{job: succeeded}]');
    expect(firstMeasurement(r)).toEqual({ metric: 'm', phase: 'Successful' });
    expect(r.exitCode).toBe(0);
  });

  it('web JSON values against `result.ok == true`', async () => {
    const ok = await run('successCondition: result.ok == true', WEB, '[{ok: true, n: 2}]');
    expect(firstMeasurement(ok)).toEqual({ metric: 'm', phase: 'Successful', value: '{"n":2,"ok":true}' });
    expect(ok.exitCode).toBe(0);
    const bad = await run('successCondition: result.ok == true', WEB, '[{ok: false}]');
    expect(firstMeasurement(bad)).toEqual({ metric: 'm', phase: 'Failed', value: '{"ok":false}' });
    expect(bad.exitCode).toBe(1);
  });

  it('web string and boolean results', async () => {
    const str = await run('successCondition: result == "up"', WEB, '["up"]');
    expect(firstMeasurement(str)).toEqual({ metric: 'm', phase: 'Successful', value: '"up"' });
    const bool = await run('successCondition: result', WEB, '[false]');
    expect(firstMeasurement(bool)).toEqual({ metric: 'm', phase: 'Failed', value: 'false' });
  });

  it('a scalar with `result > 1`', async () => {
    const pass = await run('successCondition: result > 1', PROM, '[2]');
    expect(firstMeasurement(pass)).toEqual({ metric: 'm', phase: 'Successful', value: '2' });
    const fail = await run('successCondition: result > 1', PROM, '[0.5]');
    expect(firstMeasurement(fail)).toEqual({ metric: 'm', phase: 'Failed', value: '0.5' });
  });

  it('a vector compared directly (`result > 1` on [1]) is an Error, retried every 10 s until 5 > 4', async () => {
    const r = await run('successCondition: result > 1', PROM, '[[1]]');
    const ms = events(r.result, 'Measurement');
    expect(ms.map((e) => [e.t, e.phase])).toEqual([0, 10, 20, 30, 40].map((t) => [t, 'Error']));
    // As Argo: a measurement whose condition errors stores the message, not the value.
    expect(ms[0]).not.toHaveProperty('value');
    expect(String(ms[0]?.message)).toMatch(/^invalid operation: > \(mismatched types /);
    const completed = events(r.result, 'AnalysisRunCompleted')[0];
    expect(completed).toMatchObject({ t: 40, phase: 'Error' });
    expect(String(completed?.message)).toMatch(/^Metric "m" assessed Error due to consecutiveErrors \(5\) > consecutiveErrorLimit \(4\): "Error Message: invalid operation: > /);
    expect(r.exitCode).toBe(1);
  });

  it('an empty vector indexed by the condition is Error "no data returned"', async () => {
    const r = await run('successCondition: result[0] < 1', PROM, '[[]]');
    expect(firstMeasurement(r)).toEqual({ metric: 'm', phase: 'Error', message: 'no data returned' });
  });

  it('{error: msg} entries are provider errors that do not use up count; a later success passes', async () => {
    const r = await run('interval: 30s\ncount: 1\nsuccessCondition: result[0] < 1', PROM, '[{error: "refused"}, {error: "timeout"}, [0.5]]');
    expect(events(r.result, 'Measurement').map((e) => [e.t, e.phase, e.message])).toEqual([
      [0, 'Error', 'refused'],
      [10, 'Error', 'timeout'],
      [20, 'Successful', undefined],
    ]);
    expect(r.exitCode).toBe(0);
  });

  it('a metric with no script measures Error', async () => {
    const r = await simulate(oneMetric('successCondition: result > 1', PROM), 'update: {image: "shop:v2"}\n');
    expect(firstMeasurement(r)).toEqual({ metric: 'm', phase: 'Error', message: 'no scripted result for metric "m"' });
    expect(r.exitCode).toBe(1);
  });

  it('comparisons with NaN are false', async () => {
    const r = await run('successCondition: result < 1\nfailureCondition: result >= 1', PROM, '[.nan]');
    expect(firstMeasurement(r)).toEqual({ metric: 'm', phase: 'Inconclusive', value: 'NaN' });
  });
});
