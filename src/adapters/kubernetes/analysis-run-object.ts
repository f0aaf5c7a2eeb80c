/**
 * The AnalysisRun object of one run, as Argo Rollouts creates and updates it
 * (`rollout/analysis.go` `newAnalysisRunFromRollout`, `analysis/analysis.go` status): Argo's name,
 * the labels `rollouts-pod-template-hash` and `rollout-type` (plus `step-index` on step runs),
 * the `rollout.argoproj.io/revision` annotation, an owner reference to the Rollout, the
 * templates' metrics and the resolved args in `spec`, and `status` with every metric result and
 * measurement, so `kubectl get analysisrun` shows them. The engine's own record of the run (exact
 * times, resolved metrics) rides along in one annotation, so a controller that restarts resumes
 * the run exactly. Pure.
 */
import type { AnalysisRunState, Measurement } from '../../core/analysis/index.js';
import type { OwnedAnalysisRun } from '../../core/rollout/index.js';
import { argoTime as argoTimeOf } from './rollout-status.js';
import { controllerRef, type KubeObject } from './resources.js';

/** The annotation holding the engine's record of a run (JSON of AnalysisRunState). */
export const RUN_STATE_ANNOTATION = 'rollouts.baton.dev/analysis-run-state';
export const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';
export const HASH_LABEL = 'rollouts-pod-template-hash';

export interface AnalysisRunObjectInput {
  run: AnalysisRunState;
  owned: OwnedAnalysisRun;
  rollout: KubeObject;
  revision: number | undefined;
  /** The metrics as the templates wrote them (Argo copies them unresolved), by template name. */
  templateMetrics: (template: string) => unknown[] | undefined;
  toWall?: ToWall;
}

/** Engine time -> wall time for the times shown (they differ under --time-scale). */
export type ToWall = (engineMs: number) => number;
const same: ToWall = (ms) => ms;

function measurement(m: Measurement, toWall: ToWall): Record<string, unknown> {
  const argoTime = (ms: number): string => argoTimeOf(toWall(ms));
  return {
    phase: m.phase,
    ...(m.value !== undefined ? { value: m.value } : {}),
    ...(m.message ? { message: m.message } : {}),
    startedAt: argoTime(m.startedAt),
    ...(m.finishedAt !== undefined ? { finishedAt: argoTime(m.finishedAt) } : {}),
    ...(m.metadata ? { metadata: m.metadata } : {}),
  };
}

/** Argo's `RunSummary`: how many metrics ended in each phase. */
function summary(run: AnalysisRunState, dryRun: boolean): Record<string, number> {
  const results = run.metricResults.filter((r) => r.dryRun === dryRun);
  const count = (p: string): number => results.filter((r) => r.phase === p).length;
  return { count: results.length, successful: count('Successful'), failed: count('Failed'), inconclusive: count('Inconclusive'), error: count('Error') };
}

/** `status` of the AnalysisRun object. */
export function analysisRunStatus(run: AnalysisRunState, toWall: ToWall = same): Record<string, unknown> {
  const argoTime = (ms: number): string => argoTimeOf(toWall(ms));
  return {
    phase: run.phase,
    ...(run.message ? { message: run.message } : {}),
    startedAt: argoTime(run.startedAt),
    ...(run.completedAt !== undefined ? { completedAt: argoTime(run.completedAt) } : {}),
    metricResults: run.metricResults.map((r) => ({
      name: r.name,
      phase: r.phase,
      ...(r.message ? { message: r.message } : {}),
      measurements: r.measurements.map((m) => measurement(m, toWall)),
      count: r.count,
      successful: r.successful,
      failed: r.failed,
      inconclusive: r.inconclusive,
      error: r.error,
      consecutiveError: r.consecutiveError,
      consecutiveSuccess: r.consecutiveSuccess,
      ...(r.dryRun ? { dryRun: true } : {}),
    })),
    runSummary: summary(run, false),
    ...(run.metricResults.some((r) => r.dryRun) ? { dryRunSummary: summary(run, true) } : {}),
  };
}

/** The whole object to create (see the file comment). */
export function analysisRunObject(input: AnalysisRunObjectInput): KubeObject {
  const { run, owned, rollout } = input;
  const labels: Record<string, string> = { [HASH_LABEL]: owned.hash, 'rollout-type': owned.kind };
  if (owned.kind === 'Step' && owned.stepIndex !== undefined) labels['step-index'] = String(owned.stepIndex);
  const annotations: Record<string, string> = { [RUN_STATE_ANNOTATION]: JSON.stringify(run) };
  if (input.revision !== undefined) annotations[REVISION_ANNOTATION] = String(input.revision);
  const metrics: unknown[] = [];
  for (const template of [...new Set(run.metrics.map((m) => m.template))]) {
    const written = input.templateMetrics(template);
    const names = new Set(run.metrics.filter((m) => m.template === template).map((m) => m.name));
    // A template gone since the run started: the run's own resolved metrics stand in.
    for (const m of written ?? run.metrics.filter((x) => x.template === template).map((x) => ({ name: x.name }))) {
      if (names.has((m as { name?: string }).name ?? '')) metrics.push(m);
    }
  }
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: run.name,
      ...(rollout.metadata.namespace ? { namespace: rollout.metadata.namespace } : {}),
      labels,
      annotations,
      ownerReferences: [controllerRef(rollout, 'argoproj.io/v1alpha1', 'Rollout')],
    },
    spec: {
      metrics,
      args: run.args.map((a) => (a.value !== undefined ? { name: a.name, value: a.value } : { name: a.name })),
      ...(run.terminated ? { terminate: true } : {}),
    },
    status: analysisRunStatus(run, input.toWall),
  };
}

/** The engine's record kept on an AnalysisRun object, or undefined when it has none (not Baton's). */
export function runStateOf(obj: KubeObject): AnalysisRunState | undefined {
  const text = obj.metadata.annotations?.[RUN_STATE_ANNOTATION];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as AnalysisRunState;
  } catch {
    return undefined;
  }
}
