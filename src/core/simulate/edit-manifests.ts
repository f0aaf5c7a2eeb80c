/**
 * A scenario's `edit` action applied to the manifest files as written, as `kubectl edit` or an
 * `apply` of a changed file would: the field paths are set in the YAML of the one manifest named,
 * and the files are read again, so the edited set goes through the same checks as the original.
 */
import { isMap, parseAllDocuments, type Document } from 'yaml';
import type { ManifestFile } from '../spec/load.js';
import { splitFieldPath, type ScenarioEdit } from './scenario-actions.js';

/** The files with `edit` made, or why it cannot be made. `rollout` names the default Rollout. */
export function applyEdit(files: readonly ManifestFile[], edit: ScenarioEdit, rollout: string): { files: ManifestFile[] } | { error: string } {
  const touchesTemplate = edit.set.find((s) => edit.kind === 'Rollout' && /^spec\.template(\.|\[|$)/.test(s.path));
  if (touchesTemplate) return { error: `${touchesTemplate.path}: change the pod template with do: update (image, env, args), not edit` };
  const name = edit.name ?? (edit.kind === 'Rollout' ? rollout : undefined);
  const found: { file: number; index: number }[] = [];
  const parsed = files.map((f) => parseAllDocuments(f.text));
  parsed.forEach((docs, file) => {
    if (!Array.isArray(docs)) return;
    docs.forEach((doc, index) => {
      const root = doc.contents;
      if (!isMap(root) || doc.get('kind') !== edit.kind) return;
      const docName: unknown = doc.getIn(['metadata', 'name']);
      if (name === undefined || docName === name) found.push({ file, index });
    });
  });
  const what = name === undefined ? `a ${edit.kind}` : `${edit.kind} "${name}"`;
  if (found.length === 0) return { error: `no ${what} in the files to edit` };
  if (found.length > 1) return { error: `${found.length} manifests match ${what}: name one with name:` };
  const { file, index } = found[0] as { file: number; index: number };
  const docs = parsed[file];
  const doc = Array.isArray(docs) ? docs[index] : undefined;
  if (!doc) return { error: `no ${what} in the files to edit` };
  for (const { path, value } of edit.set) doc.setIn(splitFieldPath(path), doc.createNode(value));
  const text = (docs as Document[]).map((d) => d.toString()).join('');
  return { files: files.map((f, i) => (i === file ? { ...f, text } : f)) };
}
