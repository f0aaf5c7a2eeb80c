/**
 * The API resources Baton reads and writes, and the REST paths of their objects
 * (`/api/v1/namespaces/ns/services/x`, `/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts/x/status`).
 */

/** One kind of object on the API server. */
export interface ResourceType {
  /** "" for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const argo = (plural: string, kind: string, namespaced = true): ResourceType => ({ group: 'argoproj.io', version: 'v1alpha1', plural, kind, namespaced });
const istio = (plural: string, kind: string): ResourceType => ({ group: 'networking.istio.io', version: 'v1beta1', plural, kind, namespaced: true });

export const RESOURCES = {
  rollouts: argo('rollouts', 'Rollout'),
  analysisRuns: argo('analysisruns', 'AnalysisRun'),
  analysisTemplates: argo('analysistemplates', 'AnalysisTemplate'),
  clusterAnalysisTemplates: argo('clusteranalysistemplates', 'ClusterAnalysisTemplate', false),
  replicaSets: { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  services: { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  secrets: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  events: { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  virtualServices: istio('virtualservices', 'VirtualService'),
  destinationRules: istio('destinationrules', 'DestinationRule'),
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
} as const satisfies Record<string, ResourceType>;

/** `apiVersion` as objects of `rt` carry it: `v1`, `apps/v1`. */
export function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/**
 * The path of a collection (no name) or of one object, optionally a subresource. A namespaced
 * type without a namespace is the all-namespaces collection.
 */
export function resourcePath(rt: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const prefix = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const ns = rt.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name !== undefined ? `/${encodeURIComponent(name)}` : '';
  const sub = name !== undefined && subresource ? `/${subresource}` : '';
  return `${prefix}${ns}/${rt.plural}${obj}${sub}`;
}

/** The metadata every object has, as the API returns it. */
export interface KubeObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any object: typed by what the caller reads of it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeObjectMeta;
  [field: string]: unknown;
}

/** `namespace/name` (or `name` for a cluster-scoped object): the key of caches and queues. */
export function objectKey(o: { metadata: { name: string; namespace?: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** The owner reference a controller sets on what it creates (`controller: true`). */
export function controllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** True when `o` is controlled by the object with `uid`. */
export function isControlledBy(o: KubeObject, uid: string | undefined): boolean {
  return uid !== undefined && (o.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === uid);
}
