/**
 * The manifest set in force as objects, the way `kubectl apply` sees a cluster: each object is
 * identified by kind, namespace and name, and an apply creates or changes the objects of its
 * files and leaves every other one alone (kubectl's `apply.go`: objects not in the files are
 * deleted only with `--prune`). An object keeps the file it came from (diagnostics, `workingDir`)
 * and its own YAML text, so an edit (`set image`) or an apply re-reads only the objects it changes.
 *
 * Worked example: in force {Service/tbyte/frontend, Rollout/tbyte/frontend,
 * Deployment/tbyte/backend}; `apply -f backend.yaml` holding Deployment/tbyte/backend (new image)
 * and Service/tbyte/backend gives {Service/tbyte/frontend, Rollout/tbyte/frontend,
 * Deployment/tbyte/backend (configured), Service/tbyte/backend (created)}; with `prune` the
 * frontend's two objects are pruned.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { InvalidInputError } from '../errors.js';
import type { ManifestFile } from './load.js';

/** One object of a manifest set. */
export interface ManifestObject {
  kind: string;
  /** `default` when the manifest names none; empty for a cluster-scoped kind. */
  namespace: string;
  name: string;
  /** The file it was applied from. */
  path: string;
  /** 1-based line of that file where `text` starts. */
  line: number;
  /** Its YAML document as written, with the comments before it. */
  text: string;
  /** Found by walking a directory (see `ManifestFile.fromDirectory`). */
  fromDirectory?: boolean;
}

/** Kinds without a namespace, among those Baton reads or a manifest directory often holds. */
const CLUSTER_SCOPED = new Set(['ClusterAnalysisTemplate', 'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);

/** `Kind/namespace/name`, the identity of an object. */
export function objectKey(o: Pick<ManifestObject, 'kind' | 'namespace' | 'name'>): string {
  return `${o.kind}/${o.namespace}/${o.name}`;
}

/** `Kind/name` with ` -n namespace` when it has one, for messages. */
export function describeObject(o: Pick<ManifestObject, 'kind' | 'namespace' | 'name'>): string {
  return `${o.kind}/${o.name}${o.namespace ? ` (namespace ${o.namespace})` : ''}`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The objects of one file, in order. A document that is no object (empty, or without kind and
 * name) is left out; one that does not parse is kept under a key of its own, so that parsing the
 * set reports it.
 */
export function splitObjects(file: ManifestFile): ManifestObject[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(file.text, { lineCounter, merge: true });
  const list = Array.isArray(docs) ? docs : [];
  const out: ManifestObject[] = [];
  let start = 0;
  for (const doc of list) {
    const end = doc.range[2];
    const text = file.text.slice(start, end);
    const line = lineCounter.linePos(start).line;
    start = end;
    let kind: string | undefined;
    let name: string | undefined;
    let namespace: string | undefined;
    if (doc.errors.length === 0) {
      kind = str(doc.get('kind'));
      name = str(doc.getIn(['metadata', 'name']));
      namespace = str(doc.getIn(['metadata', 'namespace']));
      if (kind === undefined && name === undefined) continue;
    }
    const at = `${file.path}:${line}`;
    out.push({
      kind: kind ?? '?',
      // A List's items are kept together, keyed by where they were written.
      namespace: kind === 'List' || kind === undefined || name === undefined ? at : CLUSTER_SCOPED.has(kind) ? '' : (namespace ?? 'default'),
      name: kind === 'List' ? at : (name ?? at),
      path: file.path,
      line,
      text,
      ...(file.fromDirectory ? { fromDirectory: true } : {}),
    });
  }
  return out;
}

/** The object as a file the spec loader reads, its text starting on the line it had in its file. */
export function objectAsFile(o: ManifestObject): ManifestFile {
  const text = o.line > 1 ? '\n'.repeat(o.line - 1) + o.text : o.text;
  return { path: o.path, text, ...(o.fromDirectory ? { fromDirectory: true } : {}) };
}

/** What an apply does to the set in force. */
export interface ApplyPlan {
  /** The set after the apply: the set in force with the files' objects in place, new ones at the end. */
  objects: ManifestObject[];
  created: ManifestObject[];
  configured: ManifestObject[];
  unchanged: ManifestObject[];
  /** In force, not in the files, deleted (`prune`). */
  pruned: ManifestObject[];
  /** In force, not in the files, kept (no `prune`). */
  kept: ManifestObject[];
}

function sameObject(a: ManifestObject, b: ManifestObject): boolean {
  return a.text === b.text && a.path === b.path && a.line === b.line;
}

/**
 * The set after applying `applied` over `inForce`. An unchanged object keeps its in-force
 * instance (so what was parsed of it stays valid). `prune` with no object in the files is refused:
 * it would delete everything.
 */
export function planApply(inForce: readonly ManifestObject[], applied: readonly ManifestObject[], opts: { prune?: boolean } = {}): ApplyPlan {
  if (opts.prune && applied.length === 0) {
    throw new InvalidInputError('prune-empty', 'apply --prune with no object in the files would delete every object in force; refused (name the files that hold the set you want)');
  }
  const byKey = new Map<string, ManifestObject>();
  for (const o of applied) {
    const key = objectKey(o);
    if (byKey.has(key)) throw new InvalidInputError('duplicate-object', `${describeObject(o)} is given twice (${byKey.get(key)?.path}:${byKey.get(key)?.line} and ${o.path}:${o.line})`, { key });
    byKey.set(key, o);
  }
  const plan: ApplyPlan = { objects: [], created: [], configured: [], unchanged: [], pruned: [], kept: [] };
  const seen = new Set<string>();
  for (const old of inForce) {
    const key = objectKey(old);
    const next = byKey.get(key);
    if (next === undefined) {
      (opts.prune ? plan.pruned : plan.kept).push(old);
      if (!opts.prune) plan.objects.push(old);
      continue;
    }
    seen.add(key);
    if (sameObject(old, next)) {
      plan.unchanged.push(old);
      plan.objects.push(old);
    } else {
      plan.configured.push(next);
      plan.objects.push(next);
    }
  }
  for (const o of applied) {
    if (seen.has(objectKey(o))) continue;
    plan.created.push(o);
    plan.objects.push(o);
  }
  return plan;
}

/** True when the plan changes nothing. */
export function planIsEmpty(plan: ApplyPlan): boolean {
  return plan.created.length === 0 && plan.configured.length === 0 && plan.pruned.length === 0;
}
