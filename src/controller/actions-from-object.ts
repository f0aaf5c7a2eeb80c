/**
 * What a person asked of a Rollout, read off the object the way Argo's controller reads it after
 * Argo's kubectl plugin wrote it (`pkg/kubectl-argo-rollouts/cmd/{abort,retry,promote}`): the
 * plugin patches the status, so a status field that differs from what this controller last wrote
 * is someone's request. `pause`, `resume`, `undo` and `restart` change the spec, which the core
 * reads as it reads any spec (`spec.paused`, a template, `spec.restartAt`).
 *
 *   abort          status.abort: true                      -> abort
 *   retry          status.abort: false                     -> retry
 *   promote        status.pauseConditions: null            -> promote
 *                  status.currentStepIndex: i+1            -> promote (skip the step in progress)
 *   promote --full status.promoteFull: true                -> promote-full
 *                  status.currentStepIndex: len(steps)     -> promote-full (skip all steps)
 */
import type { RolloutAction, RolloutState } from '../core/rollout/index.js';
import type { KubeObject } from '../adapters/kubernetes/resources.js';
import type { ArgoRolloutStatus } from '../adapters/kubernetes/rollout-status.js';

/** The fields compared: as last written by this controller, or as the engine's state says. */
interface Reference {
  abort: boolean;
  promoteFull: boolean;
  paused: boolean;
  stepIndex: number | undefined;
}

function referenceOf(written: ArgoRolloutStatus | undefined, state: RolloutState): Reference {
  if (written) {
    return { abort: written.abort === true, promoteFull: written.promoteFull === true, paused: (written.pauseConditions ?? []).length > 0, stepIndex: written.currentStepIndex };
  }
  return { abort: state.aborted, promoteFull: state.promoteFull, paused: state.pauseConditions.length > 0, stepIndex: state.currentStepIndex };
}

/**
 * The actions the object asks for, given the status this controller last wrote (undefined when
 * it has written none since it started: the engine's state stands in).
 */
export function actionsFromObject(obj: KubeObject, state: RolloutState, written: ArgoRolloutStatus | undefined, stepCount: number): RolloutAction[] {
  const s = (obj.status ?? {}) as ArgoRolloutStatus;
  const ref = referenceOf(written, state);
  const out: RolloutAction[] = [];
  if (s.abort === true && !ref.abort && !state.aborted) out.push({ type: 'abort' });
  if (s.abort === false && ref.abort && state.aborted) out.push({ type: 'retry' });
  if (s.promoteFull === true && !ref.promoteFull && !state.promoteFull) {
    out.push({ type: 'promote-full' });
    return out;
  }
  const index = typeof s.currentStepIndex === 'number' ? s.currentStepIndex : undefined;
  if (index !== undefined && ref.stepIndex !== undefined && index > ref.stepIndex) {
    out.push(index >= stepCount && ref.stepIndex + 1 < stepCount ? { type: 'promote-full' } : { type: 'promote' });
    return out;
  }
  if (ref.paused && state.pauseConditions.length > 0 && (s.pauseConditions ?? []).length === 0) out.push({ type: 'promote' });
  return out;
}
