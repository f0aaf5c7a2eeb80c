/**
 * Canary traffic: the stable/canary Services, the router weight and the managed (header and
 * mirror) routes (Argo `rollout/service.go`, `rollout/trafficrouting.go`).
 */
import type { CanaryStrategy } from '../spec/types.js';
import { atDesiredReplicaCounts } from './canary-replicas.js';
import { currentSetWeight, currentStep, previousSetWeight, stepIndex } from './canary-steps.js';
import { baselineWeight } from './baseline.js';
import { available, emit, haltProgress, record, type ReconcileContext } from './context.js';
import { experimentWeights } from './experiment.js';
import type { WeightDestination } from './types.js';
import { removeManagedRoutes, setServiceSelector } from './shared.js';

function isFullyPromoted(ctx: ReconcileContext): boolean {
  return ctx.state.stableHash === ctx.hash;
}

/**
 * Argo `reconcileStableAndCanaryService`: stableService selects the stable revision; canaryService
 * the new one once it has an available pod (`ensureSVCTargets` with availability checked), and
 * the stable one again on abort when there is no traffic routing (with routing the weight is 0).
 */
export function reconcileCanaryServices(ctx: ReconcileContext, strategy: CanaryStrategy): void {
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
export function reconcileTrafficRouting(ctx: ReconcileContext, strategy: CanaryStrategy): void {
  const routing = strategy.trafficRouting;
  if (!routing) {
    reportBasicCanaryWeight(ctx, strategy);
    return;
  }
  const s = ctx.state;
  const max = routing.maxTrafficWeight || 100;
  const replicas = ctx.rollout.spec.replicas;
  let weight = 0;
  if (isFullyPromoted(ctx)) {
    weight = 0;
  } else if (s.aborted) {
    if (strategy.dynamicStableScale && replicas > 0) {
      // Worked example: 10 replicas, 7 stable pods available -> 100 - 70 = 30 % stays on the canary.
      weight = Math.max(0, max - Math.trunc((max * available(ctx, s.stableHash)) / replicas));
      weight = Math.min(weight, s.canaryWeight);
    }
  } else if (available(ctx, ctx.hash) === 0) {
    weight = 0;
  } else if (s.promoteFull) {
    weight = strategy.dynamicStableScale && replicas > 0 ? Math.trunc((max * available(ctx, ctx.hash)) / replicas) : s.canaryWeight;
  } else if (!atDesiredReplicaCounts(ctx, strategy)) {
    weight = previousSetWeight(strategy, s);
  } else if (stepIndex(s) < strategy.steps.length) {
    weight = currentSetWeight(strategy, s);
  } else {
    weight = max;
  }
  const additional = additionalWeights(ctx, strategy, weight, max);
  const previous = s.additionalWeights ?? [];
  const additionalChanged = JSON.stringify(additional) !== JSON.stringify(previous);
  if (weight === s.canaryWeight && !additionalChanged) return;
  const weightChanged = weight !== s.canaryWeight;
  const promotedReset = isFullyPromoted(ctx) && s.canaryWeight === max;
  s.canaryWeight = weight;
  if (additional.length) s.additionalWeights = additional;
  else delete s.additionalWeights;
  const taken = additional.reduce((n, d) => n + d.weight, 0);
  emit(ctx, {
    type: 'setWeight',
    canaryHash: ctx.hash,
    ...(s.stableHash !== undefined ? { stableHash: s.stableHash } : {}),
    canary: weight,
    stable: max - weight - taken,
    ...(additional.length || previous.length ? { additional } : {}),
  });
  if (!weightChanged) return;
  // After promotion the new revision is the stable one: moving its traffic from the canary to the
  // stable side is no change of who serves, so it is not reported as a weight change. People read
  // percentages: with maxTrafficWeight 1000 (nginx), a weight of 200 is reported as 20.
  const percent = (w: number): number => (max === 100 ? w : Math.round((w * 10_000) / max) / 100);
  if (!promotedReset) record(ctx, { type: 'WeightChanged', canary: percent(weight), stable: percent(max - weight - taken) });
}

/**
 * Shares beside stable and canary (Argo `weightDestinations`): the baseline's, and those of an
 * experiment's weighted templates while it runs; all taken from the stable's share, never more
 * than it has. None once promoted or aborted.
 */
function additionalWeights(ctx: ReconcileContext, strategy: CanaryStrategy, canary: number, max: number): WeightDestination[] {
  const s = ctx.state;
  if (isFullyPromoted(ctx) || s.aborted || s.promoteFull) return [];
  const out: WeightDestination[] = [];
  const baseline = baselineWeight(ctx, canary, max);
  if (baseline && baseline.weight > 0) out.push(baseline);
  out.push(...experimentWeights(ctx, strategy));
  let left = max - canary;
  return out.flatMap((d) => {
    const weight = Math.min(d.weight, left);
    left -= weight;
    return weight > 0 ? [{ ...d, weight }] : [];
  });
}

/**
 * A basic canary (no router) splits traffic by replica counts, so nothing is set on a router;
 * the weight in force still changes step by step and is reported (`WeightChanged`) for people
 * and tools: the current setWeight, 100 after the last step, 0 once aborted; unchanged while
 * progress is halted. `state.canaryWeight` holds the last reported weight.
 */
function reportBasicCanaryWeight(ctx: ReconcileContext, strategy: CanaryStrategy): void {
  const s = ctx.state;
  // While progress is halted no pod is scaled, so the split in force does not move either.
  if (haltProgress(ctx) !== undefined && !isFullyPromoted(ctx)) return;
  let weight: number;
  if (isFullyPromoted(ctx) || s.aborted) weight = 0;
  else if (stepIndex(s) >= strategy.steps.length) weight = 100;
  else weight = currentSetWeight(strategy, s);
  if (weight === s.canaryWeight) return;
  // As with a router: after promotion the new revision is the stable one, no change of who serves.
  const promotedReset = isFullyPromoted(ctx) && s.canaryWeight === 100;
  s.canaryWeight = weight;
  if (!promotedReset) record(ctx, { type: 'WeightChanged', canary: weight, stable: 100 - weight });
}

/** Header and mirror routes: set on their step, removed on completion or abort. */
export function reconcileManagedRoutes(ctx: ReconcileContext, strategy: CanaryStrategy): void {
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
