/**
 * The action verbs against a cluster, written as Argo's kubectl plugin writes them
 * (`pkg/kubectl-argo-rollouts/cmd/{promote,abort,retry,pause,undo,restart}`), so the controller
 * (Baton's or Argo's) reads them the same way whoever sent them:
 *
 *   promote         status {pauseConditions: null} (or currentStepIndex+1 mid-step, or after an
 *                   inconclusive run), spec {paused: false} when paused
 *   promote --full  status {promoteFull: true}, spec {paused: false} when paused
 *   abort           status {abort: true}
 *   retry           status {abort: false}
 *   pause           spec {paused: true}
 *   resume          spec {paused: false}, status {pauseConditions: null}
 *   undo [--to-revision N]
 *                   spec.template := the template of that revision's ReplicaSet
 */
import { BatonError } from '../../core/errors.js';
import { HASH_LABEL, REVISION_ANNOTATION } from './analysis-run-object.js';
import { isNotFound, type KubeClient } from './client.js';
import { TEMPLATE_ANNOTATION } from './replica-sets.js';
import { isControlledBy, RESOURCES, type KubeObject } from './resources.js';
import type { ArgoRolloutStatus } from './rollout-status.js';

/** A verb that cannot be done on this Rollout (not found, no such revision, nothing to skip). */
export class RolloutActionError extends BatonError {}

export type KubeAction = { type: 'promote'; full?: boolean } | { type: 'abort' } | { type: 'retry' } | { type: 'pause' } | { type: 'resume' } | { type: 'undo'; toRevision?: number };

interface RolloutFields extends KubeObject {
  spec?: { paused?: boolean; strategy?: { canary?: { steps?: unknown[] }; blueGreen?: unknown } };
  status?: ArgoRolloutStatus;
}

/** The two patches a verb sends (Argo's `getPatches`): spec (main resource) and status (subresource). */
export function actionPatches(ro: RolloutFields, action: Exclude<KubeAction, { type: 'undo' }>): { spec?: object; status?: object } {
  const paused = ro.spec?.paused === true;
  const st = ro.status ?? {};
  switch (action.type) {
    case 'abort':
      return { status: { abort: true } };
    case 'retry':
      return { status: { abort: false } };
    case 'pause':
      return { spec: { paused: true } };
    case 'resume':
      return { spec: { paused: false }, ...((st.pauseConditions ?? []).length ? { status: { pauseConditions: null } } : {}) };
    case 'promote': {
      const spec = paused ? { paused: false } : undefined;
      if (action.full) return { ...(spec ? { spec } : {}), ...(st.currentPodHash !== st.stableRS ? { status: { promoteFull: true } } : {}) };
      const steps = ro.spec?.strategy?.canary?.steps?.length;
      const index = st.currentStepIndex ?? 0;
      const inconclusive = st.canary?.currentStepAnalysisRunStatus?.status === 'Inconclusive';
      let status: object | undefined;
      if (steps !== undefined && inconclusive && (st.pauseConditions ?? []).length && st.controllerPause) {
        status = { pauseConditions: null, controllerPause: false, currentStepIndex: Math.min(steps, index + 1) };
      } else if ((st.pauseConditions ?? []).length) {
        status = { pauseConditions: null };
      } else if (steps !== undefined) {
        // A step in progress (an analysis, a weight): skip it.
        status = { pauseConditions: null, currentStepIndex: Math.min(steps, index + 1) };
      }
      return { ...(spec ? { spec } : {}), ...(status ? { status } : {}) };
    }
    default: {
      const never: never = action;
      throw new Error(`unknown action ${JSON.stringify(never)}`);
    }
  }
}

/** The template `undo` puts back: revision N's, or the newest one older than the current. */
export function undoTemplate(ro: RolloutFields, replicaSets: KubeObject[], toRevision: number | undefined): { revision: number; template: unknown } {
  const revisions = replicaSets
    .filter((rs) => isControlledBy(rs, ro.metadata.uid))
    .map((rs) => ({ rs, revision: Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? NaN), hash: rs.metadata.labels?.[HASH_LABEL] }))
    .filter((r) => Number.isInteger(r.revision))
    .sort((a, b) => b.revision - a.revision);
  const known = revisions.map((r) => r.revision).sort((a, b) => a - b).join(', ') || 'none';
  const current = revisions.find((r) => r.hash === ro.status?.currentPodHash);
  const target = toRevision !== undefined ? revisions.find((r) => r.revision === toRevision) : revisions.find((r) => r !== current && (current === undefined || r.revision < current.revision));
  if (!target) {
    const what = toRevision !== undefined ? `no revision ${toRevision}` : 'no previous revision to undo to';
    throw new RolloutActionError('no-such-revision', `rollout '${ro.metadata.name}' has ${what} (revisions: ${known})`, { rollout: ro.metadata.name, toRevision });
  }
  const kept = target.rs.metadata.annotations?.[TEMPLATE_ANNOTATION];
  if (kept) return { revision: target.revision, template: JSON.parse(kept) as unknown };
  const template = structuredClone((target.rs.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels[HASH_LABEL];
  return { revision: target.revision, template };
}

/** Carries out a verb on Rollout `namespace/name`; returns the Rollout after it. */
export async function actOnRollout(client: KubeClient, namespace: string, name: string, action: KubeAction): Promise<KubeObject> {
  let ro: RolloutFields;
  try {
    ro = await client.get<RolloutFields>(RESOURCES.rollouts, namespace, name);
  } catch (e) {
    if (isNotFound(e)) throw new RolloutActionError('workload-not-found', `rollouts.argoproj.io "${name}" not found in namespace ${namespace}`, { name, namespace });
    throw e;
  }
  if (action.type === 'undo') {
    const { items } = await client.list(RESOURCES.replicaSets, namespace, { labelSelector: HASH_LABEL });
    const { template } = undoTemplate(ro, items, action.toRevision);
    return client.patch(RESOURCES.rollouts, namespace, name, [{ op: 'replace', path: '/spec/template', value: template }], 'json');
  }
  const { spec, status } = actionPatches(ro, action);
  let out: KubeObject = ro;
  // Status first, as the plugin does, so a controller never sees the spec half of a promote alone.
  if (status) out = await client.patch(RESOURCES.rollouts, namespace, name, { status }, 'merge', 'status');
  if (spec) out = await client.patch(RESOURCES.rollouts, namespace, name, { spec }, 'merge');
  return out;
}
