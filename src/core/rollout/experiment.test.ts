import { describe, expect, it } from 'vitest';
import type { CanaryStep, ExperimentStep } from '../spec/types.js';
import { canaryStrategy, istioRouting, makeRollout, RolloutDriver, type RunScript } from './driver.test-support.js';

const S = 1000;

function experiment(extra: Partial<ExperimentStep> = {}): ExperimentStep {
  return {
    templates: [
      { name: 'baseline', specRef: 'stable', replicas: 1, weight: 10 },
      { name: 'canary', specRef: 'canary', replicas: 1, weight: 10 },
    ],
    analyses: [{ name: 'compare', templateName: 'judge', clusterScope: false, args: [{ name: 'b', value: '{{templates.baseline.podTemplateHash}}' }], requiredForCompletion: false }],
    dryRun: [],
    duration: 60,
    ...extra,
  };
}

function drive(step: ExperimentStep, script: RunScript): RolloutDriver {
  const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 20 }, { kind: 'experiment', experiment: step }, { kind: 'setWeight', weight: 50 }];
  const d = new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting() }), { replicas: 4 }), { readyMs: 2 * S, runScript: () => script });
  d.run(0);
  d.update('shop:v2');
  return d;
}

describe('experiment step (Argo rollout/experiment.go, experiments/experiment.go)', () => {
  const cases: { name: string; step: ExperimentStep; script: RunScript; phase: string; message?: RegExp; completes: boolean }[] = [
    { name: 'duration passes with a passing analysis: Successful, the step completes', step: experiment(), script: [{ after: 5 * S, phase: 'Successful' }], phase: 'Successful', completes: true },
    { name: 'a failing analysis ends it Failed and aborts the rollout', step: experiment(), script: [{ after: 5 * S, phase: 'Failed', message: 'Metric "m" assessed Failed' }], phase: 'Failed', message: /Experiment analysis phase is error\/failed: Metric "m" assessed Failed/, completes: false },
    { name: 'a required analysis ends it without a duration', step: experiment({ duration: undefined, analyses: [{ ...experiment().analyses[0]!, requiredForCompletion: true }] }), script: [{ after: 5 * S, phase: 'Successful' }], phase: 'Successful', completes: true },
    { name: 'an inconclusive analysis pauses', step: experiment(), script: [{ after: 5 * S, phase: 'Inconclusive' }], phase: 'Inconclusive', completes: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = drive(c.step, c.script);
      d.run(300 * S);
      const phases = d.events('ExperimentPhase');
      expect(phases.at(-1)?.phase).toBe(c.phase);
      const completed = d.events('StepCompleted').some((e) => e.index === 1);
      expect(completed).toBe(c.completes);
      if (c.message) expect(d.status.message).toMatch(c.message);
      if (c.phase === 'Inconclusive') expect(d.status.message).toBe('InconclusiveExperiment');
      // The template revisions are stopped once the experiment has ended.
      const scales = d.effectsOf('scaleTemporaryRevision');
      for (const name of ['baseline', 'canary']) expect(scales.filter((e) => e.revision.name === name).at(-1)?.replicas).toBe(0);
    });
  }

  it('names the experiment as Argo does, resolves template args, and routes the template weights from stable', () => {
    const d = drive(experiment(), [{ after: 5 * S, phase: 'Successful' }]);
    d.run(30 * S);
    const created = d.events('ExperimentCreated')[0];
    expect(created?.experiment).toBe(`shop-${d.state.currentHash}-2-1`);
    const start = d.effectsOf('startAnalysisRun').find((e) => e.name === `${created?.experiment}-compare`);
    const baseline = d.state.experiment?.templates.find((t) => t.name === 'baseline');
    expect(start?.args).toEqual([{ name: 'b', value: baseline?.hash }]);
    expect(baseline?.hash).not.toBe(d.state.stableHash);
    const weighted = d.effectsOf('setWeight').find((e) => e.additional?.length);
    expect(weighted).toMatchObject({ canary: 20, stable: 60 });
    expect(weighted?.additional?.map((a) => [a.role, a.weight])).toEqual([['baseline', 10], ['canary', 10]]);
    // The analysis starts only once every template is available.
    const available = d.effectsOf('scaleTemporaryRevision')[0];
    expect(available).toBeDefined();
  });

  it('a template that never becomes available fails the experiment after progressDeadlineSeconds', () => {
    const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 20 }, { kind: 'experiment', experiment: experiment() }];
    const d = new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting() }), { replicas: 4, progressDeadlineSeconds: 30 }), { readyMs: 2 * S });
    d.run(0);
    d.update('shop:v2');
    d.run(10 * S);
    // Pods of the templates never get ready.
    for (const t of d.state.temporaryRevisions ?? []) d.pods.set(t.hash, [Infinity]);
    d.run(120 * S);
    expect(d.status.message).toMatch(/Experiment analysis phase is error\/failed: Template '(baseline|canary)' exceeded its progressDeadlineSeconds \(30\)/);
  });
});

describe('baseline option', () => {
  it('runs a baseline of the stable template beside the canary at its weight, and removes it at promotion', () => {
    const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 10 }, { kind: 'pause', duration: 10 }, { kind: 'setWeight', weight: 75 }, { kind: 'pause', duration: 10 }];
    const d = new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting(), baseline: { enabled: true } }), { replicas: 4 }), { readyMs: 2 * S });
    d.run(0);
    const stable = d.state.stableHash;
    d.update('shop:v2');
    d.run(5 * S);
    const base = d.state.temporaryRevisions?.[0];
    expect(base).toMatchObject({ role: 'baseline', owner: 'baseline', replicas: 1 });
    expect(base?.template.metadata.labels['baton.dev/role']).toBe('baseline');
    expect(base?.template.spec.containers[0]?.env).toContainEqual({ name: 'BATON_ROLE', value: 'baseline' });
    expect(base?.template.spec.containers[0]?.image).toBe('shop:v1');
    // Started in the same reconcile as the canary.
    const first = d.effectsOf('scaleTemporaryRevision')[0];
    const canaryScale = d.effects.find((e) => e.effect.type === 'scaleRevision' && e.effect.hash !== stable);
    expect(d.effects.find((e) => e.effect === first)?.t).toBe(canaryScale?.t);
    const split = (canary: number) => d.effectsOf('setWeight').find((e) => e.canary === canary && e.additional?.length);
    expect(split(10)).toMatchObject({ stable: 80, additional: [{ role: 'baseline', weight: 10 }] });
    d.run(60 * S);
    expect(split(75)).toMatchObject({ stable: 0, additional: [{ role: 'baseline', weight: 25 }] });
    expect(d.status.phase).toBe('Healthy');
    expect(d.effectsOf('scaleTemporaryRevision').at(-1)?.replicas).toBe(0);
    expect(d.effectsOf('setWeight').at(-1)?.additional ?? []).toEqual([]);
  });

  it('is removed at once on abort', () => {
    const steps: CanaryStep[] = [{ kind: 'setWeight', weight: 20 }, { kind: 'pause' }];
    const d = new RolloutDriver(makeRollout(canaryStrategy(steps, { trafficRouting: istioRouting(), baseline: { enabled: true } }), { replicas: 4 }), { readyMs: 1 * S });
    d.run(0);
    d.update('shop:v2');
    d.run(10 * S);
    expect(d.state.temporaryRevisions?.[0]?.replicas).toBe(1);
    d.act({ type: 'abort' });
    d.run(11 * S);
    expect(d.effectsOf('scaleTemporaryRevision').at(-1)?.replicas).toBe(0);
    expect(d.weight).toEqual({ canary: 0, stable: 100 });
  });
});
