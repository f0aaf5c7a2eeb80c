/**
 * Phase and message as Argo computes them (`utils/rollout/rolloututil.go`
 * `CalculateRolloutPhase`), and the progress deadline (`rollout/sync.go`
 * `calculateRolloutConditions`, `utils/conditions` `RolloutTimedOut`).
 */
import { currentStep } from './canary-steps.js';
import { findRun } from './analysis-runs.js';
import { abortedMessage, abortRollout, observedRevision, record, replicaSetName, runPhase, wakeAt, type ReconcileContext } from './context.js';
import { revisionNumber } from './revisions.js';
import type { RolloutPhase, RolloutStatus } from './types.js';

interface Counts {
  replicas: number;
  updated: number;
  available: number;
}

/** Argo status counts: blue/green counts availability of the new revision only. */
function statusCounts(ctx: ReconcileContext): Counts {
  const all = ctx.observed.revisions;
  const current = observedRevision(ctx, ctx.hash);
  const blueGreen = ctx.rollout.spec.strategy.type === 'blueGreen';
  return {
    replicas: all.reduce((n, r) => n + r.replicas, 0),
    updated: current.replicas,
    available: blueGreen ? current.availableReplicas : all.reduce((n, r) => n + r.availableReplicas, 0),
  };
}

function timedOutMessage(ctx: ReconcileContext): string {
  return `ReplicaSet "${replicaSetName(ctx, ctx.hash)}" has timed out progressing.`;
}

/** Argo `CalculateRolloutPhase`; `withConditions: false` leaves out Degraded (aborted, timed out). */
export function calculatePhase(ctx: ReconcileContext, withConditions = true): { phase: RolloutPhase; message: string } {
  const s = ctx.state;
  const spec = ctx.rollout.spec;
  const counts = statusCounts(ctx);
  if (withConditions) {
    if (s.aborted) return { phase: 'Degraded', message: `RolloutAborted: ${abortedMessage(ctx.revision, s.abortMessage)}` };
    if (s.timedOut) return { phase: 'Degraded', message: `ProgressDeadlineExceeded: ${timedOutMessage(ctx)}` };
  }
  if (s.paused) return { phase: 'Paused', message: 'manually paused' };
  const pause = s.pauseConditions[0];
  if (pause) return { phase: 'Paused', message: pause.reason };
  if (counts.updated < spec.replicas) return { phase: 'Progressing', message: 'more replicas need to be updated' };
  if (counts.available < counts.updated) return { phase: 'Progressing', message: 'updated replicas are still becoming available' };
  const strategy = spec.strategy;
  if (strategy.type === 'blueGreen') {
    if (s.activeHash === undefined || s.activeHash !== ctx.hash) return { phase: 'Progressing', message: 'active service cutover pending' };
    if (s.stableHash === undefined || s.stableHash !== ctx.hash) {
      const run = findRun(ctx, 'PostPromotion');
      const done = run !== undefined && ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(runPhase(ctx, run.name).phase);
      if (strategy.postPromotionAnalysis && !done) return { phase: 'Progressing', message: 'waiting for analysis to complete' };
      return { phase: 'Progressing', message: 'waiting for post-promotion verification to complete' };
    }
  } else {
    // Basic canary only: traffic-routed and blue/green keep old pods up on purpose (scale-down delay).
    if (!strategy.trafficRouting && counts.replicas > counts.updated) return { phase: 'Progressing', message: 'old replicas are pending termination' };
    if (s.stableHash === undefined || s.stableHash !== ctx.hash) return { phase: 'Progressing', message: 'waiting for all steps to complete' };
  }
  return { phase: 'Healthy', message: '' };
}

/** Argo `isIndefiniteStep`: pause, analysis and experiment steps do not count against the deadline. */
function atIndefiniteStep(ctx: ReconcileContext): boolean {
  const strategy = ctx.rollout.spec.strategy;
  if (strategy.type !== 'canary') return false;
  const step = currentStep(strategy, ctx.state);
  return step?.kind === 'pause' || step?.kind === 'analysis' || step?.kind === 'experiment';
}

/**
 * progressDeadlineSeconds: with no progress (pods created, ready or available, old pods gone, a
 * step or a Service switched) for that long, the rollout is Degraded with
 * `ProgressDeadlineExceeded`, and aborts when progressDeadlineAbort is set. A paused, aborted
 * or completed rollout is not progressing and restarts the clock (Argo's Paused/Resumed
 * conditions refresh it).
 */
export function reconcileProgressDeadline(ctx: ReconcileContext): void {
  const s = ctx.state;
  const spec = ctx.rollout.spec;
  const current = observedRevision(ctx, ctx.hash);
  const total = ctx.observed.revisions.reduce((n, r) => n + r.replicas, 0);
  const marker = JSON.stringify([
    s.stableHash,
    s.currentStepIndex,
    s.activeHash,
    s.previewHash,
    current.replicas,
    current.readyReplicas,
    ctx.observed.revisions.reduce((n, r) => n + r.availableReplicas, 0),
    total - current.replicas,
  ]);
  const healthy = calculatePhase(ctx, false).phase === 'Healthy';
  const paused = s.paused || s.pauseConditions.length > 0;
  if (healthy || s.aborted || paused || marker !== s.progressMarker || s.progressAt === undefined) {
    // Progress, completion or a pause replace Argo's TimedOut Progressing condition.
    if (healthy || paused || marker !== s.progressMarker) s.timedOut = false;
    s.progressMarker = marker;
    s.progressAt = ctx.now;
    // Still progressing: wake at the new deadline (Argo's requeueStuckRollout). Every pass says
    // so, as the engine may stop reconciling after a pass that only moved the clock forward.
    if (!healthy && !s.aborted && !paused && !atIndefiniteStep(ctx)) wakeAt(ctx, ctx.now + spec.progressDeadlineSeconds * 1000);
    return;
  }
  if (atIndefiniteStep(ctx)) return;
  const due = s.progressAt + spec.progressDeadlineSeconds * 1000;
  if (ctx.now < due) {
    wakeAt(ctx, due);
    return;
  }
  const message = timedOutMessage(ctx);
  if (!s.timedOut) {
    s.timedOut = true;
    record(ctx, { type: 'ProgressDeadlineExceeded', message });
  }
  if (spec.progressDeadlineAbort && !s.aborted) abortRollout(ctx, message);
}

/** The status shown to people and tools; canaryWeight is the router weight, or for a basic canary the setWeight in force (as last reported). */
export function computeStatus(ctx: ReconcileContext): RolloutStatus {
  const s = ctx.state;
  const strategy = ctx.rollout.spec.strategy;
  const { phase, message } = calculatePhase(ctx);
  const counts = statusCounts(ctx);
  let canaryWeight = 0;
  if (strategy.type === 'canary') {
    canaryWeight = s.stableHash !== ctx.hash || strategy.trafficRouting ? s.canaryWeight : 0;
  }
  const stableRevision = revisionNumber(s, s.stableHash);
  return {
    phase,
    message,
    ...(strategy.type === 'canary' ? { stepIndex: s.currentStepIndex ?? 0 } : {}),
    stepCount: strategy.type === 'canary' ? strategy.steps.length : 0,
    canaryWeight,
    ...(stableRevision !== undefined ? { stableRevision } : {}),
    currentRevision: ctx.revision,
    aborted: s.aborted,
    replicas: counts.replicas,
    updatedReplicas: counts.updated,
    availableReplicas: counts.available,
  };
}
