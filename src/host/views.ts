/**
 * What the control API shows of a workload, built from the controllers' state and the
 * supervisor's processes (src/api/types.ts is the shape).
 */
import type { AnalysisRunState } from '../core/analysis/index.js';
import { canaryStepString, revisionRoles, revisionWeight, type RevisionInfo } from '../core/rollout/index.js';
import type { PodTemplateSpec } from '../core/spec/types.js';
import type { DeploymentController } from '../engine/deployment-controller.js';
import type { RolloutController } from '../engine/rollout-controller.js';
import type { PodInfo } from '../adapters/workloads/processes/index.js';
import type { AnalysisRunView, HistoryEntry, PodView, RevisionView, WorkloadDetail, WorkloadSummary } from '../api/types.js';

const imageOf = (t: PodTemplateSpec | undefined): string | undefined => t?.spec.containers[0]?.image;

const podView = (p: PodInfo): PodView => ({
  name: p.name,
  revision: p.revision,
  hash: p.hash,
  phase: p.phase,
  ready: p.ready,
  restarts: p.restarts,
  pid: p.pid,
  address: p.address,
  startedAt: p.startedAt,
});

/** One revision with its pods; a process pod is available once ready (no minReadySeconds here). */
function revisionView(r: RevisionInfo, pods: PodInfo[], roles: string[], weight?: number): RevisionView {
  const mine = pods.filter((p) => p.hash === r.hash);
  const ready = mine.filter((p) => p.ready).length;
  return {
    revision: r.revision,
    hash: r.hash,
    ...(imageOf(r.template) ? { image: imageOf(r.template) } : {}),
    roles,
    ...(weight !== undefined ? { weight } : {}),
    replicas: mine.filter((p) => p.phase !== 'Terminating').length,
    ready,
    available: ready,
    pods: mine.map(podView),
  };
}

/** Address written in a template -> address queried. */
export type AddressResolver = (address: string) => string;

export function runView(run: AnalysisRunState, resolve: AddressResolver): AnalysisRunView {
  return {
    name: run.name,
    kind: run.kind,
    phase: run.phase,
    ...(run.message ? { message: run.message } : {}),
    startedAt: run.startedAt,
    ...(run.completedAt !== undefined ? { completedAt: run.completedAt } : {}),
    metrics: run.metrics.map((m, i) => {
      const r = run.metricResults[i];
      const address = m.provider.type === 'prometheus' ? m.provider.address : undefined;
      return {
        name: m.name,
        phase: r?.phase ?? 'Pending',
        provider: m.provider.type,
        ...(address !== undefined ? { address, queriedAddress: resolve(address) } : {}),
        ...(m.successCondition ? { successCondition: m.successCondition } : {}),
        ...(m.failureCondition ? { failureCondition: m.failureCondition } : {}),
        successful: r?.successful ?? 0,
        failed: r?.failed ?? 0,
        inconclusive: r?.inconclusive ?? 0,
        error: r?.error ?? 0,
        count: r?.count ?? 0,
        measurements: (r?.measurements ?? []).map((x) => ({
          phase: x.phase,
          ...(x.value !== undefined ? { value: x.value } : {}),
          ...(x.message ? { message: x.message } : {}),
          startedAt: x.startedAt,
          ...(x.finishedAt !== undefined ? { finishedAt: x.finishedAt } : {}),
        })),
      };
    }),
  };
}

export function rolloutDetail(c: RolloutController, pods: PodInfo[], timeScale: number, resolve: AddressResolver): WorkloadDetail {
  const spec = c.spec;
  const st = c.rolloutState;
  const status = c.status;
  const strategy = spec.spec.strategy;
  const steps = strategy.type === 'canary' ? strategy.steps.map(canaryStepString) : [];
  const stableHash = st.stableHash;
  const currentHash = st.currentHash;
  const stable = st.revisions.find((r) => r.hash === stableHash);
  const current = st.revisions.find((r) => r.hash === currentHash);
  const routed = strategy.type === 'canary' && strategy.trafficRouting !== undefined;
  const revisions: RevisionView[] = [...st.revisions]
    .sort((a, b) => b.revision - a.revision)
    .map((r) => revisionView(r, pods, revisionRoles(strategy.type, st, r.hash), routed ? revisionWeight(st, r.hash) : undefined));
  const step = status?.stepIndex !== undefined && steps.length ? `${Math.min(status.stepIndex, steps.length)}/${steps.length}` : undefined;
  return {
    kind: 'Rollout',
    name: c.name,
    namespace: spec.metadata.namespace ?? 'default',
    phase: status?.phase ?? 'Progressing',
    message: status?.message ?? '',
    ...(step ? { step } : {}),
    strategy: strategy.type,
    canaryWeight: status?.canaryWeight ?? st.canaryWeight,
    desired: spec.spec.replicas,
    current: status?.replicas ?? 0,
    updated: status?.updatedReplicas ?? 0,
    ready: pods.filter((p) => p.ready).length,
    available: status?.availableReplicas ?? 0,
    ...(imageOf(stable?.template) ? { stableImage: imageOf(stable?.template) } : {}),
    ...(imageOf(current?.template) ? { currentImage: imageOf(current?.template) } : {}),
    ...(status?.stableRevision !== undefined ? { stableRevision: status.stableRevision } : {}),
    ...(status?.currentRevision !== undefined ? { currentRevision: status.currentRevision } : {}),
    aborted: st.aborted,
    paused: st.paused || st.pauseConditions.length > 0,
    steps,
    ...(status?.stepIndex !== undefined ? { stepIndex: status.stepIndex } : {}),
    revisions,
    analysisRuns: [...c.analysisRuns()].sort((a, b) => b.startedAt - a.startedAt).map((r) => runView(r, resolve)),
    timeScale,
  };
}

export function deploymentDetail(c: DeploymentController, pods: PodInfo[], timeScale: number): WorkloadDetail {
  const spec = c.spec;
  const st = c.deploymentState;
  const status = c.status;
  const current = st.revisions.find((r) => r.hash === st.currentHash);
  const revisions: RevisionView[] = [...st.revisions]
    .sort((a, b) => b.revision - a.revision)
    .map((r) => revisionView(r, pods, [r.hash === st.currentHash ? 'current' : 'old']));
  return {
    kind: 'Deployment',
    name: c.name,
    namespace: spec.metadata.namespace ?? 'default',
    phase: status?.phase ?? 'Progressing',
    message: status?.message ?? '',
    strategy: spec.spec.strategy.type,
    canaryWeight: 0,
    desired: spec.spec.replicas,
    current: status?.replicas ?? 0,
    updated: status?.updatedReplicas ?? 0,
    ready: pods.filter((p) => p.ready).length,
    available: status?.availableReplicas ?? 0,
    ...(imageOf(current?.template) ? { currentImage: imageOf(current?.template), stableImage: imageOf(current?.template) } : {}),
    ...(status ? { currentRevision: status.currentRevision } : {}),
    aborted: false,
    paused: spec.spec.paused,
    steps: [],
    revisions,
    analysisRuns: [],
    timeScale,
  };
}

export function summaryOf(d: WorkloadDetail): WorkloadSummary {
  const { kind, name, namespace, phase, message, step, strategy, canaryWeight, desired, current, updated, ready, available, stableImage, currentImage, createdAt } = d;
  return {
    kind,
    name,
    namespace,
    phase,
    message,
    ...(step !== undefined ? { step } : {}),
    strategy,
    canaryWeight,
    desired,
    current,
    updated,
    ready,
    available,
    ...(stableImage !== undefined ? { stableImage } : {}),
    ...(currentImage !== undefined ? { currentImage } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
  };
}

export function historyOf(d: WorkloadDetail, createdAt: (hash: string) => number): HistoryEntry[] {
  return d.revisions.map((r) => ({ revision: r.revision, hash: r.hash, ...(r.image ? { image: r.image } : {}), createdAt: createdAt(r.hash), roles: r.roles }));
}
