/**
 * Reads a `SchemaMigration` manifest from a YAML file (the first document of that kind) and
 * resolves what it points at: the migrations directory (relative to the manifest) and the
 * database URL (from an environment variable or a file, never from the manifest itself).
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isNode, parseAllDocuments } from 'yaml';
import { InvalidInputError } from '../../core/errors.js';
import { formatDiagnostic } from '../../core/spec/diagnostics.js';
import { parseSchemaMigration, SCHEMA_MIGRATION_KIND, type SchemaMigration } from '../../core/migrate/manifest.js';

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The manifest in `file`; bad YAML or a bad field is an `InvalidInputError` naming `file:line`. */
export async function readSchemaMigration(file: string): Promise<SchemaMigration> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InvalidInputError('manifest-unreadable', `${file}: cannot read the file`, { file });
  }
  const docs = parseAllDocuments(text);
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const line = err?.linePos?.[0]?.line ?? 0;
      throw new InvalidInputError('invalid-yaml', `${file}:${line}: ${err?.message ?? 'invalid YAML'}`, { file, line });
    }
    const raw: unknown = doc.toJS();
    if (typeof raw !== 'object' || raw === null || (raw as { kind?: unknown }).kind !== SCHEMA_MIGRATION_KIND) continue;
    const start = doc.contents?.range?.[0] ?? 0;
    const line = lineOf(text, start);
    const r = raw as Record<string, unknown>;
    const { manifest, diagnostics } = parseSchemaMigration({ apiVersion: r.apiVersion, kind: r.kind, metadata: r.metadata, spec: r.spec, source: { file, line, column: 1 } });
    if (!manifest) {
      // Point each problem at its field's own line, not the document's first.
      const located = diagnostics.map((d) => {
        const node: unknown = doc.getIn(d.path.split('.'), true);
        const at = isNode(node) && node.range ? lineOf(text, node.range[0]) : undefined;
        return at ? { ...d, line: at } : d;
      });
      throw new InvalidInputError('invalid-manifest', located.map(formatDiagnostic).join('\n'), { diagnostics: located });
    }
    return manifest;
  }
  throw new InvalidInputError('manifest-kind-missing', `${file}: no ${SCHEMA_MIGRATION_KIND} document`, { file });
}

/** The migrations directory, absolute. */
export function migrationsDirOf(m: SchemaMigration): string {
  return isAbsolute(m.spec.migrationsDir) ? m.spec.migrationsDir : resolve(dirname(m.source.file), m.spec.migrationsDir);
}

/** The database URL from the environment variable or the file the manifest names. */
export async function databaseUrlOf(m: SchemaMigration, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const src = m.spec.databaseUrl;
  if ('env' in src) {
    const v = env[src.env];
    if (!v) throw new InvalidInputError('database-url-missing', `${m.source.file}: spec.databaseUrl.env: environment variable ${src.env} is not set`, { env: src.env });
    return v;
  }
  const path = isAbsolute(src.file) ? src.file : resolve(dirname(m.source.file), src.file);
  try {
    const v = (await readFile(path, 'utf8')).trim();
    if (v) return v;
  } catch {
    // reported below
  }
  throw new InvalidInputError('database-url-missing', `${m.source.file}: spec.databaseUrl.file: ${path} is missing or empty`, { file: path });
}
