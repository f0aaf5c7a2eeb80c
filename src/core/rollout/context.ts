/**
 * The working set of one reconcile: the rollout, a mutable copy of the state, what was observed,
 * and the effects and wake-up times collected on the way. Helpers here are the small verbs that
 * both strategies share (Argo's `pauseContext`: add/remove pause conditions, abort).
 */
import type { Rollout } from '../spec/types.js';
import type {
  AnalysisRunPhase,
  Effect,
  Observed,
  ObservedRevision,
  PauseReason,
  RolloutEvent,
  RolloutState,
} from './types.js';

export interface ReconcileContext {
  rollout: Rollout;
  /** Mutated in place; the caller passes a copy. */
  state: RolloutState;
  /** The state as it came in: Argo decides some things on the status it read, not the one it is building. */
  previous: RolloutState;
  /** What the workloads report for the rollout's own revisions (temporary ones left out). */
  observed: Observed;
  /** What they report for baseline and experiment revisions. */
  temporaryObserved: ObservedRevision[];
  now: number;
  /** The hash and revision number of the current spec template. */
  hash: string;
  revision: number;
  effects: Effect[];
  wakeTimes: number[];
}

export function emit(ctx: ReconcileContext, effect: Effect): void {
  ctx.effects.push(effect);
}

export function record(ctx: ReconcileContext, event: RolloutEvent): void {
  ctx.effects.push({ type: 'event', event });
}

/** Ask to be reconciled again at `time` (`<= now`: at once). */
export function wakeAt(ctx: ReconcileContext, time: number): void {
  ctx.wakeTimes.push(time);
}

const NO_PODS: Omit<ObservedRevision, 'hash'> = { replicas: 0, readyReplicas: 0, availableReplicas: 0 };

export function observedRevision(ctx: ReconcileContext, hash: string | undefined): ObservedRevision {
  const found = hash === undefined ? undefined : ctx.observed.revisions.find((r) => r.hash === hash);
  return found ?? { hash: hash ?? '', ...NO_PODS };
}

export function available(ctx: ReconcileContext, hash: string | undefined): number {
  return observedRevision(ctx, hash).availableReplicas;
}

export function desired(ctx: ReconcileContext, hash: string | undefined): number {
  return hash === undefined ? 0 : (ctx.state.desiredReplicas[hash] ?? 0);
}

export function runPhase(ctx: ReconcileContext, name: string): { phase: AnalysisRunPhase; message?: string } {
  return ctx.observed.analysisRuns[name] ?? { phase: 'Pending' };
}

/** Set a revision's replica count; emits only on change. Returns whether it changed. */
export function scaleRevision(ctx: ReconcileContext, hash: string, replicas: number): boolean {
  const before = ctx.state.desiredReplicas[hash] ?? 0;
  if (before === replicas && hash in ctx.state.desiredReplicas) return false;
  ctx.state.desiredReplicas[hash] = replicas;
  if (before === replicas) return false;
  emit(ctx, { type: 'scaleRevision', hash, replicas });
  if (replicas === 0) record(ctx, { type: 'ScaledDown', hash, revision: ctx.state.revisions.find((r) => r.hash === hash)?.revision ?? 0 });
  return true;
}

export function pauseCondition(state: RolloutState, reason: PauseReason): { reason: PauseReason; startTime: number } | undefined {
  return state.pauseConditions.find((c) => c.reason === reason);
}

/**
 * Argo v1.9 `haltProgress` (rollout/context.go): `spec.paused`, or a pause for an inconclusive
 * analysis run, holds ReplicaSet scaling (canary), the blue/green pause and the Service switches
 * until a person acts. Returns why, or undefined. An aborted rollout is never held: Argo would keep
 * a paused rollout's canary pods up (and, without a router, serving) after an abort until it is
 * resumed; Baton scales back at once, so an abort always takes the bad revision out.
 */
export function haltProgress(ctx: ReconcileContext): 'user paused' | 'inconclusive analysis' | undefined {
  const s = ctx.state;
  if (s.aborted) return undefined;
  if (s.paused) return 'user paused';
  if (pauseCondition(s, 'InconclusiveAnalysisRun') || pauseCondition(s, 'InconclusiveAnalysis')) return 'inconclusive analysis';
  return undefined;
}

/** Argo `AddPauseCondition`: once per reason; the controller now holds a pause. */
export function addPauseCondition(ctx: ReconcileContext, reason: PauseReason): void {
  if (pauseCondition(ctx.state, reason)) return;
  ctx.state.pauseConditions.push({ reason, startTime: ctx.now });
  ctx.state.controllerPause = true;
  record(ctx, { type: 'Paused', reason });
}

export function removePauseCondition(ctx: ReconcileContext, reason: PauseReason): void {
  ctx.state.pauseConditions = ctx.state.pauseConditions.filter((c) => c.reason !== reason);
}

/**
 * Argo `AddAbort`: abort the update with a reason; pause conditions go (an abort overrides them,
 * as `CalculatePauseStatus` does).
 */
export function abortRollout(ctx: ReconcileContext, message: string): void {
  const s = ctx.state;
  if (s.aborted) return;
  s.aborted = true;
  s.abortedAt = ctx.now;
  s.abortMessage = message;
  s.pauseConditions = [];
  s.controllerPause = false;
  // The event carries the reason (e.g. `Step-based analysis phase error/failed: ...`); the status
  // message has Argo's full `RolloutAborted: Rollout aborted update to revision N: <reason>`.
  record(ctx, { type: 'Aborted', message, revision: ctx.revision });
  wakeAt(ctx, ctx.now);
}

/** Argo's condition message: `Rollout aborted update to revision 2: <reason>`. */
export function abortedMessage(revision: number, reason: string | undefined): string {
  const base = `Rollout aborted update to revision ${revision}`;
  return reason ? `${base}: ${reason}` : base;
}

/** Argo's ReplicaSet name: `<rollout>-<hash>`. */
export function replicaSetName(ctx: ReconcileContext, hash: string): string {
  return `${ctx.rollout.metadata.name}-${hash}`;
}
