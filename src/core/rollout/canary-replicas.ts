/**
 * Canary ReplicaSet counts: what the current step wants (Argo's basic and traffic-routed
 * calculators), whether the revisions are there (`AtDesiredReplicaCountsForCanary`), and scaling
 * the canary, the stable and the old revisions (`reconcileCanaryReplicaSets`,
 * `scaleDownOldReplicaSetsForCanary`).
 */
import type { CanaryStrategy } from '../spec/types.js';
import { canaryReplicasOrWeight } from './canary-steps.js';
import { available, desired, observedRevision, scaleRevision, wakeAt, type ReconcileContext } from './context.js';
import { calculateBasicCanaryReplicas, calculateTrafficRoutedReplicas, resolveFenceposts } from './replicas.js';
import { delayedScaleDownTarget } from './shared.js';

/** Old ReplicaSets: every revision that is neither the current nor the stable one. */
export function otherRevisions(ctx: ReconcileContext): string[] {
  const s = ctx.state;
  return s.revisions.map((r) => r.hash).filter((h) => h !== ctx.hash && h !== s.stableHash);
}

/** The canary and stable counts the current step wants (Argo's two calculators). */
export function desiredCanaryStable(ctx: ReconcileContext, strategy: CanaryStrategy): { canary: number; stable: number } {
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
      maxWeight: max,
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
export function atDesiredReplicaCounts(ctx: ReconcileContext, strategy: CanaryStrategy): boolean {
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
export function reconcileCanaryReplicas(ctx: ReconcileContext, strategy: CanaryStrategy): boolean {
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
