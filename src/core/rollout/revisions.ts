/**
 * Revision history: which revision the current template is, and cleaning up beyond
 * `revisionHistoryLimit` (Argo `getAllReplicaSetsAndSyncRevision`, `reconcileRevisionHistoryLimit`).
 */
import type { PodTemplateSpec } from '../spec/types.js';
import { emit, observedRevision, type ReconcileContext } from './context.js';
import type { RolloutState } from './types.js';

/**
 * Find or create the revision for `hash`. A template seen before (undo, rollback) keeps its
 * ReplicaSet but takes the next revision number, as Argo's `SetNewReplicaSetAnnotations`
 * renumbers it; a new template becomes revision max + 1.
 */
export function syncRevision(state: RolloutState, hash: string, template: PodTemplateSpec, now: number): { revision: number; created: boolean } {
  const max = state.revisions.reduce((m, r) => Math.max(m, r.revision), 0);
  const index = state.revisions.findIndex((r) => r.hash === hash);
  if (index === -1) {
    state.revisions.push({ revision: max + 1, hash, template: structuredClone(template), createdAt: now });
    return { revision: max + 1, created: true };
  }
  const existing = state.revisions[index];
  if (!existing) throw new Error('unreachable: revision index out of range');
  if (existing.revision !== max) {
    state.revisions.splice(index, 1);
    state.revisions.push({ ...existing, revision: max + 1 });
    return { revision: max + 1, created: false };
  }
  return { revision: existing.revision, created: false };
}

export function revisionNumber(state: RolloutState, hash: string | undefined): number | undefined {
  return hash === undefined ? undefined : state.revisions.find((r) => r.hash === hash)?.revision;
}

/**
 * Argo `reconcileRevisionHistoryLimit`: of the old revisions (neither current nor stable nor
 * serving a Service), delete the oldest beyond `revisionHistoryLimit`, but only those already
 * scaled to 0 with no pods left.
 */
export function reconcileRevisionHistoryLimit(ctx: ReconcileContext): void {
  const s = ctx.state;
  const keep = new Set([s.currentHash, s.stableHash, s.activeHash, s.previewHash].filter((h): h is string => h !== undefined));
  const old = s.revisions.filter((r) => !keep.has(r.hash));
  const excess = old.length - ctx.rollout.spec.revisionHistoryLimit;
  if (excess <= 0) return;
  // `revisions` is oldest first.
  for (const r of old.slice(0, excess)) {
    const pending = s.scaleDownAt[r.hash] !== undefined;
    if ((s.desiredReplicas[r.hash] ?? 0) !== 0 || observedRevision(ctx, r.hash).replicas !== 0 || pending) continue;
    s.revisions = s.revisions.filter((x) => x.hash !== r.hash);
    delete s.desiredReplicas[r.hash];
    emit(ctx, { type: 'deleteRevision', hash: r.hash });
  }
}
