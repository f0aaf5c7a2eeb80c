/**
 * The workload of one revision, as both controllers hand it to the Workloads port. Rollouts and
 * Deployments differ only in the hash label: Argo's ReplicaSets carry
 * `rollouts-pod-template-hash`, Kubernetes Deployments' `pod-template-hash`.
 */
import type { RevisionInfo } from '../core/rollout/index.js';
import type { ObjectMeta } from '../core/spec/types.js';
import type { RevisionWorkload } from '../ports/workloads.js';

/** The hash label a revision's pods carry, by owner kind. */
export type PodTemplateHashLabel = 'rollouts-pod-template-hash' | 'pod-template-hash';

/** `info` as a RevisionWorkload of the owner named in `metadata`, pods labelled by `hashLabel`. */
export function revisionWorkload(metadata: ObjectMeta, minReadySeconds: number, info: RevisionInfo, hashLabel: PodTemplateHashLabel): RevisionWorkload {
  return {
    owner: metadata.name,
    hash: info.hash,
    revision: info.revision,
    template: info.template,
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    minReadySeconds,
    extraLabels: { [hashLabel]: info.hash },
  };
}
