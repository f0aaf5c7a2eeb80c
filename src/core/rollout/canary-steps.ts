/**
 * Reading the canary steps: the current step, the weight in force, setCanaryScale, and the step
 * as Argo prints it (`utils/replicaset/canary.go`, `utils/rollout/rolloututil.go`).
 */
import { formatDuration } from '../spec/duration.js';
import type { CanaryStep, CanaryStrategy } from '../spec/types.js';
import type { RolloutState } from './types.js';

/** Argo `CanaryStepString`: `setWeight: 10`, `pause: 30s`, `pause`, `analysis`, ... */
export function canaryStepString(step: CanaryStep): string {
  switch (step.kind) {
    case 'setWeight':
      return `setWeight: ${step.weight}`;
    case 'pause':
      return step.duration === undefined ? 'pause' : `pause: ${formatDuration(step.duration * 1000)}`;
    case 'analysis':
      return 'analysis';
    case 'experiment':
      return 'experiment';
    case 'setCanaryScale':
      if (step.weight !== undefined) return `setCanaryScale{weight: ${step.weight}}`;
      if (step.matchTrafficWeight) return 'setCanaryScale{matchTrafficWeight: true}';
      return `setCanaryScale{replicas: ${step.replicas ?? 0}}`;
    case 'setHeaderRoute':
      return `setHeaderRoute: ${step.name}`;
    case 'setMirrorRoute':
      return `setMirrorRoute: ${step.name}`;
    case 'plugin':
      return 'plugin';
    default: {
      const never: never = step;
      return String(never);
    }
  }
}

export function stepIndex(state: RolloutState): number {
  return state.currentStepIndex ?? 0;
}

/** Argo `GetCurrentCanaryStep`: undefined once every step is done. */
export function currentStep(strategy: CanaryStrategy, state: RolloutState): CanaryStep | undefined {
  return strategy.steps[stepIndex(state)];
}

/** Argo `MaxTrafficWeight`: the router's `maxTrafficWeight`, 100 without one. */
export function maxTrafficWeight(strategy: CanaryStrategy): number {
  return strategy.trafficRouting?.maxTrafficWeight || 100;
}

/**
 * Argo `GetCurrentSetWeight`: the last setWeight at or before the current index; 0 if none;
 * the maximum (100, or maxTrafficWeight) once every step is done; 0 while aborted.
 */
export function currentSetWeight(strategy: CanaryStrategy, state: RolloutState): number {
  if (state.aborted) return 0;
  const index = stepIndex(state);
  if (index >= strategy.steps.length) return maxTrafficWeight(strategy);
  for (let i = index; i >= 0; i--) {
    const step = strategy.steps[i];
    if (step?.kind === 'setWeight') return step.weight;
  }
  return 0;
}

/** The last setWeight strictly before the current step (the weight still in force while it scales). */
export function previousSetWeight(strategy: CanaryStrategy, state: RolloutState): number {
  for (let i = stepIndex(state) - 1; i >= 0; i--) {
    const step = strategy.steps[i];
    if (step?.kind === 'setWeight') return step.weight;
  }
  return 0;
}

/**
 * Argo `UseSetCanaryScale`: the setCanaryScale in force (traffic routing only), until a
 * `matchTrafficWeight: true`; ignored while aborted unless the canary is kept up
 * (`abortScaleDownDelaySeconds: 0`).
 */
export function setCanaryScaleInForce(strategy: CanaryStrategy, state: RolloutState): { replicas?: number; weight?: number } | undefined {
  if (!strategy.trafficRouting) return undefined;
  if (state.aborted && strategy.abortScaleDownDelaySeconds !== 0) return undefined;
  const index = stepIndex(state);
  if (index >= strategy.steps.length) return undefined;
  for (let i = index; i >= 0; i--) {
    const step = strategy.steps[i];
    if (step?.kind !== 'setCanaryScale') continue;
    if (step.matchTrafficWeight) return undefined;
    return { ...(step.replicas !== undefined ? { replicas: step.replicas } : {}), ...(step.weight !== undefined ? { weight: step.weight } : {}) };
  }
  return undefined;
}

/**
 * Argo `GetCanaryReplicasOrWeight`: a fixed canary count (setCanaryScale replicas) or the weight
 * the canary's replicas follow: 100 when promoting fully, with no stable, or when the current
 * revision is the stable one.
 */
export function canaryReplicasOrWeight(strategy: CanaryStrategy, state: RolloutState): { replicas?: number; weight: number } {
  if (state.promoteFull || state.stableHash === undefined || state.currentHash === state.stableHash) return { weight: maxTrafficWeight(strategy) };
  const scs = setCanaryScaleInForce(strategy, state);
  if (scs?.replicas !== undefined) return { replicas: scs.replicas, weight: 0 };
  if (scs?.weight !== undefined) return { weight: scs.weight };
  return { weight: currentSetWeight(strategy, state) };
}
