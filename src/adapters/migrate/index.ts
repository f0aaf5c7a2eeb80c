/**
 * Schema migrations on PostgreSQL: what the engine and the CLI call. The engine's hook is
 * `runExpand` (before the new revision's first process) and `runContract` (with the guard
 * input: promotion time, bake time, old-revision processes, abort).
 */
export { readMigrations, checksumOf } from './migration-dir.js';
export { parseSqlFile, loadSqlParser } from './sql-parser.js';
export { lintMigrations, type MigrationLint } from './lint-migrations.js';
export { readSchemaMigration, migrationsDirOf, databaseUrlOf } from './load-manifest.js';
export { runExpand, runContract, runRollback, readStatus, type MigrateOptions, type ExpandOutcome, type ContractOutcome, type AppliedStep, type RunnerEvent } from './runner.js';
export { AUDIT_TABLE } from './audit-table.js';
export { MIGRATION_LOCK_KEY } from './advisory-lock.js';
export { openSession, quoteIdent, isPgliteUrl, type SqlSession, type SessionResult } from './session.js';
export { pgliteSession, openPglite, type OpenPglite } from './pglite-session.js';
export { servePglite, type ServedPglite, type ServePgliteOptions } from './pglite-server.js';
