/**
 * The manifest set in force of a controller, as objects (src/core/spec/objects.ts), with what is
 * costly to recompute kept per object: its text's digest (for the store) and its parsed form
 * (the spec loader's cache). An edit or an apply that changes one object parses and hashes that
 * object only, however large the others are; the checks between manifests still run on the
 * whole set, from the cached parse.
 */
import { createHash } from 'node:crypto';
import { formatDiagnostic, type Diagnostic } from '../core/spec/diagnostics.js';
import { InvalidInputError } from '../core/errors.js';
import { createParseCache, parseManifests, type ManifestFile } from '../core/spec/load.js';
import { objectAsFile, planApply, planIsEmpty, splitObjects, type ManifestObject } from '../core/spec/objects.js';
import type { ManifestSet } from '../core/spec/types.js';
import type { ManifestObjectRef } from '../api/types.js';
import type { StoredManifestObject } from '../ports/state-store.js';

/** A parsed manifest set: the typed set and the loader's diagnostics. */
export interface ParsedObjects {
  set: ManifestSet;
  diagnostics: Diagnostic[];
}

/** Objects and their cached digests and parses; the list itself is the caller's. */
export class ManifestObjects {
  private readonly digests = new WeakMap<ManifestObject, string>();
  private readonly files = new WeakMap<ManifestObject, ManifestFile>();
  private readonly cache = createParseCache();

  /** The objects of stored rows, their digests known without hashing. */
  fromStored(rows: readonly StoredManifestObject[]): ManifestObject[] {
    return rows.map((r) => {
      const o: ManifestObject = { kind: r.kind, namespace: r.namespace, name: r.name, path: r.path, line: r.line, text: r.text, ...(r.fromDirectory ? { fromDirectory: true } : {}) };
      this.digests.set(o, r.digest);
      return o;
    });
  }

  /** The objects of files, in file order. */
  split(files: readonly ManifestFile[]): ManifestObject[] {
    return files.flatMap((f) => splitObjects(f));
  }

  /** Parses the set (each object's YAML at most once while the object lives). */
  parse(objects: readonly ManifestObject[]): ParsedObjects {
    return parseManifests(objects.map((o) => this.fileOf(o)), {}, this.cache);
  }

  /** Parses the set; errors are an `invalid-manifests` error listing every one. */
  parseOrThrow(objects: readonly ManifestObject[]): ParsedObjects {
    const parsed = this.parse(objects);
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      throw new InvalidInputError('invalid-manifests', `the manifests have ${errors.length} error(s):\n${errors.map(formatDiagnostic).join('\n')}`, { count: errors.length });
    }
    return parsed;
  }

  /** The objects as the store keeps them (a digest computed once per object). */
  stored(objects: readonly ManifestObject[]): StoredManifestObject[] {
    return objects.map((o) => ({ kind: o.kind, namespace: o.namespace, name: o.name, path: o.path, line: o.line, fromDirectory: o.fromDirectory === true, text: o.text, digest: this.digestOf(o) }));
  }

  private digestOf(o: ManifestObject): string {
    let d = this.digests.get(o);
    if (d === undefined) {
      d = createHash('sha256').update(o.text).digest('hex');
      this.digests.set(o, d);
    }
    return d;
  }

  private fileOf(o: ManifestObject): ManifestFile {
    let f = this.files.get(o);
    if (f === undefined) {
      f = objectAsFile(o);
      this.files.set(o, f);
    }
    return f;
  }
}

/** The API's view of an object. */
export function objectRef(o: ManifestObject): ManifestObjectRef {
  return { kind: o.kind, namespace: o.namespace, name: o.name, path: o.path };
}

/** One line per object: `Kind/name (namespace ns) from path:line`. */
export function listObjects(list: readonly ManifestObject[]): string {
  return list.map((o) => `${o.kind}/${o.name}${o.namespace ? ` (namespace ${o.namespace})` : ''} from ${o.path}:${o.line}`).join(', ');
}

/** The set a starting controller runs, and what it has to say about the files it was given. */
export interface StartingSet {
  objects: ManifestObject[];
  /** Lines for the user: the files differ from the set in force, and what was done about it. */
  notice: string[];
}

/**
 * What `baton up` starts with. Without files: the set in force. With files over a state dir that
 * has a set in force: that set, unchanged, when the files differ from it (an edit such as `set
 * image` made since is never rolled back by a restart), and the notice names each object that
 * differs; with `applyFiles`, the files applied over it as `baton apply -f` does.
 */
export function startingSet(manifests: ManifestObjects, inForce: ManifestObject[] | undefined, files: readonly ManifestFile[] | undefined, applyFiles: boolean, stateDir: string): StartingSet {
  if (!files) {
    if (!inForce) throw new InvalidInputError('no-manifests', `nothing to run: ${stateDir} holds no applied manifests; pass -f <file|dir>`, { stateDir });
    return { objects: inForce, notice: [] };
  }
  const fromFiles = manifests.split(files);
  if (!inForce) return { objects: fromFiles, notice: [] };
  const plan = planApply(inForce, fromFiles);
  if (planIsEmpty(plan) && plan.kept.length === 0) return { objects: inForce, notice: [] };
  const lines = [
    ...(plan.configured.length ? [`  differ from the set in force: ${listObjects(plan.configured)}`] : []),
    ...(plan.created.length ? [`  not in the set in force: ${listObjects(plan.created)}`] : []),
    ...(plan.kept.length ? [`  in force but not in the files (kept either way; \`baton apply --prune\` deletes): ${listObjects(plan.kept)}`] : []),
  ];
  if (applyFiles) return { objects: plan.objects, notice: ['the files were applied over the set in force (--apply-files):', ...lines] };
  return {
    objects: inForce,
    notice: [
      `the files given with -f differ from the set in force in ${stateDir}; running the set in force unchanged (edits such as \`baton set image\` since the files were applied are kept):`,
      ...lines,
      '  to apply the files: `baton apply -f <files>` while it runs, or `baton up -f <files> --apply-files`; to run the set in force: `baton up` without -f',
    ],
  };
}
