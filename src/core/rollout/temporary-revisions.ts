/**
 * Baseline and experiment revisions: copies of the stable or canary pod template that run for a
 * while beside them. Each copy carries `baton.dev/role` (and `baton.dev/experiment` for an
 * experiment's templates) in its labels and `BATON_ROLE` in its environment, so its pod-template
 * hash differs from the revision it copies, as Argo's experiment ReplicaSets differ from the
 * rollout's ("intentional behavior, in order to allow the metrics of the Experiment's pods to be
 * delineated", docs/features/experiment.md), and the process knows what it is.
 */
import type { PodTemplateSpec } from '../spec/types.js';
import { emit, type ReconcileContext } from './context.js';
import type { ObservedRevision, TemporaryRevision } from './types.js';

/** The label that gives a temporary revision's pods their role (the gateway copies it onto the cluster's `role`). */
export const ROLE_LABEL = 'baton.dev/role';
export const EXPERIMENT_LABEL = 'baton.dev/experiment';

/** `template` with the role (and extra labels and annotations) added; the input is not changed. */
export function temporaryTemplate(template: PodTemplateSpec, role: string, extra?: { labels: Record<string, string>; annotations: Record<string, string> }): PodTemplateSpec {
  const t = structuredClone(template);
  t.metadata.labels = { ...t.metadata.labels, ...extra?.labels, [ROLE_LABEL]: role };
  t.metadata.annotations = { ...t.metadata.annotations, ...extra?.annotations };
  t.spec.containers = t.spec.containers.map((c) => ({ ...c, env: [...c.env.filter((e) => e.name !== 'BATON_ROLE'), { name: 'BATON_ROLE', value: role }] }));
  return t;
}

export function temporaryRevisions(ctx: ReconcileContext): TemporaryRevision[] {
  return (ctx.state.temporaryRevisions ??= []);
}

export function findTemporary(ctx: ReconcileContext, hash: string): TemporaryRevision | undefined {
  return temporaryRevisions(ctx).find((t) => t.hash === hash);
}

/** What the workloads report for a temporary revision (no pods when not listed). */
export function observedTemporary(ctx: ReconcileContext, hash: string): ObservedRevision {
  return ctx.temporaryObserved.find((r) => r.hash === hash) ?? { hash, replicas: 0, readyReplicas: 0, availableReplicas: 0 };
}

/** Asks `replicas` of a temporary revision, adding it when new; emits only on change. */
export function scaleTemporary(ctx: ReconcileContext, rev: Omit<TemporaryRevision, 'replicas' | 'createdAt'>, replicas: number): void {
  const list = temporaryRevisions(ctx);
  let entry = list.find((t) => t.hash === rev.hash);
  if (!entry) {
    if (replicas === 0) return;
    entry = { ...rev, replicas: 0, createdAt: ctx.now };
    list.push(entry);
  }
  if (entry.replicas === replicas) return;
  entry.replicas = replicas;
  emit(ctx, { type: 'scaleTemporaryRevision', revision: { ...entry }, replicas });
}

/** Stops every temporary revision of `owner` (0 replicas). */
export function stopTemporaries(ctx: ReconcileContext, owner: TemporaryRevision['owner']): void {
  for (const t of temporaryRevisions(ctx)) if (t.owner === owner && t.replicas > 0) scaleTemporary(ctx, t, 0);
}

/** Forgets temporary revisions asked to stop whose pods are all gone. */
export function forgetStoppedTemporaries(ctx: ReconcileContext): void {
  const s = ctx.state;
  if (!s.temporaryRevisions?.length) return;
  s.temporaryRevisions = s.temporaryRevisions.filter((t) => t.replicas > 0 || observedTemporary(ctx, t.hash).replicas > 0);
}
