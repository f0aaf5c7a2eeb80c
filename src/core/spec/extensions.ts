/**
 * Baton's own kinds (`baton.dev/*`): each is validated by the module that gives it meaning, and
 * its references to Argo objects are checked here with the rest of the cross-references.
 */
import { parseSchemaMigration, type SchemaMigration } from '../migrate/manifest.js';
import type { Diagnostic } from './diagnostics.js';
import type { ManifestSet } from './types.js';

/** Validates every `baton.dev/*` document of `set`; returns the SchemaMigrations that are valid. */
export function checkExtensions(set: ManifestSet, out: Diagnostic[]): SchemaMigration[] {
  const migrations: SchemaMigration[] = [];
  for (const ext of set.extensions ?? []) {
    const where = { file: ext.source.file, line: ext.source.line, column: ext.source.column };
    if (ext.kind !== 'SchemaMigration') {
      out.push({ severity: 'warning', code: 'unknown-kind', ...where, path: 'kind', message: `${ext.kind} (${ext.apiVersion}) is not a kind Baton reads; it is ignored`, hint: 'Baton kinds: SchemaMigration' });
      continue;
    }
    const parsed = parseSchemaMigration(ext);
    out.push(...parsed.diagnostics);
    if (!parsed.manifest) continue;
    const ref = parsed.manifest.spec.rolloutRef;
    if (!set.rollouts.some((r) => r.metadata.name === ref)) {
      const names = set.rollouts.map((r) => r.metadata.name);
      out.push({
        severity: 'error',
        code: 'rollout-not-found',
        ...where,
        path: 'spec.rolloutRef',
        message: `no Rollout named "${ref}" in the given files`,
        hint: names.length ? `Rollouts: ${names.join(', ')}` : 'pass the Rollout manifest too',
      });
    }
    migrations.push(parsed.manifest);
  }
  return migrations;
}
