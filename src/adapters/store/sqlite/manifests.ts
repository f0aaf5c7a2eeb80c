/**
 * Applied manifests as numbered generations: each `baton apply` that changes anything stores
 * the whole file set, so the controller restarts from what was applied last and `history` can
 * show what changed when.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { InvalidInputError } from '../../../core/errors.js';
import type { AppliedManifests, ManifestFile, ManifestGeneration } from '../../../ports/state-store.js';

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
    SELECT g.generation, g.applied_at, g.actor, g.digest, (SELECT count(*) FROM manifest_files f WHERE f.generation = g.generation) AS file_count
    FROM manifest_generations g ORDER BY g.generation DESC`);
  const files = db.prepare<[number], ManifestFile>('SELECT path, text FROM manifest_files WHERE generation = ? ORDER BY ord');
  const insertGeneration = db.prepare('INSERT INTO manifest_generations (applied_at, actor, digest) VALUES (?, ?, ?)');
  const insertFile = db.prepare('INSERT INTO manifest_files (generation, ord, path, text) VALUES (?, ?, ?, ?)');

  function withFiles(row: GenerationRow): ManifestGeneration {
    return { generation: row.generation, appliedAt: row.applied_at, actor: row.actor, files: files.all(row.generation) };
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
