/** Small state changes both strategies make. */
import { desired, emit, wakeAt, type ReconcileContext } from './context.js';
import type { RolloutState, ServiceRole } from './types.js';

export function clearAbort(s: RolloutState): void {
  s.aborted = false;
  delete s.abortedAt;
  delete s.abortMessage;
}

/** Remove every header/mirror route the rollout set (Argo removes them on completion or abort). */
export function removeManagedRoutes(ctx: ReconcileContext): void {
  const s = ctx.state;
  if (s.managedRoutes.length === 0) return;
  emit(ctx, { type: 'removeManagedRoutes', names: [...s.managedRoutes] });
  s.managedRoutes = [];
}

/** Point a Service at a revision; emits only on change. Returns whether it changed. */
export function setServiceSelector(ctx: ReconcileContext, role: ServiceRole, service: string, hash: string | undefined): boolean {
  const s = ctx.state;
  if (role in s.serviceSelectors && s.serviceSelectors[role] === hash) return false;
  s.serviceSelectors[role] = hash;
  emit(ctx, { type: 'setServiceSelector', role, service, hash });
  return true;
}

/**
 * Argo `scaleDownDelayHelper`, for one old revision (callers go newest first and share
 * `annotated`): a revision still scaled up gets a deadline scaleDownDelaySeconds from now while
 * fewer than scaleDownDelayRevisionLimit have one; past the limit, or once its deadline has
 * passed, it goes to 0. Returns the replica count it should have now.
 */
export function delayedScaleDownTarget(ctx: ReconcileContext, hash: string, annotated: { count: number }, delaySeconds: number, limit: number | undefined): number {
  const s = ctx.state;
  const current = desired(ctx, hash);
  const max = limit ?? Infinity;
  const due = s.scaleDownAt[hash];
  if (due === undefined) {
    if (delaySeconds <= 0 || annotated.count >= max) return 0;
    annotated.count++;
    const at = ctx.now + delaySeconds * 1000;
    s.scaleDownAt[hash] = at;
    wakeAt(ctx, at);
    return current;
  }
  annotated.count++;
  if (annotated.count > max) return 0;
  if (ctx.now < due) {
    wakeAt(ctx, due);
    return current;
  }
  return 0;
}
