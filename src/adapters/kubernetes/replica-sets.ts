/**
 * The Workloads port on a cluster: each revision of a Rollout is a ReplicaSet
 * `<rollout>-<pod-template-hash>` as Argo Rollouts makes it (`rollout/replicaset.go`
 * `createDesiredReplicaSet`): the template's labels plus `rollouts-pod-template-hash`, the same
 * label added to the selector, the `rollout.argoproj.io/revision` and
 * `rollout.argoproj.io/desired-replicas` annotations, and a controller owner reference to the
 * Rollout (so deleting the Rollout lets the garbage collector take its ReplicaSets). The
 * ReplicaSet controller makes the pods; `observe` reads its status from the informer cache.
 */
import type { ObservedRevision } from '../../core/rollout/index.js';
import type { PodTemplateSpec } from '../../core/spec/types.js';
import type { RevisionWorkload, Workloads } from '../../ports/workloads.js';
import { HASH_LABEL, REVISION_ANNOTATION } from './analysis-run-object.js';
import { isAlreadyExists, isNotFound, type KubeClient } from './client.js';
import type { Informer } from './informer.js';
import { controllerRef, isControlledBy, RESOURCES, type KubeObject } from './resources.js';

export const DESIRED_REPLICAS_ANNOTATION = 'rollout.argoproj.io/desired-replicas';
/**
 * The template as the Rollout wrote it (JSON), kept on the ReplicaSet: the ReplicaSet's own
 * template carries the API server's defaults, so `undo` copies this one back, and the template
 * hashes as the revision it was.
 */
export const TEMPLATE_ANNOTATION = 'rollouts.baton.dev/template';

export interface ReplicaSetWorkloadsOptions {
  client: KubeClient;
  namespace: string;
  replicaSets: Informer;
  /** The owning Rollout object as cached now. */
  owner: (name: string) => KubeObject | undefined;
  /**
   * The pod template as the Rollout's object wrote it, when `hash` is its current template's:
   * a ReplicaSet gets every field of it, also the ones the engine does not model (resources,
   * volumes, affinity).
   */
  rawTemplate: (owner: string, hash: string) => Record<string, unknown> | undefined;
}

interface ReplicaSetObject extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}

/** A template the engine holds, back in Kubernetes' shape (only when the Rollout's own is not at hand). */
function templateObject(t: PodTemplateSpec): Record<string, unknown> {
  const containers = t.spec.containers.map((c) => {
    const out: Record<string, unknown> = { name: c.name, image: c.image };
    if (c.command.length) out.command = c.command;
    if (c.args.length) out.args = c.args;
    if (c.env.length) out.env = c.env;
    if (c.workingDir !== undefined) out.workingDir = c.workingDir;
    if (c.ports.length) out.ports = c.ports;
    for (const k of ['readinessProbe', 'livenessProbe', 'startupProbe', 'lifecycle'] as const) if (c[k]) out[k] = c[k];
    return out;
  });
  return {
    metadata: { labels: t.metadata.labels, annotations: t.metadata.annotations },
    spec: { ...t.spec.raw, containers, terminationGracePeriodSeconds: t.spec.terminationGracePeriodSeconds },
  };
}

/** The ReplicaSet name of a revision. */
export function replicaSetName(owner: string, hash: string): string {
  return `${owner}-${hash}`;
}

/** See the file comment. */
export function createReplicaSetWorkloads(o: ReplicaSetWorkloadsOptions): Workloads {
  const owned = (owner: string): ReplicaSetObject[] => {
    const uid = o.owner(owner)?.metadata.uid;
    return o.replicaSets.list(o.namespace).filter((rs) => isControlledBy(rs, uid));
  };

  const create = async (w: RevisionWorkload, replicas: number): Promise<void> => {
    const rollout = o.owner(w.owner);
    if (!rollout) throw new Error(`Rollout ${o.namespace}/${w.owner} is not in the cache`);
    const spec = (rollout.spec ?? {}) as { selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] }; replicas?: number };
    const written = o.rawTemplate(w.owner, w.hash) ?? templateObject(w.template);
    const template = structuredClone(written) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };
    const labels = { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: w.hash };
    template.metadata = { ...template.metadata, labels };
    const body = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: replicaSetName(w.owner, w.hash),
        namespace: o.namespace,
        labels,
        annotations: { [REVISION_ANNOTATION]: String(w.revision), [DESIRED_REPLICAS_ANNOTATION]: String(spec.replicas ?? 1), [TEMPLATE_ANNOTATION]: JSON.stringify(written) },
        ownerReferences: [controllerRef(rollout, 'argoproj.io/v1alpha1', 'Rollout')],
      },
      spec: {
        replicas,
        minReadySeconds: w.minReadySeconds ?? 0,
        selector: { ...(spec.selector ?? {}), matchLabels: { ...(spec.selector?.matchLabels ?? {}), [HASH_LABEL]: w.hash } },
        template,
      },
    };
    try {
      o.replicaSets.remember(await o.client.create(RESOURCES.replicaSets, o.namespace, body));
    } catch (e) {
      // Made by an earlier controller (a restart, another leader): scale the one there is.
      if (!isAlreadyExists(e)) throw e;
      const existing = await o.client.get(RESOURCES.replicaSets, o.namespace, body.metadata.name);
      o.replicaSets.remember(existing);
      await patchScale(existing, w, replicas);
    }
  };

  const patchScale = async (rs: ReplicaSetObject, w: RevisionWorkload, replicas: number): Promise<void> => {
    const desired = String((o.owner(w.owner)?.spec as { replicas?: number } | undefined)?.replicas ?? 1);
    const ann = rs.metadata.annotations ?? {};
    const annotations: Record<string, string> = {};
    if (ann[REVISION_ANNOTATION] !== String(w.revision)) annotations[REVISION_ANNOTATION] = String(w.revision);
    if (ann[DESIRED_REPLICAS_ANNOTATION] !== desired) annotations[DESIRED_REPLICAS_ANNOTATION] = desired;
    if (rs.spec?.replicas === replicas && Object.keys(annotations).length === 0) return;
    const patch = { ...(Object.keys(annotations).length ? { metadata: { annotations } } : {}), spec: { replicas } };
    o.replicaSets.remember(await o.client.patch(RESOURCES.replicaSets, o.namespace, rs.metadata.name, patch, 'merge'));
  };

  return {
    async scale(w, replicas) {
      const rs = o.replicaSets.get(o.namespace, replicaSetName(w.owner, w.hash));
      if (rs && !rs.metadata.deletionTimestamp) await patchScale(rs, w, replicas);
      else if (replicas > 0 || !rs) await create(w, replicas);
    },
    async remove(owner, hash) {
      const name = replicaSetName(owner, hash);
      try {
        await o.client.delete(RESOURCES.replicaSets, o.namespace, name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      o.replicaSets.forget(o.namespace, name);
    },
    observe(owner): ObservedRevision[] {
      return owned(owner)
        .filter((rs) => rs.metadata.labels?.[HASH_LABEL])
        .map((rs) => ({
          hash: rs.metadata.labels?.[HASH_LABEL] ?? '',
          replicas: rs.status?.replicas ?? 0,
          readyReplicas: rs.status?.readyReplicas ?? 0,
          availableReplicas: rs.status?.availableReplicas ?? 0,
        }));
    },
  };
}
