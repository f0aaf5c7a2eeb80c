/**
 * Maps a field path inside a YAML document to the line and column it was written at, so every
 * diagnostic can point at the input (`rollout.yaml:14 spec.strategy.canary.steps[2]...`).
 *
 * The lookup walks the `yaml` package's node tree (not the plain JS value) because only nodes
 * carry source ranges. A path that does not exist (a missing required field) resolves to the
 * deepest node that does, so the diagnostic points at the parent that should hold it.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** One step of a field path: a map key or a sequence index. */
export type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

export interface Position {
  line: number;
  column: number;
}

/** `['spec', 'steps', 2, 'pause']` -> `spec.steps[2].pause`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

function startOf(node: { range?: readonly number[] | null } | null | undefined): number | undefined {
  return node?.range?.[0];
}

/**
 * Source offset of `path` in `doc`: the value when it is a scalar, the key when the value is a
 * collection (a block map's value starts on the next line, the key is what a person looks for),
 * the item itself for sequence entries.
 */
export function offsetOf(doc: Document, path: FieldPath): number | undefined {
  let node: unknown = doc.contents;
  let best = startOf(doc.contents);
  for (const seg of path) {
    if (typeof seg === 'number' && isSeq(node)) {
      const item: unknown = node.items[seg];
      if (item === undefined) return best;
      node = item;
      best = startOf(item) ?? best;
    } else if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) return best;
      const value = pair.value as Node | null;
      const keyStart = startOf(pair.key as Node | null);
      best = isScalar(value) ? (startOf(value) ?? keyStart ?? best) : (keyStart ?? best);
      node = value;
    } else {
      return best;
    }
  }
  return best;
}

/** Builds a `locate(path)` for one document. Lines and columns are 1-based. */
export function createLocator(doc: Document, lineCounter: LineCounter): (path: FieldPath) => Position {
  return (path) => {
    const offset = offsetOf(doc, path);
    if (offset === undefined) return { line: 0, column: 0 };
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}
