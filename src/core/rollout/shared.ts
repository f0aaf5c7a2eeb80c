/** Small state changes both strategies make. */
import { emit, type ReconcileContext } from './context.js';
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
