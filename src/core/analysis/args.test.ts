import { describe, expect, it } from 'vitest';
import type { Rollout } from '../spec/types.js';
import { AnalysisArgError, resolveRolloutArgs, secretLookupFromManifests, type RolloutArgsContext } from './args.js';
import { metric, prometheus, runOf, template } from './fixtures.test-util.js';

const rollout: Rollout = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'shop', namespace: 'prod', labels: { app: 'shop', tier: 'web' }, annotations: { owner: 'team-a' } },
  source: { file: 'rollout.yaml', line: 1, column: 1 },
  spec: {
    replicas: 3,
    template: {
      metadata: { labels: { app: 'shop' }, annotations: {} },
      spec: {
        containers: [{ name: 'app', image: 'shop:v2', command: [], args: [], env: [], ports: [] }],
        terminationGracePeriodSeconds: 30,
        raw: { serviceAccountName: 'shop-sa' },
      },
    },
    minReadySeconds: 0,
    revisionHistoryLimit: 10,
    paused: false,
    progressDeadlineSeconds: 600,
    progressDeadlineAbort: false,
    strategy: {
      type: 'canary',
      canaryService: 'shop-canary',
      steps: [{ kind: 'setWeight', weight: 20 }, { kind: 'pause', duration: 30 }],
      maxSurge: '25%',
      maxUnavailable: '25%',
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
      dynamicStableScale: false,
    },
  },
};

const ctx: RolloutArgsContext = { stablePodHash: 'aaa111', latestPodHash: 'bbb222', rollout };
const one = (arg: Parameters<typeof resolveRolloutArgs>[0][number], c = ctx) => resolveRolloutArgs([arg], c)[0];
const fieldRef = (fieldPath: string) => ({ name: 'x', valueFrom: { fieldRef: { fieldPath } } });

describe('resolveRolloutArgs', () => {
  it('keeps plain values and value-less arguments', () => {
    expect(resolveRolloutArgs([{ name: 'a', value: 'v' }, { name: 'b' }], ctx)).toEqual([{ name: 'a', value: 'v' }, { name: 'b' }]);
  });

  it('takes pod-template hashes of the stable and latest revisions', () => {
    expect(one({ name: 's', valueFrom: { podTemplateHashValue: 'Stable' } })).toEqual({ name: 's', value: 'aaa111' });
    expect(one({ name: 'l', valueFrom: { podTemplateHashValue: 'Latest' } })).toEqual({ name: 'l', value: 'bbb222' });
  });

  it('throws a typed error for Stable before any stable revision', () => {
    const noStable: RolloutArgsContext = { latestPodHash: 'bbb222', rollout };
    expect(() => one({ name: 's', valueFrom: { podTemplateHashValue: 'Stable' } }, noStable)).toThrow(AnalysisArgError);
    try {
      one({ name: 's', valueFrom: { podTemplateHashValue: 'Stable' } }, noStable);
    } catch (err) {
      expect((err as AnalysisArgError).code).toBe('analysis-arg');
      expect((err as AnalysisArgError).details).toEqual({ arg: 's' });
    }
  });

  it.each([
    ['metadata.name', 'shop'],
    ['metadata.namespace', 'prod'],
    ["metadata.labels['tier']", 'web'],
    ["metadata.annotations['owner']", 'team-a'],
    ["metadata.labels['absent']", ''],
    ['metadata.labels', 'app="shop"\ntier="web"'],
    ['spec.replicas', '3'],
    ['spec.template.spec.containers[0].image', 'shop:v2'],
    ['spec.template.spec.serviceAccountName', 'shop-sa'],
    ['spec.strategy.canary.canaryService', 'shop-canary'],
    ['spec.strategy.canary.steps[0].setWeight', '20'],
    ['spec.strategy.canary.steps.1.pause.duration', '30'],
    ['spec.paused', 'false'],
  ])('fieldRef %s -> %j', (path, value) => {
    expect(one(fieldRef(path))).toEqual({ name: 'x', value });
  });

  it.each([
    ['metadata.uid', 'args.x: unsupported fieldPath: metadata.uid'],
    ['spec.nothing', 'args.x: invalid path spec.nothing in rollout'],
    ['spec.template.spec.containers[5].image', 'args.x: index 5 out of range'],
    ['spec.template.spec.containers[first].image', "args.x: invalid index 'first'"],
    ['spec.template.spec.containers', 'args.x: path spec.template.spec.containers in rollout must terminate in a primitive value'],
    ['spec.replicas.deeper', 'args.x: invalid path spec.replicas.deeper in rollout'],
  ])('fieldRef %s is an analysis-arg error', (path, message) => {
    expect(() => one(fieldRef(path))).toThrow(message);
  });
});

describe('secretKeyRef', () => {
  const secrets = [{ apiVersion: 'v1', kind: 'Secret' as const, metadata: { name: 'api', labels: {}, annotations: {} }, source: { file: 's.yaml', line: 1, column: 1 }, data: { token: 's3cr3t' } }];
  const lookup = secretLookupFromManifests(secrets);
  const metrics = [metric('up', { successCondition: 'result == 1', provider: { ...prometheus, query: 'up{token="{{args.token}}"}' } })];
  const args = [{ name: 'token', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } }];

  it('reads the value from the Secrets given, worded as Argo resolveArgs when it cannot', () => {
    expect(lookup({ name: 'api', key: 'token' })).toEqual({ value: 's3cr3t' });
    expect(lookup({ name: 'api', key: 'toString' })).toEqual({ error: "key 'toString' does not exist in secret 'api'" });
    expect(lookup({ name: 'db', key: 'token' })).toEqual({ error: 'secrets "db" not found' });
  });

  it('a run substitutes the Secret value into its metrics, and keeps it out of its args', () => {
    const run = runOf(metrics, { templates: [template('tmpl', metrics, { args })], secrets: lookup });
    expect(run.phase).toBe('Running');
    expect(run.metrics[0]?.provider).toMatchObject({ query: 'up{token="s3cr3t"}' });
    expect(JSON.stringify(run.args)).not.toContain('s3cr3t');
  });

  it('a Secret or key that is missing makes the run Error with Argo message', () => {
    const missing = [{ name: 'token', valueFrom: { secretKeyRef: { name: 'db', key: 'token' } } }];
    const run = runOf(metrics, { templates: [template('tmpl', metrics, { args: missing })], secrets: lookup });
    expect(run).toMatchObject({ phase: 'Error', message: 'Unable to resolve metric arguments: secrets "db" not found' });
  });

  it('without a lookup the run is Error, saying where the value could come from', () => {
    const run = runOf(metrics, { templates: [template('tmpl', metrics, { args })] });
    expect(run.phase).toBe('Error');
    expect(run.message).toContain('valueFrom.secretKeyRef');
  });
});
