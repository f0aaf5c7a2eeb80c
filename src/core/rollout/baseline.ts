/**
 * The baseline option (`spec.strategy.canary.baseline.enabled`, a Baton extension): while a
 * canary is in flight, a baseline revision runs the stable template in fresh pods, as many as
 * the canary has, started in the same reconcile as the canary and given the canary's weight, so
 * that a judge compares like with like (Kayenta's canary vs baseline, not canary vs a long-running
 * stable with warm caches and a different load share). It goes at promotion and on abort.
 */
import type { CanaryStrategy } from '../spec/types.js';
import { desired, type ReconcileContext } from './context.js';
import { podTemplateHash } from './hash.js';
import { observedTemporary, scaleTemporary, stopTemporaries, temporaryRevisions, temporaryTemplate } from './temporary-revisions.js';
import type { TemporaryRevision, WeightDestination } from './types.js';

/** The role the baseline's pods, gateway cluster and metrics carry. */
export const BASELINE_ROLE = 'baseline';

function canaryInFlight(ctx: ReconcileContext): boolean {
  const s = ctx.state;
  return s.stableHash !== undefined && s.stableHash !== ctx.hash && !s.aborted && !s.promoteFull;
}

/** The running baseline, if any. */
export function currentBaseline(ctx: ReconcileContext): TemporaryRevision | undefined {
  return temporaryRevisions(ctx).find((t) => t.owner === 'baseline' && t.replicas > 0);
}

/** Starts, resizes (to the canary's replica count) or stops the baseline. */
export function reconcileBaseline(ctx: ReconcileContext, strategy: CanaryStrategy): void {
  const s = ctx.state;
  const stable = s.revisions.find((r) => r.hash === s.stableHash);
  if (!strategy.baseline?.enabled || !canaryInFlight(ctx) || !stable) {
    stopTemporaries(ctx, 'baseline');
    return;
  }
  const template = temporaryTemplate(stable.template, BASELINE_ROLE);
  const hash = podTemplateHash(template);
  // A baseline of an older stable (a canary replaced mid-update after a promotion) goes.
  for (const t of temporaryRevisions(ctx)) if (t.owner === 'baseline' && t.hash !== hash && t.replicas > 0) scaleTemporary(ctx, t, 0);
  scaleTemporary(ctx, { name: BASELINE_ROLE, role: BASELINE_ROLE, owner: 'baseline', hash, template, revision: stable.revision }, desired(ctx, ctx.hash));
}

/** True when no baseline is wanted, or it has all its pods available (a setWeight step waits for it). */
export function baselineReady(ctx: ReconcileContext, strategy: CanaryStrategy): boolean {
  if (!strategy.baseline?.enabled) return true;
  const b = currentBaseline(ctx);
  if (!b) return desired(ctx, ctx.hash) === 0;
  return observedTemporary(ctx, b.hash).availableReplicas >= b.replicas;
}

/**
 * The baseline's share: the canary's weight, taken from the stable's share; past half of the
 * maximum the stable has only `max - canary` left, so the baseline gets that. Worked example:
 * canary 10 -> baseline 10, stable 80; canary 75 -> baseline 25, stable 0. Nothing until a
 * baseline pod is available.
 */
export function baselineWeight(ctx: ReconcileContext, canaryWeight: number, max: number): WeightDestination | undefined {
  const b = currentBaseline(ctx);
  if (!b || canaryWeight <= 0 || observedTemporary(ctx, b.hash).availableReplicas === 0) return undefined;
  return { name: b.name, hash: b.hash, role: b.role, weight: Math.min(canaryWeight, max - canaryWeight) };
}
