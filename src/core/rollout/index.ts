/**
 * The rollout state machines: canary and blue/green decisions as Argo Rollouts v1.8 makes them,
 * as pure functions. `reconcileRollout(state, observed, now) -> { state, effects, status, wakeAt }`;
 * `applyRolloutAction` for what a person does. Effects are data the engine carries out.
 */
export type {
  AnalysisRunKind,
  AnalysisRunPhase,
  Effect,
  Observed,
  ObservedRevision,
  OwnedAnalysisRun,
  PauseCondition,
  PauseReason,
  ReconcileInput,
  ReconcileResult,
  RevisionInfo,
  RolloutAction,
  RolloutEvent,
  RolloutPhase,
  RolloutState,
  RolloutStatus,
  ServiceRole,
} from './types.js';
export { initialRolloutState } from './types.js';
export { podTemplateHash } from './hash.js';
export { reconcileRollout } from './reconcile.js';
export { applyRolloutAction, type ActionInput, type ActionResult } from './actions.js';
export { analysisRunBaseName, resolveRolloutArgs } from './analysis-runs.js';
export { canaryStepString } from './canary-steps.js';
export { revisionRoles, revisionWeight, type RevisionRole } from './revision-roles.js';
export {
  approximateCanaryStableCounts,
  calculateBasicCanaryReplicas,
  calculateTrafficRoutedReplicas,
  resolveFenceposts,
} from './replicas.js';
