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
import {
  canaryReplicasOrWeight,
  canaryStepString,
  currentSetWeight,
  currentStep,
  previousSetWeight,
  stepIndex,
} from './canary-steps.js';
import {
  addPauseCondition,
  available,
  desired,
  emit,
  observedRevision,
  pauseCondition,
  record,
  removePauseCondition,
  runPhase,
  scaleRevision,
  wakeAt,
  type ReconcileContext,
} from './context.js';
import { jsonHash } from './hash.js';
import { calculateBasicCanaryReplicas, calculateTrafficRoutedReplicas, resolveFenceposts } from './replicas.js';
import { clearAbort, delayedScaleDownTarget, removeManagedRoutes, setServiceSelector } from './shared.js';

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
  const analysisPaused = s.pauseConditions.length > pausesBefore;

  reconcileCanaryServices(ctx, strategy);
  reconcileTrafficRouting(ctx, strategy);
  reconcileManagedRoutes(ctx, strategy);

  // Argo returns before scaling when analysis has just paused, and does not start a pause step
  // while ReplicaSets are still being scaled.
  if (!analysisPaused) {
    const scaled = reconcileCanaryReplicas(ctx, strategy);
    if (!scaled) reconcileCanaryPause(ctx, strategy);
  }
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

/**
 * Argo `reconcileStableAndCanaryService`: stableService selects the stable revision; canaryService
 * the new one once it has an available pod (`ensureSVCTargets` with availability checked), and
 * the stable one again on abort when there is no traffic routing (with routing the weight is 0).
 */
function reconcileCanaryServices(ctx: ReconcileContext, strategy: CanaryStrategy): void {
  const s = ctx.state;
  if (strategy.stableService) setServiceSelector(ctx, 'stable', strategy.stableService, s.stableHash);
  if (strategy.canaryService) {
    let target = s.serviceSelectors['canary'] ?? s.stableHash;
    if (s.aborted && !strategy.trafficRouting) target = s.stableHash;
    else if (isFullyPromoted(ctx) || available(ctx, ctx.hash) > 0) target = ctx.hash;
    setServiceSelector(ctx, 'canary', strategy.canaryService, target);
  }
}

/**
 * Argo v1.8 `reconcileTrafficRouting`: 0 once promoted or aborted (with dynamicStableScale,
 * whatever the stable can carry, never rising); 0 while the canary has no available pod; on a
 * full promotion the weight in force (dynamicStableScale: what the canary's available pods carry)
 * until promotion switches the stable Service; the previous step's weight while the canary scales
 * for the current one; the current setWeight; the maximum after the last step.
 */
function reconcileTrafficRouting(ctx: ReconcileContext, strategy: CanaryStrategy): void {
  const routing = strategy.trafficRouting;
  if (!routing) return;
  const s = ctx.state;
  const max = routing.maxTrafficWeight || 100;
  const replicas = ctx.rollout.spec.replicas;
  let weight = 0;
  if (isFullyPromoted(ctx)) {
    weight = 0;
  } else if (s.aborted) {
    if (strategy.dynamicStableScale && replicas > 0) {
      // Worked example: 10 replicas, 7 stable pods available -> 100 - 70 = 30 % stays on the canary.
      weight = Math.max(0, 100 - Math.trunc((100 * available(ctx, s.stableHash)) / replicas));
      weight = Math.min(weight, s.canaryWeight);
    }
  } else if (available(ctx, ctx.hash) === 0) {
    weight = 0;
  } else if (s.promoteFull) {
    weight = strategy.dynamicStableScale && replicas > 0 ? Math.trunc((100 * available(ctx, ctx.hash)) / replicas) : s.canaryWeight;
  } else if (!atDesiredReplicaCounts(ctx, strategy)) {
    weight = previousSetWeight(strategy, s);
  } else if (stepIndex(s) < strategy.steps.length) {
    weight = currentSetWeight(strategy, s);
  } else {
    weight = max;
  }
  if (weight === s.canaryWeight) return;
  const promotedReset = isFullyPromoted(ctx) && s.canaryWeight === max;
  s.canaryWeight = weight;
  emit(ctx, {
    type: 'setWeight',
    canaryHash: ctx.hash,
    ...(s.stableHash !== undefined ? { stableHash: s.stableHash } : {}),
    canary: weight,
    stable: max - weight,
  });
  // After promotion the new revision is the stable one: moving its traffic from the canary to the
  // stable side is no change of who serves, so it is not reported as a weight change.
  if (!promotedReset) record(ctx, { type: 'WeightChanged', canary: weight, stable: max - weight });
}

/** Header and mirror routes: set on their step, removed on completion or abort. */
function reconcileManagedRoutes(ctx: ReconcileContext, strategy: CanaryStrategy): void {
  const s = ctx.state;
  if (s.aborted || s.promoteFull || isFullyPromoted(ctx)) {
    removeManagedRoutes(ctx);
    return;
  }
  const index = stepIndex(s);
  const step = currentStep(strategy, s);
  if (!step || s.routeStepApplied === index) return;
  if (step.kind !== 'setHeaderRoute' && step.kind !== 'setMirrorRoute') return;
  s.routeStepApplied = index;
  if (!step.match || step.match.length === 0) {
    // No match removes the route.
    if (s.managedRoutes.includes(step.name)) {
      emit(ctx, { type: 'removeManagedRoutes', names: [step.name] });
      s.managedRoutes = s.managedRoutes.filter((n) => n !== step.name);
    }
    return;
  }
  if (step.kind === 'setHeaderRoute') emit(ctx, { type: 'setHeaderRoute', name: step.name, match: step.match });
  else emit(ctx, { type: 'setMirrorRoute', name: step.name, match: step.match, percentage: step.percentage });
  if (!s.managedRoutes.includes(step.name)) s.managedRoutes.push(step.name);
}

/** Old ReplicaSets: every revision that is neither the current nor the stable one. */
function otherRevisions(ctx: ReconcileContext): string[] {
  const s = ctx.state;
  return s.revisions.map((r) => r.hash).filter((h) => h !== ctx.hash && h !== s.stableHash);
}

/** The canary and stable counts the current step wants (Argo's two calculators). */
function desiredCanaryStable(ctx: ReconcileContext, strategy: CanaryStrategy): { canary: number; stable: number } {
  const s = ctx.state;
  const replicas = ctx.rollout.spec.replicas;
  const { replicas: fixed, weight } = canaryReplicasOrWeight(strategy, s);
  const stable = s.stableHash !== undefined && s.stableHash !== ctx.hash ? s.stableHash : undefined;
  if (strategy.trafficRouting) {
    if (!stable) return { canary: replicas, stable: 0 };
    const max = strategy.trafficRouting.maxTrafficWeight || 100;
    return calculateTrafficRoutedReplicas({
      replicas,
      weight,
      ...(fixed !== undefined ? { canaryReplicas: fixed } : {}),
      dynamicStableScale: strategy.dynamicStableScale,
      ...(strategy.minPodsPerReplicaSet !== undefined ? { minPodsPerReplicaSet: strategy.minPodsPerReplicaSet } : {}),
      actual: { canary: s.canaryWeight, stable: max - s.canaryWeight },
      aborted: s.aborted,
    });
  }
  const counts = (h: string): { replicas: number; available: number } => ({ replicas: desired(ctx, h), available: available(ctx, h) });
  return calculateBasicCanaryReplicas({
    replicas,
    weight,
    maxSurge: strategy.maxSurge,
    maxUnavailable: strategy.maxUnavailable,
    newRS: counts(ctx.hash),
    ...(stable ? { stableRS: counts(stable) } : {}),
    otherRSs: otherRevisions(ctx).map(counts),
  });
}

/** Argo `AtDesiredReplicaCountsForCanary`. */
function atDesiredReplicaCounts(ctx: ReconcileContext, strategy: CanaryStrategy): boolean {
  const s = ctx.state;
  const want = desiredCanaryStable(ctx, strategy);
  if (want.canary !== desired(ctx, ctx.hash) || want.canary !== available(ctx, ctx.hash)) return false;
  const stable = s.stableHash !== ctx.hash ? s.stableHash : undefined;
  if (!strategy.trafficRouting || !strategy.dynamicStableScale) {
    // The stable is checked for its pod count only, not availability (allDesiredAreCreated).
    if (stable === undefined || want.stable !== desired(ctx, stable) || want.stable !== observedRevision(ctx, stable).replicas) return false;
  }
  if (!strategy.trafficRouting) {
    // Basic canary: older pods serve traffic, so they must be gone.
    if (otherRevisions(ctx).some((h) => available(ctx, h) > 0)) return false;
  }
  return true;
}

/** Scale the canary, the stable and the old revisions; true when anything was scaled. */
function reconcileCanaryReplicas(ctx: ReconcileContext, strategy: CanaryStrategy): boolean {
  const s = ctx.state;
  const want = desiredCanaryStable(ctx, strategy);
  const stable = s.stableHash !== ctx.hash ? s.stableHash : undefined;
  let canary = want.canary;
  if (strategy.trafficRouting && s.aborted && stable !== undefined && desired(ctx, ctx.hash) > 0) {
    // Argo `reconcileNewReplicaSet` on abort: the canary stays up abortScaleDownDelaySeconds
    // (0 = for good), so it can be inspected and traffic can drain.
    const delay = strategy.abortScaleDownDelaySeconds;
    if (delay === 0) {
      canary = desired(ctx, ctx.hash);
    } else {
      const due = (s.scaleDownAt[ctx.hash] ??= (s.abortedAt ?? ctx.now) + delay * 1000);
      if (ctx.now < due) {
        canary = desired(ctx, ctx.hash);
        wakeAt(ctx, due);
      }
    }
  }
  let scaled = false;
  if (stable !== undefined && scaleRevision(ctx, stable, want.stable)) scaled = true;
  if (scaleRevision(ctx, ctx.hash, canary)) scaled = true;
  if (desired(ctx, ctx.hash) === 0) delete s.scaleDownAt[ctx.hash];
  if (scaleDownOldRevisions(ctx, strategy)) scaled = true;
  return scaled;
}

/**
 * Argo `scaleDownOldReplicaSetsForCanary`: newest first, within what availability allows
 * (available - (replicas - maxUnavailable)); basic canaries scale old pods down at once since
 * they serve traffic; traffic-routed ones keep an old revision (the old stable after promotion,
 * a canary replaced mid-update) scaleDownDelaySeconds, so traffic still routed to it can drain
 * while the router and Services catch up.
 */
function scaleDownOldRevisions(ctx: ReconcileContext, strategy: CanaryStrategy): boolean {
  const s = ctx.state;
  const replicas = ctx.rollout.spec.replicas;
  const { maxUnavailable } = resolveFenceposts(strategy.maxSurge, strategy.maxUnavailable, replicas);
  const totalAvailable = ctx.observed.revisions.reduce((sum, r) => sum + r.availableReplicas, 0);
  let maxScaleDown = totalAvailable - (replicas - maxUnavailable);
  let scaled = false;
  const annotated = { count: 0 };
  for (const hash of otherRevisions(ctx).reverse()) {
    if (maxScaleDown <= 0) break;
    const current = desired(ctx, hash);
    if (current === 0) continue;
    let target = 0;
    if (!strategy.trafficRouting) {
      if (current > maxScaleDown) target = current - maxScaleDown;
    } else {
      target = delayedScaleDownTarget(ctx, hash, annotated, strategy.scaleDownDelaySeconds, strategy.scaleDownDelayRevisionLimit);
    }
    if (target === current) continue;
    scaleRevision(ctx, hash, target);
    if (target === 0) delete s.scaleDownAt[hash];
    maxScaleDown -= current - target;
    scaled = true;
  }
  return scaled;
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
      return atDesiredReplicaCounts(ctx, strategy) && (ctx.observed.trafficWeightVerified ?? true);
    case 'analysis': {
      const run = findRun(ctx, 'Step');
      return run !== undefined && run.stepIndex === stepIndex(s) && runPhase(ctx, run.name).phase === 'Successful';
    }
    case 'setHeaderRoute':
    case 'setMirrorRoute':
      return true;
    case 'experiment':
    case 'plugin':
      // Baton runs neither; the spec layer reports them, and a rollout that has them moves past.
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
