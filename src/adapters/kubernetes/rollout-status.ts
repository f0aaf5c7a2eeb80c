/**
 * The Rollout's `.status` as Argo Rollouts writes it (`pkg/apis/rollouts/v1alpha1/types.go`
 * `RolloutStatus`, conditions from `utils/conditions/conditions.go`), projected from the engine's
 * state and the core's status: what `kubectl get rollout`, `kubectl argo rollouts get` and
 * ArgoCD's Rollout health check read. Pure: the caller passes `now` and the previous status (so a
 * condition keeps its lastTransitionTime while its status stays).
 */
import type { AnalysisRunState } from '../../core/analysis/index.js';
import type { ObservedRevision, OwnedAnalysisRun, RolloutState, RolloutStatus } from '../../core/rollout/index.js';
import type { Rollout } from '../../core/spec/types.js';

/** One of Argo's `RolloutCondition`s. */
export interface ArgoCondition {
  type: 'Progressing' | 'Available' | 'Healthy' | 'Paused' | 'Completed' | 'InvalidSpec';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

export interface RunStatus {
  name: string;
  status: string;
  message?: string;
}

/** The fields of Argo's RolloutStatus Baton writes. */
export interface ArgoRolloutStatus {
  phase?: string;
  message?: string;
  observedGeneration?: string;
  currentPodHash?: string;
  stableRS?: string;
  currentStepIndex?: number;
  currentStepHash?: string;
  pauseConditions?: { reason: string; startTime: string }[] | null;
  controllerPause?: boolean;
  abort?: boolean;
  abortedAt?: string | null;
  promoteFull?: boolean;
  conditions?: ArgoCondition[];
  canary?: {
    weights?: { canary: { weight: number; podTemplateHash?: string; serviceName?: string }; stable: { weight: number; podTemplateHash?: string; serviceName?: string }; verified?: boolean };
    currentStepAnalysisRunStatus?: RunStatus | null;
    currentBackgroundAnalysisRunStatus?: RunStatus | null;
  };
  blueGreen?: {
    activeSelector?: string;
    previewSelector?: string;
    scaleUpPreviewCheckPoint?: boolean;
    prePromotionAnalysisRunStatus?: RunStatus | null;
    postPromotionAnalysisRunStatus?: RunStatus | null;
  };
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  HPAReplicas?: number;
  selector?: string;
  [field: string]: unknown;
}

/** Argo's metav1.Time: RFC 3339 to the second. */
export function argoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface StatusInput {
  rollout: Rollout;
  generation: number | undefined;
  state: RolloutState;
  status: RolloutStatus;
  runs: readonly AnalysisRunState[];
  observed: readonly ObservedRevision[];
  previous: ArgoRolloutStatus | undefined;
  now: number;
  /** Engine time -> wall time for the times shown (they differ under --time-scale); default the same. */
  toWall?: (engineMs: number) => number;
}

function runStatus(owned: OwnedAnalysisRun | undefined, runs: readonly AnalysisRunState[]): RunStatus | null {
  if (!owned) return null;
  const run = runs.find((r) => r.name === owned.name);
  const out: RunStatus = { name: owned.name, status: run?.phase ?? 'Pending' };
  if (run?.message) out.message = run.message;
  return out;
}

/** `app=x,tier=y`, as `metav1.FormatLabelSelector` prints a matchLabels selector (the scale subresource reads it). */
function formatSelector(rollout: Rollout, hash: string | undefined): string | undefined {
  const labels = { ...(rollout.spec.selector?.matchLabels ?? {}) };
  if (Object.keys(labels).length === 0) return undefined;
  if (hash && rollout.spec.strategy.type === 'blueGreen') labels['rollouts-pod-template-hash'] = hash;
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Builds the conditions, keeping lastTransitionTime of one whose status did not change. */
function conditions(input: StatusInput, rsName: string): ArgoCondition[] {
  const { state: s, status, now, previous } = input;
  const at = argoTime(input.toWall ? input.toWall(now) : now);
  const make = (type: ArgoCondition['type'], st: ArgoCondition['status'], reason: string, message: string): ArgoCondition => {
    const prev = previous?.conditions?.find((c) => c.type === type);
    const same = prev && prev.status === st && prev.reason === reason && prev.message === message;
    return { type, status: st, reason, message, lastUpdateTime: same ? prev.lastUpdateTime : at, lastTransitionTime: prev && prev.status === st ? prev.lastTransitionTime : at };
  };
  const revision = status.currentRevision ?? 0;
  const hash = s.currentHash ?? '';
  const out: ArgoCondition[] = [];
  const healthy = status.phase === 'Healthy';
  const paused = s.paused || s.pauseConditions.length > 0;
  if (s.aborted) out.push(make('Progressing', 'False', 'RolloutAborted', status.message.replace(/^RolloutAborted: /, '')));
  else if (s.timedOut) out.push(make('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`));
  else if (paused) out.push(make('Progressing', 'Unknown', 'RolloutPaused', 'Rollout is paused'));
  else if (healthy) out.push(make('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`));
  else out.push(make('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`));
  const available = status.availableReplicas >= input.rollout.spec.replicas;
  out.push(make('Available', available ? 'True' : 'False', 'AvailableReason', available ? 'Rollout has minimum availability' : 'Rollout does not have minimum availability'));
  if (paused) out.push(make('Paused', 'True', 'RolloutPaused', 'Rollout is paused'));
  const completed = s.stableHash !== undefined && s.stableHash === s.currentHash;
  out.push(
    completed
      ? make('Completed', 'True', 'RolloutCompleted', `Rollout completed update to revision ${revision} (${hash}): ${completionNote(input)}`)
      : make('Completed', 'False', 'RolloutNotCompleted', `Rollout not completed, started update to revision ${revision} (${hash})`),
  );
  out.push(make('Healthy', healthy ? 'True' : 'False', 'RolloutHealthy', healthy ? 'Rollout is healthy' : 'Rollout is not healthy'));
  return out;
}

function completionNote(input: StatusInput): string {
  const strategy = input.rollout.spec.strategy;
  if (strategy.type === 'blueGreen') return 'Rollout is completed';
  return strategy.steps.length ? `Completed all ${strategy.steps.length} canary steps` : 'Initial deploy';
}

/** The whole status Baton writes (see the file comment). */
export function argoRolloutStatus(input: StatusInput): ArgoRolloutStatus {
  const { rollout, state: s, status } = input;
  const rsName = `${rollout.metadata.name}-${s.currentHash ?? ''}`;
  const time = (ms: number): string => argoTime(input.toWall ? input.toWall(ms) : ms);
  const out: ArgoRolloutStatus = {
    phase: status.phase,
    message: status.message,
    ...(input.generation !== undefined ? { observedGeneration: String(input.generation) } : {}),
    pauseConditions: s.pauseConditions.length ? s.pauseConditions.map((p) => ({ reason: p.reason, startTime: time(p.startTime) })) : null,
    controllerPause: s.controllerPause,
    abort: s.aborted,
    abortedAt: s.aborted && s.abortedAt !== undefined ? time(s.abortedAt) : null,
    promoteFull: s.promoteFull,
    conditions: conditions(input, rsName),
    replicas: status.replicas,
    updatedReplicas: status.updatedReplicas,
    readyReplicas: input.observed.reduce((n, r) => n + r.readyReplicas, 0),
    availableReplicas: status.availableReplicas,
    HPAReplicas: status.replicas,
  };
  if (s.currentHash) out.currentPodHash = s.currentHash;
  if (s.stableHash) out.stableRS = s.stableHash;
  const selector = formatSelector(rollout, s.activeHash);
  if (selector) out.selector = selector;
  const strategy = rollout.spec.strategy;
  const owned = (kind: OwnedAnalysisRun['kind']): OwnedAnalysisRun | undefined => [...s.analysisRuns].reverse().find((r) => r.kind === kind);
  if (strategy.type === 'canary') {
    if (s.currentStepIndex !== undefined && strategy.steps.length) out.currentStepIndex = s.currentStepIndex;
    if (s.stepsHash) out.currentStepHash = s.stepsHash;
    out.canary = {
      currentStepAnalysisRunStatus: runStatus(owned('Step'), input.runs),
      currentBackgroundAnalysisRunStatus: runStatus(owned('Background'), input.runs),
    };
    if (strategy.trafficRouting) {
      const canaryHash = s.currentHash !== s.stableHash ? s.currentHash : s.stableHash;
      out.canary.weights = {
        canary: { weight: status.canaryWeight, ...(canaryHash ? { podTemplateHash: canaryHash } : {}), ...(strategy.canaryService ? { serviceName: strategy.canaryService } : {}) },
        stable: { weight: 100 - status.canaryWeight, ...(s.stableHash ? { podTemplateHash: s.stableHash } : {}), ...(strategy.stableService ? { serviceName: strategy.stableService } : {}) },
        verified: true,
      };
    }
  } else {
    out.blueGreen = {
      ...(s.activeHash ? { activeSelector: s.activeHash } : {}),
      ...(s.previewHash ? { previewSelector: s.previewHash } : {}),
      scaleUpPreviewCheckPoint: s.scaleUpPreviewCheckPoint,
      prePromotionAnalysisRunStatus: runStatus(owned('PrePromotion'), input.runs),
      postPromotionAnalysisRunStatus: runStatus(owned('PostPromotion'), input.runs),
    };
  }
  return out;
}

/**
 * The status of a Rollout Baton cannot read: Argo's InvalidSpec condition, phase Degraded, and
 * the problem as the message (Argo: `InvalidSpec: <message>`).
 */
export function invalidSpecStatus(message: string, generation: number | undefined, previous: ArgoRolloutStatus | undefined, now: number): ArgoRolloutStatus {
  const prev = previous?.conditions?.find((c) => c.type === 'InvalidSpec');
  const at = argoTime(now);
  const same = prev?.status === 'True' && prev.message === message;
  const cond: ArgoCondition = { type: 'InvalidSpec', status: 'True', reason: 'InvalidSpec', message, lastUpdateTime: same ? prev.lastUpdateTime : at, lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime : at };
  const others = (previous?.conditions ?? []).filter((c) => c.type !== 'InvalidSpec');
  return { phase: 'Degraded', message: `InvalidSpec: ${message}`, ...(generation !== undefined ? { observedGeneration: String(generation) } : {}), conditions: [...others, cond] };
}

/**
 * A JSON merge patch (RFC 7386) that turns `from` into `to`: only what changed, `null` for what
 * went away. Sent instead of the whole status, so a field someone else set meanwhile (the
 * kubectl plugin's `abort: true`) is not overwritten with what we last knew (Argo patches its
 * status the same way, `utils/diff.CreateTwoWayMergePatch`).
 */
export function mergePatch(from: unknown, to: unknown): unknown {
  if (!isPlainObject(from) || !isPlainObject(to)) return JSON.stringify(from) === JSON.stringify(to) ? undefined : (to ?? null);
  const patch: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
    if (!(key in to) || to[key] === undefined) {
      if (key in from && from[key] !== undefined && from[key] !== null) patch[key] = null;
      continue;
    }
    const d = key in from ? mergePatch(from[key], to[key]) : to[key];
    if (d !== undefined) patch[key] = d;
  }
  return Object.keys(patch).length ? patch : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
