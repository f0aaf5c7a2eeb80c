/**
 * The canary state machine, after Argo Rollouts v1.8 `rollout/canary.go` (`rolloutCanary`,
 * `reconcileCanaryPause`, `completedCurrentCanaryStep`, `syncRolloutStatusCanary`),
 * `rollout/trafficrouting.go` (`reconcileTrafficRouting`) and `rollout/sync.go`
 * (`shouldFullPromote`, `promoteStable`, `resetRolloutStatus`).
 *
 * One reconcile, in Argo's order: restart on a new template or new steps; analysis runs (which
 * may pause or abort); Services, router weight and managed routes; ReplicaSet scaling; the pause
 * step; then promotion, the abort reset, or completing at most one step.
 */
import type { CanaryStrategy } from '../spec/types.js';
import { dropAllRuns, dropRun, findRun, reconcileRun } from './analysis-runs.js';
import { atDesiredReplicaCounts, reconcileCanaryReplicas } from './canary-replicas.js';
import { canaryStepString, currentStep, stepIndex } from './canary-steps.js';
import { reconcileCanaryServices, reconcileManagedRoutes, reconcileTrafficRouting } from './canary-traffic.js';
import {
  addPauseCondition,
  available,
  haltProgress,
  pauseCondition,
  record,
  removePauseCondition,
  runPhase,
  wakeAt,
  type ReconcileContext,
} from './context.js';
import { baselineReady, reconcileBaseline } from './baseline.js';
import { experimentSucceeded, reconcileExperiment } from './experiment.js';
import { jsonHash } from './hash.js';
import { forgetStoppedTemporaries } from './temporary-revisions.js';
import { clearAbort, removeManagedRoutes } from './shared.js';

/** Reconcile a canary rollout; mutates `ctx.state`, collects effects. */
export function reconcileCanary(ctx: ReconcileContext, strategy: CanaryStrategy): void {
  const s = ctx.state;
  const stepsHash = jsonHash(strategy.steps);
  let restarted = false;
  if (s.currentHash !== ctx.hash || s.stepsHash !== stepsHash) {
    startNewRevision(ctx, strategy, stepsHash);
    restarted = true;
  }
  if (s.stableHash === undefined) promoteCanary(ctx, strategy, 'Initial deploy');
  if (s.promoteFull) {
    // Argo syncRolloutStatusCanary: a full promotion clears pauses and abort and skips the steps.
    s.pauseConditions = [];
    clearAbort(s);
    s.currentStepIndex = strategy.steps.length;
  }

  const pausesBefore = s.pauseConditions.length;
  reconcileCanaryAnalysis(ctx, strategy);
  reconcileExperiment(ctx, strategy);
  const analysisPaused = s.pauseConditions.length > pausesBefore;

  reconcileCanaryServices(ctx, strategy);
  reconcileTrafficRouting(ctx, strategy);
  reconcileManagedRoutes(ctx, strategy);

  // Argo returns before scaling when analysis has just paused, and does not start a pause step
  // while ReplicaSets are still being scaled. While progress is halted (spec.paused, or paused
  // on an inconclusive run) nothing is scaled, so no later step can complete and the rollout
  // cannot reach full promotion (Argo `reconcileCanaryReplicaSets` + `haltProgress`); a timed
  // pause step may still run out, as in Argo, but the next setWeight waits.
  if (!analysisPaused) {
    const scaled = haltProgress(ctx) === undefined && reconcileCanaryReplicas(ctx, strategy);
    if (!scaled) reconcileCanaryPause(ctx, strategy);
  }
  reconcileBaseline(ctx, strategy);
  forgetStoppedTemporaries(ctx);
  syncCanaryStatus(ctx, strategy, restarted);
}

/** Argo `resetRolloutStatus` on a new pod template or new steps. */
function startNewRevision(ctx: ReconcileContext, strategy: CanaryStrategy, stepsHash: string): void {
  const s = ctx.state;
  const templateChanged = s.currentHash !== ctx.hash;
  dropAllRuns(ctx);
  removeManagedRoutes(ctx);
  s.pauseConditions = [];
  s.controllerPause = false;
  clearAbort(s);
  s.promoteFull = false;
  s.timedOut = false;
  s.progressAt = ctx.now;
  s.currentHash = ctx.hash;
  s.stepsHash = stepsHash;
  delete s.routeStepApplied;
  delete s.scaleDownAt[ctx.hash];
  s.stepStartedAt = ctx.now;
  const stepCount = strategy.steps.length;
  if (s.stableHash === undefined || s.stableHash === ctx.hash) {
    // First deploy, or back to the stable template: no steps, no analysis ("Rollback to stable").
    s.currentStepIndex = stepCount;
    if (s.stableHash === ctx.hash && templateChanged && stepCount > 0) record(ctx, { type: 'RolledBackToStable', revision: ctx.revision });
  } else {
    s.currentStepIndex = 0;
    const first = strategy.steps[0];
    if (first) record(ctx, { type: 'StepStarted', index: 0, step: canaryStepString(first) });
  }
  wakeAt(ctx, ctx.now);
}

/** Argo `promoteStable`: the current revision becomes stable. */
function promoteCanary(ctx: ReconcileContext, strategy: CanaryStrategy, reason: string): void {
  const s = ctx.state;
  const previous = s.stableHash;
  s.stableHash = ctx.hash;
  s.promoteFull = false;
  s.pauseConditions = [];
  s.currentStepIndex = strategy.steps.length;
  if (previous === ctx.hash) return;
  record(ctx, { type: 'Promoted', revision: ctx.revision, reason });
  dropAllRuns(ctx);
  removeManagedRoutes(ctx);
  // The old stable is now an old revision: scaleDownOldRevisions gives it its scale-down delay.
  wakeAt(ctx, ctx.now);
}

function isFullyPromoted(ctx: ReconcileContext): boolean {
  return ctx.state.stableHash === ctx.hash;
}

/** Step and background runs (Argo `reconcileAnalysisRuns` for canaries). */
function reconcileCanaryAnalysis(ctx: ReconcileContext, strategy: CanaryStrategy): void {
  const s = ctx.state;
  // Argo `shouldCancelAllAnalysisRuns`: aborted, full promotion, initial deploy; and a fully
  // promoted rollout has nothing left to judge.
  if (s.aborted || s.promoteFull || s.stableHash === undefined || isFullyPromoted(ctx)) {
    dropAllRuns(ctx);
    return;
  }
  const index = stepIndex(s);
  const step = currentStep(strategy, s);
  if (step?.kind === 'analysis') {
    reconcileRun(ctx, 'Step', step.analysis, index);
  } else {
    const run = findRun(ctx, 'Step');
    if (run) dropRun(ctx, run);
  }
  const background = strategy.analysis;
  if (!s.aborted && background && index >= background.startingStep) {
    reconcileRun(ctx, 'Background', background);
  } else {
    const run = findRun(ctx, 'Background');
    if (run) dropRun(ctx, run);
  }
  if (s.aborted) dropAllRuns(ctx);
}

/** Argo `reconcileCanaryPause`: a pause step adds `CanaryPauseStep` once. */
function reconcileCanaryPause(ctx: ReconcileContext, strategy: CanaryStrategy): void {
  const s = ctx.state;
  if (s.paused || s.promoteFull || s.aborted) return;
  const step = currentStep(strategy, s);
  if (step?.kind !== 'pause') return;
  let cond = pauseCondition(s, 'CanaryPauseStep');
  if (!cond) {
    // The controller already paused and the person lifted it (promote): do not pause again.
    if (s.controllerPause) return;
    addPauseCondition(ctx, 'CanaryPauseStep');
    cond = pauseCondition(s, 'CanaryPauseStep');
  }
  if (cond && step.duration !== undefined) wakeAt(ctx, cond.startTime + step.duration * 1000);
}

/**
 * Argo `completedCurrentCanaryStep`, decided on the status read at the start of the reconcile.
 * A timed pause ends when now reaches start + duration: Argo compares `now.After(start + d)`
 * with `start` truncated to whole seconds, so at millisecond resolution the boundary itself
 * counts as passed, and a virtual clock that wakes at exactly that time moves on.
 */
function completedCurrentStep(ctx: ReconcileContext, strategy: CanaryStrategy): boolean {
  const s = ctx.state;
  if (s.paused) return false;
  const step = currentStep(strategy, s);
  if (!step) return false;
  switch (step.kind) {
    case 'pause': {
      const cond = pauseCondition(ctx.previous, 'CanaryPauseStep');
      if (step.duration !== undefined && cond && ctx.now >= cond.startTime + step.duration * 1000) return true;
      return !cond && ctx.previous.controllerPause;
    }
    case 'setCanaryScale':
      return atDesiredReplicaCounts(ctx, strategy);
    case 'setWeight':
      // With the baseline option, the step also waits for the baseline's pods, so the analysis
      // that follows compares the canary with a baseline that is serving.
      return atDesiredReplicaCounts(ctx, strategy) && (ctx.observed.trafficWeightVerified ?? true) && baselineReady(ctx, strategy);
    case 'analysis': {
      const run = findRun(ctx, 'Step');
      return run !== undefined && run.stepIndex === stepIndex(s) && runPhase(ctx, run.name).phase === 'Successful';
    }
    case 'setHeaderRoute':
    case 'setMirrorRoute':
      return true;
    case 'experiment':
      return experimentSucceeded(ctx);
    case 'plugin':
      // Baton does not run plugins; the spec layer reports them, and a rollout that has them moves past.
      return true;
    default: {
      const never: never = step;
      return never;
    }
  }
}

/** Argo `shouldFullPromote` for canaries. */
function fullPromotionReason(ctx: ReconcileContext, strategy: CanaryStrategy): string | undefined {
  const s = ctx.state;
  if (s.aborted) return undefined;
  if (available(ctx, ctx.hash) !== ctx.rollout.spec.replicas) return undefined;
  if (s.promoteFull) return 'Full promotion requested';
  const stepCount = strategy.steps.length;
  if (stepCount === 0 || stepIndex(s) === stepCount) return `Completed all ${stepCount} canary steps`;
  return undefined;
}

/** Argo `syncRolloutStatusCanary`: promote, hold an abort at step 0, or complete one step. */
function syncCanaryStatus(ctx: ReconcileContext, strategy: CanaryStrategy, restarted: boolean): void {
  const s = ctx.state;
  const stepCount = strategy.steps.length;
  const reason = fullPromotionReason(ctx, strategy);
  if (reason) {
    promoteCanary(ctx, strategy, reason);
    return;
  }
  if (s.aborted) {
    if (stepCount > 0) s.currentStepIndex = isFullyPromoted(ctx) ? stepCount : 0;
    return;
  }
  if (restarted || !completedCurrentStep(ctx, strategy)) return;
  const index = stepIndex(s);
  const step = strategy.steps[index];
  if (!step) return;
  record(ctx, { type: 'StepCompleted', index, step: canaryStepString(step) });
  s.currentStepIndex = index + 1;
  s.stepStartedAt = ctx.now;
  removePauseCondition(ctx, 'CanaryPauseStep');
  const next = strategy.steps[index + 1];
  if (next) record(ctx, { type: 'StepStarted', index: index + 1, step: canaryStepString(next) });
  wakeAt(ctx, ctx.now);
}
