/**
 * Applied manifests as numbered generations, so the controller restarts from what was applied
 * last and `history` can show what changed when. A generation lists its objects (kind,
 * namespace, name, where from, and the digest of the text); each distinct text is stored once
 * in `manifest_texts`, so an edit of one object among large ones writes one small text and one
 * row per object, never the large texts again. Generations stored as whole files (by an older
 * Baton, or `applyManifests`) keep their `manifest_files` rows.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { InvalidInputError } from '../../../core/errors.js';
import type { AppliedManifests, ManifestFile, ManifestGeneration, StoredManifestObject } from '../../../ports/state-store.js';

interface ObjectRow {
  kind: string;
  namespace: string;
  name: string;
  path: string;
  line: number;
  from_directory: number;
  digest: string;
  text: string;
}

interface GenerationRow {
  generation: number;
  applied_at: number;
  actor: string;
  digest: string;
}

/** Prepared statements for manifests, made once per connection. */
export function prepareManifestStatements(db: Database.Database) {
  const latest = db.prepare<[], GenerationRow>('SELECT generation, applied_at, actor, digest FROM manifest_generations ORDER BY generation DESC LIMIT 1');
  const one = db.prepare<[number], GenerationRow>('SELECT generation, applied_at, actor, digest FROM manifest_generations WHERE generation = ?');
  const history = db.prepare<[], GenerationRow & { file_count: number }>(`
    SELECT g.generation, g.applied_at, g.actor, g.digest,
      (SELECT count(*) FROM manifest_files f WHERE f.generation = g.generation) + (SELECT count(*) FROM manifest_objects o WHERE o.generation = g.generation) AS file_count
    FROM manifest_generations g ORDER BY g.generation DESC`);
  const files = db.prepare<[number], ManifestFile>('SELECT path, text FROM manifest_files WHERE generation = ? ORDER BY ord');
  const insertGeneration = db.prepare('INSERT INTO manifest_generations (applied_at, actor, digest) VALUES (?, ?, ?)');
  const insertFile = db.prepare('INSERT INTO manifest_files (generation, ord, path, text) VALUES (?, ?, ?, ?)');
  const objects = db.prepare<[number], ObjectRow>(`
    SELECT o.kind, o.namespace, o.name, o.path, o.line, o.from_directory, o.digest, t.text
    FROM manifest_objects o JOIN manifest_texts t ON t.digest = o.digest WHERE o.generation = ? ORDER BY o.ord`);
  const hasText = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM manifest_texts WHERE digest = ?');
  const insertText = db.prepare('INSERT INTO manifest_texts (digest, text) VALUES (?, ?)');
  const insertObject = db.prepare('INSERT INTO manifest_objects (generation, ord, kind, namespace, name, path, line, from_directory, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');

  function objectsOf(generation: number): StoredManifestObject[] {
    return objects.all(generation).map((r) => ({ kind: r.kind, namespace: r.namespace, name: r.name, path: r.path, line: r.line, fromDirectory: r.from_directory === 1, digest: r.digest, text: r.text }));
  }

  function withFiles(row: GenerationRow): ManifestGeneration {
    const stored = files.all(row.generation);
    // A generation stored as objects: each object as a file of its own text.
    const asFiles = stored.length > 0 ? stored : objectsOf(row.generation).map((o) => ({ path: o.path, text: o.text }));
    return { generation: row.generation, appliedAt: row.applied_at, actor: row.actor, files: asFiles };
  }

  return {
    /** Returns the new generation, or the latest one when the files are the same as its files. */
    apply(input: { files: ManifestFile[]; actor: string; at: number }): number {
      input.files.forEach((f, i) => {
        if (typeof f?.path !== 'string' || typeof f.text !== 'string') {
          throw new InvalidInputError('invalid-manifest-file', `applyManifests: files[${i}] needs a string path and text`, { index: i });
        }
      });
      const hash = createHash('sha256');
      for (const f of input.files) hash.update(`${f.path.length}:${f.path}${f.text.length}:${f.text}`);
      const digest = hash.digest('hex');
      const last = latest.get();
      if (last?.digest === digest) return last.generation;
      const generation = Number(insertGeneration.run(input.at, input.actor, digest).lastInsertRowid);
      input.files.forEach((f, i) => insertFile.run(generation, i, f.path, f.text));
      return generation;
    },
    /** Writes the texts not stored yet (by digest) and a generation listing the objects. */
    applyObjects(input: { objects: StoredManifestObject[]; actor: string; at: number }): number {
      input.objects.forEach((o, i) => {
        if (typeof o?.text !== 'string' || !/^[0-9a-f]{64}$/.test(String(o.digest)) || typeof o.path !== 'string' || typeof o.kind !== 'string' || typeof o.name !== 'string') {
          throw new InvalidInputError('invalid-manifest-object', `applyManifestObjects: objects[${i}] needs kind, name, path, text and a sha256 hex digest`, { index: i });
        }
      });
      // The generation's digest covers identities and text digests, never the texts themselves.
      const hash = createHash('sha256').update('objects\n');
      for (const o of input.objects) hash.update(JSON.stringify([o.kind, o.namespace, o.name, o.path, o.line, o.fromDirectory, o.digest]) + '\n');
      const digest = hash.digest('hex');
      const last = latest.get();
      if (last?.digest === digest) return last.generation;
      const generation = Number(insertGeneration.run(input.at, input.actor, digest).lastInsertRowid);
      input.objects.forEach((o, i) => {
        if (!hasText.get(o.digest)) insertText.run(o.digest, o.text);
        insertObject.run(generation, i, o.kind, o.namespace, o.name, o.path, o.line, o.fromDirectory ? 1 : 0, o.digest);
      });
      return generation;
    },
    objects(): { generation: number; objects: StoredManifestObject[] } | undefined {
      const last = latest.get();
      if (!last) return undefined;
      const list = objectsOf(last.generation);
      // Stored as files (an older Baton): the caller splits those.
      if (list.length === 0 && files.all(last.generation).length > 0) return undefined;
      return { generation: last.generation, objects: list };
    },
    applied(): AppliedManifests {
      const last = latest.get();
      const out: AppliedManifests = {
        history: history.all().map((r) => ({ generation: r.generation, appliedAt: r.applied_at, actor: r.actor, fileCount: r.file_count })),
      };
      if (last) out.latest = withFiles(last);
      return out;
    },
    generation(n: number): ManifestGeneration | undefined {
      const row = one.get(n);
      return row ? withFiles(row) : undefined;
    },
  };
}
