/**
 * An apps/v1 Deployment's rollout, pure, as Kubernetes' deployment controller decides it
 * (`pkg/controller/deployment/rolling.go`, `recreate.go`, `util/deployment_util.go`):
 *
 * RollingUpdate, one reconcile:
 * 1. New ReplicaSet up: total pods may reach `replicas + maxSurge`
 *    (`NewRSNewReplicas`): scale the new revision by min(room, replicas - new).
 * 2. Old ReplicaSets down, keeping `replicas - maxUnavailable` available
 *    (`reconcileOldReplicaSets`): first their unavailable pods, then available ones, oldest
 *    revision first, never more than `all - minAvailable - newUnavailable`.
 * Worked example (replicas 2, maxSurge 1, maxUnavailable 0): old 2/2 -> new 1 (3 pods) ->
 * when new is available, old 1 -> new 2 -> when available, old 0. Never fewer than 2 available.
 *
 * Recreate: old revisions to 0, then, once none has a pod, the new one to `replicas`.
 * A Deployment is the embedded default's plain rolling update: no steps, no analysis.
 */
import type { Effect, ObservedRevision, RevisionInfo } from '../rollout/index.js';
import { podTemplateHash } from '../rollout/hash.js';
import { resolveFenceposts } from '../rollout/replicas.js';
import type { Deployment } from '../spec/types.js';

export interface DeploymentState {
  revisions: RevisionInfo[];
  /** The hash of the template last reconciled. */
  currentHash?: string;
  /** The replica count last asked of each revision. */
  desiredReplicas: Record<string, number>;
  /** Last time the rollout made progress (for progressDeadlineSeconds). */
  progressAt?: number;
  progressMarker?: string;
  timedOut: boolean;
}

export type DeploymentPhase = 'Healthy' | 'Progressing' | 'Degraded';

export interface DeploymentStatus {
  phase: DeploymentPhase;
  message: string;
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: number;
}

export function initialDeploymentState(): DeploymentState {
  return { revisions: [], desiredReplicas: {}, timedOut: false };
}

export function reconcileDeployment(input: { deployment: Deployment; state: DeploymentState; observed: { revisions: ObservedRevision[] }; now: number }): {
  state: DeploymentState;
  effects: Effect[];
  status: DeploymentStatus;
  wakeAt?: number;
} {
  const { deployment, observed, now } = input;
  const state: DeploymentState = { ...input.state, revisions: input.state.revisions.map((r) => ({ ...r })), desiredReplicas: { ...input.state.desiredReplicas } };
  const effects: Effect[] = [];
  const spec = deployment.spec;
  const hash = podTemplateHash(spec.template);
  let info = state.revisions.find((r) => r.hash === hash);
  if (!info) {
    const revision = Math.max(0, ...state.revisions.map((r) => r.revision)) + 1;
    info = { revision, hash, template: spec.template, createdAt: now };
    state.revisions.push(info);
    effects.push({ type: 'event', event: { type: 'RevisionCreated', revision, hash } });
  }
  if (state.currentHash !== hash) {
    state.currentHash = hash;
    state.progressAt = now;
    state.timedOut = false;
  }
  const obs = (h: string): ObservedRevision => observed.revisions.find((r) => r.hash === h) ?? { hash: h, replicas: 0, readyReplicas: 0, availableReplicas: 0 };
  const desired = (h: string): number => state.desiredReplicas[h] ?? obs(h).replicas;
  const scale = (h: string, n: number): void => {
    if (desired(h) === n) return;
    state.desiredReplicas[h] = n;
    effects.push({ type: 'scaleRevision', hash: h, replicas: n });
  };
  const olds = state.revisions.filter((r) => r.hash !== hash).sort((a, b) => a.revision - b.revision);

  if (!spec.paused) {
    if (spec.strategy.type === 'Recreate') {
      for (const o of olds) scale(o.hash, 0);
      if (olds.every((o) => obs(o.hash).replicas === 0)) scale(hash, spec.replicas);
    } else {
      const { maxSurge, maxUnavailable } = resolveFenceposts(spec.strategy.rollingUpdate.maxSurge, spec.strategy.rollingUpdate.maxUnavailable, spec.replicas);
      const minAvailable = spec.replicas - maxUnavailable;
      // 1. the new revision up, within replicas + maxSurge pods in all
      const newDesired = desired(hash);
      let scaledUp = false;
      if (newDesired > spec.replicas) scale(hash, spec.replicas);
      else if (newDesired < spec.replicas) {
        const all = desired(hash) + olds.reduce((n, o) => n + Math.max(desired(o.hash), obs(o.hash).replicas), 0);
        const room = spec.replicas + maxSurge - all;
        if (room > 0) {
          scale(hash, newDesired + Math.min(room, spec.replicas - newDesired));
          scaledUp = true;
        }
      }
      // 2. old revisions down, keeping replicas - maxUnavailable available; as Kubernetes, not in
      // the reconcile that scaled the new revision up (it sees the new pods first).
      if (!scaledUp) scaleDownOld(minAvailable);
    }
  }

  function scaleDownOld(minAvailable: number): void {
    {
      const newUnavailable = Math.max(0, desired(hash) - obs(hash).availableReplicas);
      const allPods = desired(hash) + olds.reduce((n, o) => n + desired(o.hash), 0);
      let budget = allPods - minAvailable - newUnavailable;
      // Unavailable old pods first: removing them costs no availability.
      for (const o of olds) {
        if (budget <= 0) break;
        const unavailable = Math.max(0, desired(o.hash) - obs(o.hash).availableReplicas);
        const cut = Math.min(unavailable, budget);
        if (cut > 0) {
          scale(o.hash, desired(o.hash) - cut);
          budget -= cut;
        }
      }
      const available = obs(hash).availableReplicas + olds.reduce((n, o) => n + Math.min(obs(o.hash).availableReplicas, desired(o.hash)), 0);
      let spare = Math.min(budget, available - minAvailable);
      for (const o of olds) {
        if (spare <= 0) break;
        const cut = Math.min(desired(o.hash), spare);
        if (cut > 0) {
          scale(o.hash, desired(o.hash) - cut);
          spare -= cut;
        }
      }
    }
  }

  // Revisions beyond revisionHistoryLimit that have no pod left are forgotten.
  const emptyOld = olds.filter((o) => desired(o.hash) === 0 && obs(o.hash).replicas === 0);
  for (const o of emptyOld.slice(0, Math.max(0, emptyOld.length - spec.revisionHistoryLimit))) {
    state.revisions = state.revisions.filter((r) => r.hash !== o.hash);
    delete state.desiredReplicas[o.hash];
    effects.push({ type: 'deleteRevision', hash: o.hash });
  }

  const cur = obs(hash);
  const total = observed.revisions.reduce((n, r) => n + r.replicas, 0);
  const availableAll = observed.revisions.reduce((n, r) => n + r.availableReplicas, 0);
  const complete = cur.availableReplicas >= spec.replicas && olds.every((o) => obs(o.hash).replicas === 0);
  const marker = JSON.stringify(observed.revisions.map((r) => [r.hash, r.replicas, r.availableReplicas]));
  if (marker !== state.progressMarker) {
    state.progressMarker = marker;
    state.progressAt = now;
  }
  let wakeAt: number | undefined;
  if (!complete && !spec.paused && !state.timedOut) {
    const deadline = (state.progressAt ?? now) + spec.progressDeadlineSeconds * 1000;
    if (now >= deadline) {
      state.timedOut = true;
      effects.push({ type: 'event', event: { type: 'ProgressDeadlineExceeded', message: `ReplicaSet "${deployment.metadata.name}-${hash}" has timed out progressing.` } });
    } else wakeAt = deadline;
  }
  const status: DeploymentStatus = {
    phase: complete ? 'Healthy' : state.timedOut ? 'Degraded' : 'Progressing',
    message: complete ? '' : state.timedOut ? `ProgressDeadlineExceeded: ReplicaSet "${deployment.metadata.name}-${hash}" has timed out progressing.` : `${cur.availableReplicas} of ${spec.replicas} updated replicas are available`,
    replicas: total,
    updatedReplicas: cur.replicas,
    availableReplicas: availableAll,
    currentRevision: info.revision,
  };
  return { state, effects, status, ...(wakeAt !== undefined ? { wakeAt } : {}) };
}
