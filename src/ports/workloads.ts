import type { ObservedRevision } from '../core/rollout/index.js';
import type { PodTemplateSpec } from '../core/spec/types.js';

/** One revision of a workload: the pods (processes) of one pod-template hash. */
export interface RevisionWorkload {
  /** Rollout or Deployment name. */
  owner: string;
  hash: string;
  revision: number;
  template: PodTemplateSpec;
  /** The owner's namespace (pods' `POD_NAMESPACE`, `kube_pod_status_ready`); default "default". */
  namespace?: string;
  /** Ready this long before a pod counts as available (the owner's `minReadySeconds`). */
  minReadySeconds?: number;
  /**
   * Labels added to the template's on every pod: Argo adds `rollouts-pod-template-hash`, a
   * Deployment `pod-template-hash`; Services pinned to one revision select by them.
   */
  extraLabels?: Record<string, string>;
}

/**
 * Runs pods: processes on one machine, ReplicaSets on Kubernetes, simulated pods in
 * `baton simulate`. Scaling is asynchronous; `observe` reports what is true now.
 */
export interface Workloads {
  scale(workload: RevisionWorkload, replicas: number): Promise<void>;
  /** Scale to zero and forget the revision. */
  remove(owner: string, hash: string): Promise<void>;
  /** What each revision of `owner` reports now. */
  observe(owner: string): ObservedRevision[];
  /** The next time a simulated or delayed change will happen by itself (virtual clocks only). */
  nextChangeAt?(owner: string): number | undefined;
}
