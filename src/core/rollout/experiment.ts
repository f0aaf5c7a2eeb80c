/**
 * The experiment step, run as Argo v1.9 runs it, with the Experiment kept in the rollout's state
 * instead of its own object: `rollout/experiment.go` (`GetExperimentFromTemplate`,
 * `reconcileExperiments`), `experiments/experiment.go` (`reconcileTemplate`,
 * `reconcileAnalysisRun`, `calculateStatus`, `assessTemplates`, `assessAnalysisRuns`) and
 * `utils/experiment` (`PassedDurations`, `RequiredAnalysisRunsSuccessful`).
 *
 * Lifecycle: each template becomes a temporary revision of `replicas` pods (the stable's or the
 * canary's template); once all are available the experiment is Running, its analyses start, and
 * the duration (if any) counts from then. It ends Successful when the duration has passed (and
 * the analyses that must complete have), or with the worst analysis phase when one fails, errors
 * or is inconclusive. Then its pods stop and its runs are terminated. The rollout completes the
 * step on Successful, aborts on Failed/Error (`Experiment analysis phase is error/failed: ...`)
 * and pauses on Inconclusive (`InconclusiveExperiment`).
 */
import type { CanaryStrategy, ExperimentStep } from '../spec/types.js';
import { allocateRunName, resolveRolloutArgs } from './analysis-runs.js';
import { currentStep, stepIndex } from './canary-steps.js';
import { abortRollout, addPauseCondition, emit, pauseCondition, record, runPhase, wakeAt, type ReconcileContext } from './context.js';
import { podTemplateHash } from './hash.js';
import { EXPERIMENT_LABEL, observedTemporary, scaleTemporary, stopTemporaries, temporaryRevisions, temporaryTemplate } from './temporary-revisions.js';
import type { AnalysisRunPhase, ExperimentState, ExperimentTemplatePhase, WeightDestination } from './types.js';

const COMPLETED: ReadonlySet<string> = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);
/** Argo `analysisStatusOrder`, best to worst; an analysis not started yet ranks with the best. */
const ANALYSIS_ORDER: AnalysisRunPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];
/** Argo `templateStatusOrder`, best to worst. */
const TEMPLATE_ORDER: ExperimentTemplatePhase[] = ['Successful', 'Running', 'Progressing', 'Error', 'Failed'];

const rank = <T>(order: readonly T[], x: T | undefined): number => (x === undefined ? 0 : Math.max(0, order.indexOf(x)));

/** Argo's `Experiment analysis phase is error/failed` abort reason. */
export const EXPERIMENT_ABORT_PREFIX = 'Experiment analysis phase is error/failed';

/** Reconciles the experiment of the current step; mutates `ctx.state`. */
export function reconcileExperiment(ctx: ReconcileContext, strategy: CanaryStrategy): void {
  const s = ctx.state;
  let ex = s.experiment;
  // Argo `reconcileExperiments`: aborted or full promotion cancels every experiment.
  if (s.aborted || s.promoteFull || s.stableHash === undefined || s.stableHash === ctx.hash) {
    if (ex) endExperiment(ctx, ex);
    if (s.aborted) delete s.experiment;
    return;
  }
  if (pauseCondition(s, 'InconclusiveExperiment')) return;
  const index = stepIndex(s);
  const step = currentStep(strategy, s);
  if (step?.kind !== 'experiment') {
    if (ex) endExperiment(ctx, ex);
    return;
  }
  if (ex && (ex.stepIndex !== index || ex.hash !== ctx.hash)) {
    endExperiment(ctx, ex);
    ex = undefined;
  }
  ex ??= createExperiment(ctx, step.experiment, index);
  if (COMPLETED.has(ex.phase)) return;
  const before = ex.phase;
  assessExperiment(ctx, ex, step.experiment);
  if (ex.phase !== before) record(ctx, { type: 'ExperimentPhase', experiment: ex.name, phase: ex.phase, message: ex.message ?? '' });
  if (!COMPLETED.has(ex.phase)) return;
  endExperiment(ctx, ex);
  if (ex.phase === 'Inconclusive') addPauseCondition(ctx, 'InconclusiveExperiment');
  else if (ex.phase === 'Failed' || ex.phase === 'Error') abortRollout(ctx, ex.message ? `${EXPERIMENT_ABORT_PREFIX}: ${ex.message}` : EXPERIMENT_ABORT_PREFIX);
  else wakeAt(ctx, ctx.now);
}

/** True when the current step's experiment has succeeded (the step completes). */
export function experimentSucceeded(ctx: ReconcileContext): boolean {
  const ex = ctx.state.experiment;
  return ex !== undefined && ex.stepIndex === stepIndex(ctx.state) && ex.hash === ctx.hash && ex.phase === 'Successful';
}

/**
 * Argo `calculateWeightDestinationsFromExperiment`: while the experiment is Running, each
 * template with a weight gets it.
 */
export function experimentWeights(ctx: ReconcileContext, strategy: CanaryStrategy): WeightDestination[] {
  const ex = ctx.state.experiment;
  const step = currentStep(strategy, ctx.state);
  if (!ex || ex.phase !== 'Running' || step?.kind !== 'experiment' || ex.stepIndex !== stepIndex(ctx.state)) return [];
  const out: WeightDestination[] = [];
  for (const t of step.experiment.templates) {
    const status = ex.templates.find((x) => x.name === t.name);
    if (t.weight !== undefined && t.weight > 0 && status) out.push({ name: t.name, hash: status.hash, role: t.name, weight: t.weight });
  }
  return out;
}

/** Argo `GetExperimentFromTemplate`: `<rollout>-<hash>-<revision>-<stepIndex>`, `-1`, `-2` on a name already used. */
function createExperiment(ctx: ReconcileContext, step: ExperimentStep, index: number): ExperimentState {
  const s = ctx.state;
  const base = `${ctx.rollout.metadata.name}-${ctx.hash}-${ctx.revision}-${index}`;
  let name = base;
  for (let n = 1; s.usedRunNames.includes(name); n++) name = `${base}-${n}`;
  s.usedRunNames.push(name);
  const ex: ExperimentState = { name, stepIndex: index, hash: ctx.hash, phase: 'Pending', templates: [], analyses: step.analyses.map((a) => ({ name: a.name })) };
  for (const t of step.templates) {
    const source = s.revisions.find((r) => r.hash === (t.specRef === 'stable' ? s.stableHash : ctx.hash));
    if (!source) continue;
    const template = temporaryTemplate(source.template, t.name, { labels: { ...t.metadata?.labels, [EXPERIMENT_LABEL]: name }, annotations: t.metadata?.annotations ?? {} });
    const hash = podTemplateHash(template);
    ex.templates.push({ name: t.name, hash, phase: 'Progressing', since: ctx.now });
    scaleTemporary(ctx, { name: t.name, role: t.name, owner: 'experiment', hash, template, revision: source.revision }, t.replicas);
  }
  s.experiment = ex;
  record(ctx, { type: 'ExperimentCreated', experiment: name });
  return ex;
}

/** Scales the experiment's templates to 0 and terminates its runs still going; a running experiment ends Successful, as Argo's terminated one does. */
function endExperiment(ctx: ReconcileContext, ex: ExperimentState): void {
  stopTemporaries(ctx, 'experiment');
  for (const a of ex.analyses) {
    if (a.run && !COMPLETED.has(runPhase(ctx, a.run).phase) && !COMPLETED.has(a.phase ?? '')) {
      emit(ctx, { type: 'terminateAnalysisRun', name: a.run });
      a.phase = 'Successful';
      a.message = 'Run Terminated';
    }
  }
  if (!COMPLETED.has(ex.phase)) {
    ex.phase = 'Successful';
    ex.message = 'Experiment terminated';
    record(ctx, { type: 'ExperimentPhase', experiment: ex.name, phase: ex.phase, message: ex.message });
  }
}

/** One pass of Argo's experiment controller: templates, analyses, then the phase. */
function assessExperiment(ctx: ReconcileContext, ex: ExperimentState, step: ExperimentStep): void {
  const now = ctx.now;
  const deadline = ctx.rollout.spec.progressDeadlineSeconds * 1000;
  // PassedDurations, on the availableAt of the previous pass, as Argo reads ex.Status.
  const passed = step.duration !== undefined && ex.availableAt !== undefined && now >= ex.availableAt + step.duration * 1000;
  for (const t of ex.templates) {
    if (t.phase === 'Successful' || t.phase === 'Failed' || t.phase === 'Error') continue;
    const spec = step.templates.find((x) => x.name === t.name);
    const want = spec?.replicas ?? 1;
    let phase: ExperimentTemplatePhase;
    if (observedTemporary(ctx, t.hash).availableReplicas >= want) {
      phase = passed ? 'Successful' : 'Running';
    } else if (now > t.since + deadline) {
      phase = 'Failed';
      t.message = `Template '${t.name}' exceeded its progressDeadlineSeconds (${ctx.rollout.spec.progressDeadlineSeconds})`;
    } else {
      phase = 'Progressing';
      wakeAt(ctx, t.since + deadline + 1);
    }
    if (phase !== t.phase) t.since = now;
    t.phase = phase;
    // CalculateTemplateReplicasCount: a completed template runs no pods.
    if (phase === 'Successful' || phase === 'Failed') {
      const rev = temporaryRevisions(ctx).find((x) => x.hash === t.hash);
      if (rev) scaleTemporary(ctx, rev, 0);
    }
  }
  for (const a of ex.analyses) {
    if (ex.availableAt === undefined || COMPLETED.has(a.phase ?? '')) continue;
    const spec = step.analyses.find((x) => x.name === a.name);
    if (!spec) continue;
    if (!a.run) {
      a.run = allocateRunName(ctx.state.usedRunNames, `${ex.name}-${a.name}`);
      ctx.state.usedRunNames.push(a.run);
      a.phase = 'Pending';
      const analysis = { templates: [{ templateName: spec.templateName, clusterScope: spec.clusterScope }], args: spec.args, dryRun: step.dryRun, measurementRetention: [] };
      const args = resolveRolloutArgs(spec.args, ctx.rollout, ctx.state.stableHash, ctx.hash).map((arg) => (arg.value === undefined ? arg : { ...arg, value: templateArgs(arg.value, ex) }));
      emit(ctx, { type: 'startAnalysisRun', name: a.run, kind: 'Step', analysis, hash: ex.hash, stepIndex: ex.stepIndex, args });
      continue;
    }
    const run = runPhase(ctx, a.run);
    a.phase = run.phase;
    if (run.message !== undefined) a.message = run.message;
  }
  const templates = assessTemplates(ex);
  if (templates.phase === 'Running' && ex.availableAt === undefined) {
    ex.availableAt = now;
    wakeAt(ctx, now);
  }
  if (ex.availableAt !== undefined && step.duration !== undefined) wakeAt(ctx, ex.availableAt + step.duration * 1000);
  const analyses = assessAnalyses(ex, step);
  const hasRequired = step.analyses.some((a) => a.requiredForCompletion);
  let result: { phase: AnalysisRunPhase; message?: string };
  if (COMPLETED.has(templates.phase)) {
    result = templates.phase === 'Successful' && (COMPLETED.has(analyses.phase) || hasRequired) ? analyses : templates;
  } else if (COMPLETED.has(analyses.phase) && analyses.phase !== 'Successful') {
    result = analyses;
  } else if (requiredSuccessful(ex, step)) {
    result = analyses;
  } else {
    result = templates;
  }
  ex.phase = result.phase;
  if (result.message) ex.message = result.message;
  else delete ex.message;
}

/** Argo `assessTemplates`. */
function assessTemplates(ex: ExperimentState): { phase: AnalysisRunPhase; message?: string } {
  let worst: ExperimentTemplatePhase = 'Successful';
  let message: string | undefined;
  for (const t of ex.templates) {
    if (rank(TEMPLATE_ORDER, t.phase) > rank(TEMPLATE_ORDER, worst)) {
      worst = t.phase;
      message = t.message;
    }
  }
  const phase: AnalysisRunPhase = worst === 'Progressing' ? 'Pending' : worst;
  return message ? { phase, message } : { phase };
}

/** Argo `RequiredAnalysisRunsSuccessful`. */
function requiredSuccessful(ex: ExperimentState, step: ExperimentStep): boolean {
  const required = step.analyses.filter((a) => a.requiredForCompletion);
  return required.length > 0 && required.every((r) => ex.analyses.find((a) => a.name === r.name)?.phase === 'Successful');
}

/** Argo `assessAnalysisRuns`. */
function assessAnalyses(ex: ExperimentState, step: ExperimentStep): { phase: AnalysisRunPhase; message?: string } {
  let worst: AnalysisRunPhase = 'Successful';
  let message: string | undefined;
  for (const a of ex.analyses) {
    if (rank(ANALYSIS_ORDER, a.phase) > rank(ANALYSIS_ORDER, worst) && a.phase !== undefined) {
      worst = a.phase;
      message = a.message;
    }
  }
  if (requiredSuccessful(ex, step) && rank(ANALYSIS_ORDER, worst) < rank(ANALYSIS_ORDER, 'Running')) return { phase: 'Successful', message: 'Required AnalysisRuns completed' };
  if (worst === 'Pending') worst = 'Running';
  return message ? { phase: worst, message } : { phase: worst };
}

/** Argo `ResolveExperimentArgsValue`: `{{templates.<name>.podTemplateHash}}` and `{{templates.<name>.replicaset.name}}`. */
function templateArgs(value: string, ex: ExperimentState): string {
  return value.replace(/\{\{\s*templates\.([^.}\s]+)\.(podTemplateHash|replicaset\.name)\s*\}\}/g, (all, name: string, what: string) => {
    const t = ex.templates.find((x) => x.name === name);
    if (!t) return all;
    return what === 'podTemplateHash' ? t.hash : `${ex.name}-${t.name}-${t.hash}`;
  });
}
