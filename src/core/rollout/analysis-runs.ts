/**
 * The AnalysisRuns a rollout owns: naming, arguments, starting and terminating them, and what
 * their phase means for the rollout (Argo `rollout/analysis.go`).
 */
import type { AnalysisRunArgument, Rollout, RolloutAnalysis } from '../spec/types.js';
import { abortRollout, addPauseCondition, emit, pauseCondition, runPhase, type ReconcileContext } from './context.js';
import type { AnalysisRunKind, OwnedAnalysisRun } from './types.js';

/**
 * Argo `newAnalysisRunFromRollout`: `<rollout>-<hash>-<revision>[-<infix>]`, the infix being the
 * step index for step runs, `pre` / `post` for blue/green, none for background runs.
 */
export function analysisRunBaseName(rollout: string, hash: string, revision: number, kind: AnalysisRunKind, stepIndex?: number): string {
  const parts = [rollout, hash, String(revision)];
  if (kind === 'Step') parts.push(String(stepIndex ?? 0));
  if (kind === 'PrePromotion') parts.push('pre');
  if (kind === 'PostPromotion') parts.push('post');
  return parts.join('-');
}

/**
 * Argo `CreateWithCollisionCounter`: a name already taken by an earlier run (a retry after an
 * abort, a resume after an inconclusive run) becomes `<name>.1`, `<name>.2`, ...
 */
export function allocateRunName(used: readonly string[], base: string): string {
  if (!used.includes(base)) return base;
  for (let n = 1; ; n++) {
    const name = `${base}.${n}`;
    if (!used.includes(name)) return name;
  }
}

/**
 * Argo `BuildArgumentsForRolloutAnalysisRun`: `value` as written; `podTemplateHashValue: Stable`
 * is the stable hash, `Latest` the current one; `fieldRef.fieldPath` is read off the Rollout
 * (`metadata.name`, `metadata.labels['app']`, `spec.replicas`, ...). Unresolved stays undefined:
 * the analysis core reports it as Argo does (`args.x was not resolved`).
 */
export function resolveRolloutArgs(args: AnalysisRunArgument[], rollout: Rollout, stableHash: string | undefined, currentHash: string): { name: string; value?: string }[] {
  return args.map((arg) => {
    if (arg.value !== undefined) return { name: arg.name, value: arg.value };
    const from = arg.valueFrom;
    if (from?.podTemplateHashValue === 'Stable') return { name: arg.name, value: stableHash };
    if (from?.podTemplateHashValue === 'Latest') return { name: arg.name, value: currentHash };
    if (from?.fieldRef) return { name: arg.name, value: readFieldPath(rollout, from.fieldRef.fieldPath) };
    return { name: arg.name };
  });
}

/** `metadata.labels['app.kubernetes.io/name']`, `spec.replicas`, `metadata.name`. */
export function readFieldPath(object: unknown, fieldPath: string): string | undefined {
  const segments: string[] = [];
  const re = /([^.[\]]+)|\[['"]([^'"]*)['"]\]|\[(\d+)\]/g;
  for (const m of fieldPath.matchAll(re)) segments.push(m[1] ?? m[2] ?? m[3] ?? '');
  let cur: unknown = object;
  for (const seg of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined || cur === null) return undefined;
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return JSON.stringify(cur);
}

export function findRun(ctx: ReconcileContext, kind: AnalysisRunKind): OwnedAnalysisRun | undefined {
  return ctx.state.analysisRuns.find((r) => r.kind === kind);
}

/** Start a run for the current revision and own it. */
export function startRun(ctx: ReconcileContext, kind: AnalysisRunKind, analysis: RolloutAnalysis, stepIndex?: number): OwnedAnalysisRun {
  const s = ctx.state;
  const base = analysisRunBaseName(ctx.rollout.metadata.name, ctx.hash, ctx.revision, kind, stepIndex);
  const name = allocateRunName(s.usedRunNames, base);
  s.usedRunNames.push(name);
  const run: OwnedAnalysisRun = { name, kind, hash: ctx.hash, ...(stepIndex !== undefined ? { stepIndex } : {}) };
  s.analysisRuns.push(run);
  emit(ctx, {
    type: 'startAnalysisRun',
    name,
    kind,
    analysis,
    hash: ctx.hash,
    ...(stepIndex !== undefined ? { stepIndex } : {}),
    args: resolveRolloutArgs(analysis.args, ctx.rollout, s.stableHash, ctx.hash),
  });
  // The engine reports AnalysisRunStarted when it creates the run; no event here, so the
  // timeline has it once.
  return run;
}

const COMPLETED = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);

/** Stop owning a run; a run still going is terminated (Argo `cancelAnalysisRuns`). */
export function dropRun(ctx: ReconcileContext, run: OwnedAnalysisRun): void {
  ctx.state.analysisRuns = ctx.state.analysisRuns.filter((r) => r.name !== run.name);
  if (!COMPLETED.has(runPhase(ctx, run.name).phase)) {
    emit(ctx, { type: 'terminateAnalysisRun', name: run.name });
  }
}

export function dropAllRuns(ctx: ReconcileContext): void {
  for (const run of [...ctx.state.analysisRuns]) dropRun(ctx, run);
}

/** Argo's abort wording per run kind. */
const ABORT_PREFIX: Record<AnalysisRunKind, string> = {
  Step: 'Step-based analysis phase error/failed',
  Background: 'Background analysis phase error/failed',
  PrePromotion: 'Blue/green pre-promotion analysis phase error/failed',
  PostPromotion: 'Blue/green post-promotion analysis phase error/failed',
};

/**
 * Keep one run of `kind` going for `analysis` and act on its phase (Argo `reconcileAnalysisRun` +
 * `setPauseOrAbort`): Inconclusive pauses with `InconclusiveAnalysisRun`, Failed/Error aborts.
 * Once the person resumes an inconclusive run's pause, a new run starts. Returns the run's phase.
 */
export function reconcileRun(ctx: ReconcileContext, kind: AnalysisRunKind, analysis: RolloutAnalysis, stepIndex?: number): string {
  const s = ctx.state;
  let run = findRun(ctx, kind);
  if (run && (run.hash !== ctx.hash || run.stepIndex !== stepIndex)) {
    dropRun(ctx, run);
    run = undefined;
  }
  if (run?.pausedOnInconclusive && !pauseCondition(s, 'InconclusiveAnalysisRun')) {
    // The pause for this inconclusive run was lifted by a resume: measure again with a new run.
    ctx.state.analysisRuns = ctx.state.analysisRuns.filter((r) => r.name !== run?.name);
    run = undefined;
  }
  run ??= startRun(ctx, kind, analysis, stepIndex);
  const { phase, message } = runPhase(ctx, run.name);
  if (phase === 'Inconclusive' && !run.pausedOnInconclusive) {
    run.pausedOnInconclusive = true;
    addPauseCondition(ctx, 'InconclusiveAnalysisRun');
  } else if (phase === 'Failed' || phase === 'Error') {
    abortRollout(ctx, message ? `${ABORT_PREFIX[kind]}: ${message}` : ABORT_PREFIX[kind]);
  }
  return phase;
}
