/**
 * What a person does, as `kubectl argo rollouts` does it
 * (`pkg/kubectl-argo-rollouts/cmd/{promote,abort,retry,pause,undo}`): each verb patches the spec
 * or status, and the next reconcile acts on it.
 */
import { BatonError } from '../errors.js';
import type { PodTemplateSpec, Rollout } from '../spec/types.js';
import { currentStep } from './canary-steps.js';
import { abortedMessage } from './context.js';
import { podTemplateHash } from './hash.js';
import { clearAbort } from './shared.js';
import type { Effect, RolloutAction, RolloutState } from './types.js';

export interface ActionInput {
  rollout: Rollout;
  state: RolloutState;
  action: RolloutAction;
  now: number;
}

export interface ActionResult {
  state: RolloutState;
  effects: Effect[];
  /** undo: the template to put back into the spec. */
  template?: PodTemplateSpec;
}

function invalid(message: string, details: Record<string, unknown>): BatonError {
  return new BatonError('invalid-action', message, details);
}

function currentRevision(state: RolloutState): number {
  return state.revisions.find((r) => r.hash === state.currentHash)?.revision ?? 0;
}

/** Apply a person's action to the state; the next reconcile carries it out. */
export function applyRolloutAction(input: ActionInput): ActionResult {
  const { rollout, action, now } = input;
  const s = structuredClone(input.state);
  const effects: Effect[] = [];
  switch (action.type) {
    case 'promote': {
      // Argo `promote`: unpause the spec; an inconclusive analysis pause also moves past its
      // step; other pause conditions are cleared (their step completes on the next reconcile);
      // with no pause at all a canary skips the step in progress.
      const strategy = rollout.spec.strategy;
      const hadPause = s.paused || s.pauseConditions.length > 0;
      s.paused = false;
      const inconclusive = s.pauseConditions.some((c) => c.reason === 'InconclusiveAnalysisRun' || c.reason === 'InconclusiveAnalysis');
      const stepCount = strategy.type === 'canary' ? strategy.steps.length : 0;
      if (strategy.type === 'canary' && inconclusive && s.controllerPause && currentStep(strategy, s)?.kind === 'analysis') {
        // Argo clears controllerPause too, or a pause step right after would count as promoted.
        s.currentStepIndex = Math.min((s.currentStepIndex ?? 0) + 1, stepCount);
        s.pauseConditions = [];
        s.controllerPause = false;
      } else if (s.pauseConditions.length > 0) {
        s.pauseConditions = [];
      } else if (strategy.type === 'canary' && stepCount > 0 && !s.aborted) {
        s.currentStepIndex = Math.min((s.currentStepIndex ?? 0) + 1, stepCount);
      }
      if (hadPause) effects.push({ type: 'event', event: { type: 'Resumed' } });
      break;
    }
    case 'promote-full':
      // Argo `promote --full` only sets status.promoteFull, and only during an update.
      if (s.currentHash !== s.stableHash) s.promoteFull = true;
      break;
    case 'abort':
      // As Argo's CLI: allowed at any time, it only sets status.abort. On a fully promoted rollout
      // there is no update to abort: the next reconcile removes it (AbortCleared), as Argo does.
      if (!s.aborted) {
        s.aborted = true;
        s.abortedAt = now;
        if (action.reason) s.abortMessage = action.reason;
        else delete s.abortMessage;
        if (s.stableHash !== undefined && s.stableHash === s.currentHash) break;
        s.pauseConditions = [];
        s.controllerPause = false;
        effects.push({ type: 'event', event: { type: 'Aborted', message: action.reason ?? abortedMessage(currentRevision(s), undefined), revision: currentRevision(s) } });
      }
      break;
    case 'retry':
      // Argo `retry`: clear the abort; the update restarts at step 0 with new analysis runs.
      if (s.aborted) {
        clearAbort(s);
        s.timedOut = false;
        s.progressAt = now;
        s.analysisRuns = [];
        if (s.currentHash !== undefined) delete s.scaleDownAt[s.currentHash];
        delete s.routeStepApplied;
        s.blueGreenPauseDone = false;
        s.scaleUpPreviewCheckPoint = false;
        effects.push({ type: 'event', event: { type: 'Retried' } });
      }
      break;
    case 'pause':
      if (!s.paused) {
        s.paused = true;
        effects.push({ type: 'event', event: { type: 'Paused', reason: 'manually paused' } });
      }
      break;
    case 'resume':
      // Unpause and lift pause conditions without skipping a step: a timed or indefinite pause
      // step then completes, and an inconclusive analysis is measured again with a new run.
      if (s.paused || s.pauseConditions.length > 0) {
        s.paused = false;
        s.pauseConditions = [];
        effects.push({ type: 'event', event: { type: 'Resumed' } });
      }
      break;
    case 'undo': {
      const template = undoTarget(rollout, s, action.toRevision);
      return { state: s, effects, template };
    }
    default: {
      const never: never = action;
      throw invalid(`unknown action ${JSON.stringify(never)}`, {});
    }
  }
  return { state: s, effects };
}

/**
 * Argo `undo`: the template of revision N, or of the newest revision older than the current one.
 * The reconcile that follows treats it as any new template (back to stable = no steps).
 */
function undoTarget(rollout: Rollout, s: RolloutState, toRevision: number | undefined): PodTemplateSpec {
  const name = rollout.metadata.name;
  const currentHash = rollout.spec.template ? podTemplateHash(rollout.spec.template) : s.currentHash;
  const known = s.revisions.map((r) => r.revision).join(', ') || 'none';
  if (toRevision !== undefined) {
    const target = s.revisions.find((r) => r.revision === toRevision);
    if (!target) throw invalid(`rollout '${name}' has no revision ${toRevision} (revisions: ${known})`, { rollout: name, toRevision });
    return structuredClone(target.template);
  }
  const current = s.revisions.find((r) => r.hash === currentHash);
  const older = s.revisions.filter((r) => r.hash !== currentHash && (current === undefined || r.revision < current.revision));
  const previous = older.reduce<(typeof older)[number] | undefined>((best, r) => (best === undefined || r.revision > best.revision ? r : best), undefined);
  if (!previous) throw invalid(`rollout '${name}' has no previous revision to undo to (revisions: ${known})`, { rollout: name });
  return structuredClone(previous.template);
}
