/**
 * The controller's view of the cluster: one informer per resource type it reads, all namespaces
 * or one (`--namespace`). Rollouts are filtered by Argo's instance-id label the way Argo's
 * controller filters them (`controller/controller.go` `instanceIDSelector`): with `--instance-id
 * X` only Rollouts labelled `argo-rollouts.argoproj.io/controller-instanceid=X`, without it only
 * Rollouts without that label, so Baton and an Argo controller can share a cluster. ReplicaSets are
 * watched only when they carry `rollouts-pod-template-hash` (those of Rollouts).
 */
import type { KubeClient } from '../adapters/kubernetes/client.js';
import { Informer } from '../adapters/kubernetes/informer.js';
import { RESOURCES, type ResourceType } from '../adapters/kubernetes/resources.js';

export const INSTANCE_ID_LABEL = 'argo-rollouts.argoproj.io/controller-instanceid';

export interface ClusterCaches {
  rollouts: Informer;
  analysisRuns: Informer;
  analysisTemplates: Informer;
  clusterAnalysisTemplates: Informer;
  replicaSets: Informer;
  services: Informer;
  virtualServices: Informer;
  destinationRules: Informer;
  secrets: Informer;
  all(): Informer[];
}

export interface CachesOptions {
  namespace?: string;
  instanceId?: string;
  onError?: (resource: ResourceType, e: unknown) => void;
}

/** The selector of the Rollouts one controller instance owns. */
export function instanceSelector(instanceId: string | undefined): string {
  return instanceId ? `${INSTANCE_ID_LABEL}=${instanceId}` : `!${INSTANCE_ID_LABEL}`;
}

/** Creates (not starts) the informers. */
export function createClusterCaches(client: KubeClient, o: CachesOptions = {}): ClusterCaches {
  const make = (rt: ResourceType, labelSelector?: string): Informer =>
    new Informer(client, rt, {
      ...(rt.namespaced && o.namespace ? { namespace: o.namespace } : {}),
      ...(labelSelector ? { labelSelector } : {}),
      onError: (e) => o.onError?.(rt, e),
    });
  const caches = {
    rollouts: make(RESOURCES.rollouts, instanceSelector(o.instanceId)),
    analysisRuns: make(RESOURCES.analysisRuns),
    analysisTemplates: make(RESOURCES.analysisTemplates),
    clusterAnalysisTemplates: make(RESOURCES.clusterAnalysisTemplates),
    replicaSets: make(RESOURCES.replicaSets, 'rollouts-pod-template-hash'),
    services: make(RESOURCES.services),
    virtualServices: make(RESOURCES.virtualServices),
    destinationRules: make(RESOURCES.destinationRules),
    secrets: make(RESOURCES.secrets),
  };
  return { ...caches, all: () => Object.values(caches) };
}
