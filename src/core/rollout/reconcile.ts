/**
 * `reconcileRollout`: one pass of the controller, pure. The engine calls it with what it
 * observed, carries out the effects in order, persists the state, and calls again when the
 * workloads or runs change, when `wakeAt` comes, or at once while the state keeps changing.
 */
import { BatonError } from '../errors.js';
import { reconcileBlueGreen } from './bluegreen.js';
import { reconcileCanary } from './canary.js';
import { record, type ReconcileContext } from './context.js';
import { podTemplateHash } from './hash.js';
import { reconcileRevisionHistoryLimit, syncRevision } from './revisions.js';
import { clearAbort } from './shared.js';
import { computeStatus, reconcileProgressDeadline } from './status.js';
import type { ReconcileInput, ReconcileResult, RolloutState } from './types.js';

/**
 * One reconcile: the new state (the input is not changed), the effects to carry out in order,
 * the status (phase and message as Argo computes them) and `wakeAt`, the next time something
 * time-based is due (pause end, autoPromotionSeconds, a scale-down delay, the progress deadline).
 * Throws a BatonError `invalid-rollout` when the Rollout has no resolved template.
 */
export function reconcileRollout(input: ReconcileInput): ReconcileResult {
  const { rollout, observed, now } = input;
  const template = rollout.spec.template;
  if (!template) {
    throw new BatonError('invalid-rollout', `Rollout "${rollout.metadata.name}": spec.template is not set (a workloadRef must be resolved before reconciling)`, {
      rollout: rollout.metadata.name,
    });
  }
  const state = cloneState(input.state);
  // `spec.paused: true` written in the manifest pauses like the pause verb; a later edit of the
  // manifest wins over the verb, as editing spec.paused does in Argo.
  if (state.specPaused !== rollout.spec.paused) {
    state.specPaused = rollout.spec.paused;
    state.paused = rollout.spec.paused;
  }
  const hash = podTemplateHash(template);
  const { revision, created } = syncRevision(state, hash, template, now);
  // Baseline and experiment pods are the rollout's too, but count for neither its replicas nor
  // its availability (Argo keeps them in other ReplicaSets, owned by the Experiment).
  const temporary = new Set((state.temporaryRevisions ?? []).map((t) => t.hash));
  const ctx: ReconcileContext = {
    rollout,
    state,
    previous: input.state,
    observed: temporary.size ? { ...observed, revisions: observed.revisions.filter((r) => !temporary.has(r.hash)) } : observed,
    temporaryObserved: observed.revisions.filter((r) => temporary.has(r.hash)),
    now,
    hash,
    revision,
    effects: [],
    wakeTimes: [],
  };
  if (created) record(ctx, { type: 'RevisionCreated', revision, hash });
  // Argo `newRolloutContext` (rollout/controller.go): an abort on a fully promoted rollout (stable
  // == current, as last recorded) aborts nothing; it is removed, so the rollout stays Healthy.
  if (state.aborted && state.stableHash !== undefined && input.state.stableHash === input.state.currentHash) {
    clearAbort(state);
    record(ctx, { type: 'AbortCleared', message: 'Removing abort condition from fully promoted rollout' });
  }

  const strategy = rollout.spec.strategy;
  if (strategy.type === 'canary') reconcileCanary(ctx, strategy);
  else reconcileBlueGreen(ctx, strategy);

  reconcileRevisionHistoryLimit(ctx);
  reconcileProgressDeadline(ctx);
  // Argo `CalculatePauseStatus`: with no pause condition left the controller holds no pause.
  if (state.pauseConditions.length === 0) state.controllerPause = false;

  const status = computeStatus(ctx);
  const wakeAt = ctx.wakeTimes.length > 0 ? Math.min(...ctx.wakeTimes) : undefined;
  return { state, effects: ctx.effects, status, ...(wakeAt !== undefined ? { wakeAt } : {}) };
}

/**
 * A deep copy of the state, sharing the revisions' pod templates: templates are values that no
 * reconcile changes, and copying them on every pass was most of the cost of a long simulation.
 */
function cloneState(state: RolloutState): RolloutState {
  const copy: RolloutState = structuredClone({ ...state, revisions: [] as RolloutState['revisions'] });
  copy.revisions = state.revisions.map((r) => ({ ...r }));
  return copy;
}
