/**
 * Which SchemaMigrations belong to a rollout, and everything a run of the migration runner
 * needs for one of them: the migrations read from disk (relative to the manifest), the
 * database URL (from its env var or file), the timeouts, and, for an embedded database, the
 * session opener of embedded-databases.ts.
 */
import { databaseUrlOf, migrationsDirOf, readMigrations, type MigrateOptions } from '../adapters/migrate/index.js';
import { parseSchemaMigration, SCHEMA_MIGRATION_KIND, type SchemaMigration } from '../core/migrate/manifest.js';
import type { ManifestSet } from '../core/spec/types.js';
import type { SessionPool } from './embedded-databases.js';

/** The valid SchemaMigrations of `set`, in file order. */
export function schemaMigrationsIn(set: ManifestSet): SchemaMigration[] {
  const out: SchemaMigration[] = [];
  for (const ext of set.extensions ?? []) {
    if (ext.kind !== SCHEMA_MIGRATION_KIND) continue;
    // Loading the set already reported every problem; an invalid one is simply not ours to run.
    const { manifest } = parseSchemaMigration(ext);
    if (manifest) out.push(manifest);
  }
  return out;
}

/** The valid SchemaMigrations of `set` whose `rolloutRef` is `rollout`, in file order. */
export function schemaMigrationsFor(set: ManifestSet, rollout: string): SchemaMigration[] {
  return schemaMigrationsIn(set).filter((m) => m.spec.rolloutRef === rollout);
}

/** Names the SchemaMigration in events and messages: `namespace/name` or `name`. */
export function schemaMigrationName(m: SchemaMigration): string {
  return m.metadata.namespace ? `${m.metadata.namespace}/${m.metadata.name}` : m.metadata.name;
}

/**
 * The audit table's `revision` for steps run for a rollout revision: `<rollout>@<hash> (revision N)`.
 * After a restart the controller finds the revision an expand went out with by this prefix.
 */
export function revisionTag(rollout: string, revision: { hash: string; revision: number }): string {
  return `${rollout}@${revision.hash} (revision ${revision.revision})`;
}

/** True when an audit `revision` was written by {@link revisionTag} for this rollout and hash. */
export function isTagOf(tag: string | null, rollout: string, hash: string): boolean {
  return tag !== null && tag.startsWith(`${rollout}@${hash} `);
}

/** Runner options for one SchemaMigration; bad input (a missing env var or directory) throws an InvalidInputError naming it. */
export async function runnerOptionsFor(m: SchemaMigration, pool: SessionPool, env: NodeJS.ProcessEnv = process.env): Promise<MigrateOptions> {
  const databaseUrl = await databaseUrlOf(m, env);
  const opener = pool.openerFor(databaseUrl);
  return {
    databaseUrl,
    ...(opener ? { openSession: opener } : {}),
    migrations: await readMigrations(migrationsDirOf(m)),
    lockTimeoutMs: m.spec.lockTimeoutMs,
    statementTimeoutMs: m.spec.statementTimeoutMs,
    maxLockRetries: m.spec.maxLockRetries,
  };
}
