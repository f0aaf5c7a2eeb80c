/**
 * The blue/green state machine, after Argo Rollouts v1.8 `rollout/bluegreen.go`
 * (`rolloutBlueGreen`, `reconcileBlueGreenPause`, `scaleDownOldReplicaSetsForBlueGreen`),
 * `rollout/service.go` (`reconcileActiveService`, `reconcilePreviewService`),
 * `rollout/analysis.go` (pre/post-promotion runs) and `utils/replicaset` (`NewRSNewReplicas`).
 *
 * Sequence: the new revision comes up behind the preview Service (at previewReplicaCount when
 * set) -> once it is available, pre-promotion analysis runs -> then the rollout pauses
 * (`BlueGreenPause`) when autoPromotionEnabled is false or autoPromotionSeconds is set -> it is
 * scaled to full and the active Service switches -> post-promotion analysis -> it becomes
 * stable and the old active revision is scaled down after scaleDownDelaySeconds. A pre-promotion
 * failure aborts with the active Service untouched; a post-promotion failure switches it back.
 */
import type { BlueGreenStrategy } from '../spec/types.js';
import { dropAllRuns, dropRun, findRun, reconcileRun } from './analysis-runs.js';
import {
  addPauseCondition,
  available,
  desired,
  haltProgress,
  pauseCondition,
  record,
  removePauseCondition,
  runPhase,
  scaleRevision,
  wakeAt,
  type ReconcileContext,
} from './context.js';
import { revisionNumber } from './revisions.js';
import { clearAbort, delayedScaleDownTarget, setServiceSelector } from './shared.js';

/** Reconcile a blue/green rollout; mutates `ctx.state`, collects effects. */
export function reconcileBlueGreen(ctx: ReconcileContext, bg: BlueGreenStrategy): void {
  const s = ctx.state;
  const replicas = ctx.rollout.spec.replicas;
  if (s.currentHash !== ctx.hash) startNewRevision(ctx);

  if (s.stableHash === undefined) {
    // First deploy: no preview, no pause, no analysis; the active Service switches at once.
    scaleRevision(ctx, ctx.hash, replicas);
    switchActive(ctx, bg, ctx.hash);
    if (bg.previewService) switchPreview(ctx, bg, ctx.hash);
    promoteBlueGreen(ctx, bg, 'Initial deploy');
    return;
  }

  if (s.promoteFull) {
    // As for canaries: a full promotion clears pauses and abort, and skips pause and analysis.
    s.pauseConditions = [];
    clearAbort(s);
  }
  const fullyPromoted = s.stableHash === ctx.hash;
  reconcileBlueGreenAnalysis(ctx, bg);

  // Argo `NewRSNewReplicas` for blue/green: previewReplicaCount until the scale-up checkpoint.
  const usePreviewCount =
    bg.previewReplicaCount !== undefined && !fullyPromoted && s.activeHash !== ctx.hash && !s.promoteFull && !s.scaleUpPreviewCheckPoint;
  let newReplicas = usePreviewCount ? (bg.previewReplicaCount ?? replicas) : replicas;
  if (s.aborted) newReplicas = abortedReplicas(ctx, bg);
  scaleRevision(ctx, ctx.hash, newReplicas);

  const readyForPause = newReplicas > 0 && desired(ctx, ctx.hash) === newReplicas && available(ctx, ctx.hash) >= newReplicas;
  // Argo `reconcilePreviewService`: the preview Service selects the new revision as soon as it
  // exists, unless progress is halted (spec.paused or an inconclusive run's pause).
  const halted = haltProgress(ctx) !== undefined;
  if (bg.previewService && !halted) switchPreview(ctx, bg, ctx.hash);

  if (!s.aborted && !fullyPromoted && s.activeHash !== ctx.hash) {
    // Argo `reconcileBlueGreenPause` skips pause reconciliation while halted; the active switch
    // below waits for every pause to be lifted.
    if (readyForPause && !halted) reconcileBlueGreenPause(ctx, bg);
    reconcileActiveSwitch(ctx, bg, readyForPause);
  }

  if (!s.aborted && s.activeHash === ctx.hash && s.stableHash !== ctx.hash) {
    // Post-promotion: stable once the post-promotion run (if any) succeeded.
    const saturated = desired(ctx, ctx.hash) === replicas && available(ctx, ctx.hash) >= replicas;
    const post = bg.postPromotionAnalysis;
    const run = findRun(ctx, 'PostPromotion');
    if (saturated && (!post || s.promoteFull || (run && runPhase(ctx, run.name).phase === 'Successful'))) {
      // Argo `shouldFullPromote` reasons for blue/green.
      promoteBlueGreen(ctx, bg, s.promoteFull ? 'Full promotion requested' : 'Completed blue-green update');
    }
  }

  if (s.aborted && s.stableHash !== undefined && s.activeHash !== s.stableHash) {
    // Argo points the active Service back at the stable revision on abort.
    switchActive(ctx, bg, s.stableHash);
  }

  const stable = s.stableHash;
  if (stable !== undefined && stable !== ctx.hash) scaleRevision(ctx, stable, replicas);
  scaleDownOldRevisions(ctx, bg);
}

function startNewRevision(ctx: ReconcileContext): void {
  const s = ctx.state;
  dropAllRuns(ctx);
  s.pauseConditions = [];
  s.controllerPause = false;
  clearAbort(s);
  s.promoteFull = false;
  s.blueGreenPauseDone = false;
  s.scaleUpPreviewCheckPoint = false;
  s.timedOut = false;
  s.progressAt = ctx.now;
  s.currentHash = ctx.hash;
  delete s.scaleDownAt[ctx.hash];
  wakeAt(ctx, ctx.now);
}

function switchActive(ctx: ReconcileContext, bg: BlueGreenStrategy, hash: string): void {
  const s = ctx.state;
  if (s.activeHash === hash && s.serviceSelectors['active'] === hash) return;
  s.activeHash = hash;
  setServiceSelector(ctx, 'active', bg.activeService, hash);
  record(ctx, { type: 'ActiveSwitched', revision: revisionNumber(s, hash) ?? 0 });
  wakeAt(ctx, ctx.now);
}

function switchPreview(ctx: ReconcileContext, bg: BlueGreenStrategy, hash: string): void {
  const s = ctx.state;
  if (!bg.previewService || s.previewHash === hash) return;
  s.previewHash = hash;
  setServiceSelector(ctx, 'preview', bg.previewService, hash);
  record(ctx, { type: 'PreviewSwitched', revision: revisionNumber(s, hash) ?? 0 });
}

/** The current revision becomes stable; the old active one is scaled down after the delay. */
function promoteBlueGreen(ctx: ReconcileContext, bg: BlueGreenStrategy, reason: string): void {
  const s = ctx.state;
  const previous = s.stableHash;
  s.stableHash = ctx.hash;
  s.promoteFull = false;
  s.pauseConditions = [];
  if (previous === ctx.hash) return;
  record(ctx, { type: 'Promoted', revision: ctx.revision, reason });
  dropAllRuns(ctx);
  // The old active revision is now an old revision: scaleDownOldRevisions gives it its delay.
  wakeAt(ctx, ctx.now);
}

/**
 * Pre- and post-promotion runs. Pre-promotion starts once the new revision is available behind
 * the preview Service and the active Service still points elsewhere (Argo
 * `skipPrePromotionAnalysisRun`); post-promotion once the active Service points at it, fully
 * available, and it is not stable yet (`skipPostPromotionAnalysisRun`).
 */
function reconcileBlueGreenAnalysis(ctx: ReconcileContext, bg: BlueGreenStrategy): void {
  const s = ctx.state;
  if (s.aborted || s.promoteFull || s.stableHash === ctx.hash) {
    dropAllRuns(ctx);
    return;
  }
  const replicas = ctx.rollout.spec.replicas;
  const previewCount = bg.previewReplicaCount !== undefined && !s.scaleUpPreviewCheckPoint ? bg.previewReplicaCount : replicas;
  const preReady = s.activeHash !== ctx.hash && desired(ctx, ctx.hash) === previewCount && available(ctx, ctx.hash) >= previewCount && previewCount > 0;
  const pre = findRun(ctx, 'PrePromotion');
  if (bg.prePromotionAnalysis && s.activeHash !== ctx.hash && (preReady || pre)) {
    reconcileRun(ctx, 'PrePromotion', bg.prePromotionAnalysis);
  } else if (pre) {
    dropRun(ctx, pre);
  }
  if (s.aborted) {
    dropAllRuns(ctx);
    return;
  }
  const postReady = s.activeHash === ctx.hash && desired(ctx, ctx.hash) === replicas && available(ctx, ctx.hash) >= replicas;
  const post = findRun(ctx, 'PostPromotion');
  if (bg.postPromotionAnalysis && (postReady || (post && s.activeHash === ctx.hash))) {
    reconcileRun(ctx, 'PostPromotion', bg.postPromotionAnalysis);
  } else if (post) {
    dropRun(ctx, post);
  }
  if (s.aborted) dropAllRuns(ctx);
}

/**
 * Argo `reconcileBlueGreenPause` / `CompletedBlueGreenPause`: once the new revision is ready and
 * pre-promotion analysis (if any) has succeeded, pause with `BlueGreenPause` when
 * autoPromotionEnabled is false or autoPromotionSeconds is set; autoPromotionSeconds (honoured
 * only with autoPromotionEnabled) ends the pause by itself (the boundary counts as passed, as for
 * canary pause steps); a promote ends it by clearing the condition while the controller still
 * holds its pause.
 */
function reconcileBlueGreenPause(ctx: ReconcileContext, bg: BlueGreenStrategy): void {
  const s = ctx.state;
  if (s.blueGreenPauseDone || s.paused || s.promoteFull) return;
  const wantsPause = !bg.autoPromotionEnabled || bg.autoPromotionSeconds > 0;
  if (!wantsPause) {
    s.blueGreenPauseDone = true;
    return;
  }
  // Argo v1.8 pauses only once pre-promotion analysis has succeeded ("not ready for pause:
  // prePromotionAnalysis incomplete"), so autoPromotionSeconds counts from then.
  if (bg.prePromotionAnalysis) {
    const run = findRun(ctx, 'PrePromotion');
    if (!run || runPhase(ctx, run.name).phase !== 'Successful') return;
  }
  const cond = pauseCondition(s, 'BlueGreenPause');
  if (!cond) {
    if (ctx.previous.controllerPause && !pauseCondition(ctx.previous, 'BlueGreenPause') && ctx.previous.pauseConditions.length === 0) {
      s.blueGreenPauseDone = true;
      return;
    }
    addPauseCondition(ctx, 'BlueGreenPause');
    if (bg.autoPromotionEnabled && bg.autoPromotionSeconds > 0) wakeAt(ctx, ctx.now + bg.autoPromotionSeconds * 1000);
    return;
  }
  if (bg.autoPromotionEnabled && bg.autoPromotionSeconds > 0) {
    const due = cond.startTime + bg.autoPromotionSeconds * 1000;
    if (ctx.now >= due) {
      removePauseCondition(ctx, 'BlueGreenPause');
      s.blueGreenPauseDone = true;
    } else {
      wakeAt(ctx, due);
    }
  }
}

/**
 * Argo `reconcileActiveService`: switch once nothing holds the rollout (pause, pre-promotion
 * analysis) and the new revision is fully scaled and available; with previewReplicaCount it is
 * scaled to full first (`scaleUpPreviewCheckPoint`).
 */
function reconcileActiveSwitch(ctx: ReconcileContext, bg: BlueGreenStrategy, readyForPause: boolean): void {
  const s = ctx.state;
  const replicas = ctx.rollout.spec.replicas;
  if (s.paused || s.pauseConditions.length > 0) return;
  if (!s.promoteFull) {
    if (!readyForPause || !s.blueGreenPauseDone) return;
    if (bg.prePromotionAnalysis) {
      const run = findRun(ctx, 'PrePromotion');
      if (!run || runPhase(ctx, run.name).phase !== 'Successful') return;
    }
  }
  if (desired(ctx, ctx.hash) < replicas) {
    s.scaleUpPreviewCheckPoint = true;
    scaleRevision(ctx, ctx.hash, replicas);
    return;
  }
  if (available(ctx, ctx.hash) < replicas) return;
  switchActive(ctx, bg, ctx.hash);
}

/** The new revision after an abort: kept abortScaleDownDelaySeconds (0 = for good), then 0. */
function abortedReplicas(ctx: ReconcileContext, bg: BlueGreenStrategy): number {
  const s = ctx.state;
  const current = desired(ctx, ctx.hash);
  if (current === 0) {
    delete s.scaleDownAt[ctx.hash];
    return 0;
  }
  if (bg.abortScaleDownDelaySeconds === 0) return current;
  const due = (s.scaleDownAt[ctx.hash] ??= (s.abortedAt ?? ctx.now) + bg.abortScaleDownDelaySeconds * 1000);
  if (ctx.now < due) {
    wakeAt(ctx, due);
    return current;
  }
  delete s.scaleDownAt[ctx.hash];
  return 0;
}

/**
 * Argo `scaleDownOldReplicaSetsForBlueGreen`: revisions other than the current, stable and
 * active ones go to 0, each after its scale-down delay (`scaleDownDelayHelper`); none while
 * paused on an inconclusive run, so the old revision is still there to switch back to.
 */
function scaleDownOldRevisions(ctx: ReconcileContext, bg: BlueGreenStrategy): void {
  const s = ctx.state;
  if (pauseCondition(s, 'InconclusiveAnalysisRun') || pauseCondition(s, 'InconclusiveAnalysis')) return;
  const annotated = { count: 0 };
  for (const { hash } of [...s.revisions].reverse()) {
    if (hash === ctx.hash || hash === s.stableHash || hash === s.activeHash) continue;
    if (desired(ctx, hash) === 0) continue;
    const target = delayedScaleDownTarget(ctx, hash, annotated, bg.scaleDownDelaySeconds, bg.scaleDownDelayRevisionLimit);
    if (target !== 0) continue;
    scaleRevision(ctx, hash, 0);
    delete s.scaleDownAt[hash];
  }
}
