/**
 * Edits of an applied manifest set in place, as `kubectl set image`, `kubectl rollout restart`
 * and `kubectl argo rollouts undo` edit the live object: the YAML of the one document is changed
 * through the `yaml` document model, so the rest of each file (comments, order, other
 * documents) stays as the user wrote it. The result is applied as a new manifest generation.
 */
import { isScalar, parseAllDocuments, type Document } from 'yaml';
import { InvalidInputError } from '../errors.js';
import type { ManifestFile } from './load.js';
import type { PodTemplateSpec } from './types.js';

/** The workload a CLI verb names. */
export interface WorkloadRef {
  kind: 'Rollout' | 'Deployment';
  name: string;
}

/**
 * Applies `edit` to the document of `ref` and returns the files with that one changed.
 * Throws `workload-not-found` when no document defines it.
 */
export function editWorkload(files: readonly ManifestFile[], ref: WorkloadRef, edit: (doc: Document) => void): ManifestFile[] {
  let found = false;
  const out = files.map((f) => {
    if (found) return f;
    const docs = parseAllDocuments(f.text);
    if (!Array.isArray(docs)) return f;
    const doc = docs.find((d) => d.get('kind') === ref.kind && d.getIn(['metadata', 'name']) === ref.name);
    if (!doc) return f;
    found = true;
    edit(doc);
    return { ...f, text: docs.map((d) => d.toString({ indentSeq: false, flowCollectionPadding: false })).join('') };
  });
  if (!found) throw new InvalidInputError('workload-not-found', `no ${ref.kind} named "${ref.name}" in the applied manifests`, { ...ref });
  return out;
}

/**
 * `set image`: container name -> image, on the pod template's containers. An image written in
 * the file is replaced in place (the file is otherwise byte for byte the same); a container
 * without an `image` key gets one.
 */
export function setImages(files: readonly ManifestFile[], ref: WorkloadRef, images: Record<string, string>): ManifestFile[] {
  const edits: { start: number; end: number; text: string }[] = [];
  let fileIndex = -1;
  const out = editWorkload(files, ref, (doc) => {
    fileIndex = files.findIndex((f) => parseAllDocuments(f.text).some((d) => d === doc || (d.get('kind') === ref.kind && d.getIn(['metadata', 'name']) === ref.name)));
    const containers = doc.getIn(['spec', 'template', 'spec', 'containers']) as { items: { get(k: string, keepScalar?: boolean): unknown }[] } | undefined;
    const names = (containers?.items ?? []).map((c) => String(c.get('name')));
    for (const [container, image] of Object.entries(images)) {
      const i = names.indexOf(container);
      if (i < 0) {
        throw new InvalidInputError('container-not-found', `${ref.kind} "${ref.name}" has no container "${container}" (containers: ${names.join(', ') || 'none'})`, { ...ref, container });
      }
      const node = doc.getIn(['spec', 'template', 'spec', 'containers', i, 'image'], true);
      if (isScalar(node) && node.range) edits.push({ start: node.range[0], end: node.range[1], text: /^[\w./:@-]+$/.test(image) ? image : JSON.stringify(image) });
      doc.setIn(['spec', 'template', 'spec', 'containers', i, 'image'], image);
    }
  });
  const file = files[fileIndex];
  if (!file || edits.length !== Object.keys(images).length) return out;
  let text = file.text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return files.map((f, i) => (i === fileIndex ? { ...f, text } : f));
}

/** `restart` of a Deployment: the annotation `kubectl rollout restart` sets, so a new revision rolls out. */
export function setRestartedAt(files: readonly ManifestFile[], ref: WorkloadRef, isoTime: string): ManifestFile[] {
  return editWorkload(files, ref, (doc) => {
    doc.setIn(['spec', 'template', 'metadata', 'annotations', 'kubectl.kubernetes.io/restartedAt'], isoTime);
  });
}

/**
 * `undo`: the pod template of an earlier revision becomes the spec's template again. The typed
 * template is written back in manifest form (pod-spec fields Baton does not model are kept in
 * `spec.raw` and go back beside the containers), so it parses to the same template and hash.
 */
export function setTemplate(files: readonly ManifestFile[], ref: WorkloadRef, template: PodTemplateSpec): ManifestFile[] {
  const { raw, ...spec } = template.spec;
  const written = JSON.parse(JSON.stringify({ metadata: template.metadata, spec: { ...raw, ...spec } })) as unknown;
  return editWorkload(files, ref, (doc) => {
    doc.setIn(['spec', 'template'], doc.createNode(written));
  });
}
