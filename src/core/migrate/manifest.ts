/**
 * The `baton.dev/v1alpha1` `SchemaMigration` kind: binds a migrations directory to the Rollout
 * whose releases it goes out with.
 *
 * ```yaml
 * apiVersion: baton.dev/v1alpha1
 * kind: SchemaMigration
 * metadata: { name: users-db }
 * spec:
 *   databaseUrl: { env: DATABASE_URL }   # or { file: ./secrets/db-url }
 *   rolloutRef: { name: backend }
 *   migrationsDir: ./migrations          # relative to this manifest
 *   lockTimeout: 5s
 *   statementTimeout: 5m
 *   bakeTime: 10m
 *   maxLockRetries: 5
 * ```
 */
import type { Diagnostic } from '../spec/diagnostics.js';
import { parseDurationOrSeconds } from '../spec/duration.js';
import type { SourceLocation } from '../spec/types.js';

export const SCHEMA_MIGRATION_API_VERSION = 'baton.dev/v1alpha1';
export const SCHEMA_MIGRATION_KIND = 'SchemaMigration';

/** Where the database URL comes from: never the manifest itself, which is checked in. */
export type DatabaseUrlSource = { env: string } | { file: string };

export interface SchemaMigrationSpec {
  databaseUrl: DatabaseUrlSource;
  /** Name of the Rollout in the same namespace. */
  rolloutRef: string;
  /** As written: relative to the manifest's directory unless absolute. */
  migrationsDir: string;
  /** `lock_timeout` for every statement: how long DDL may queue behind other sessions. */
  lockTimeoutMs: number;
  /** `statement_timeout` for every statement; 0 means none. */
  statementTimeoutMs: number;
  /** How long after promotion the contract waits, so a rollback stays possible meanwhile. */
  bakeTimeMs: number;
  /** How many times a statement that hit `lock_timeout` is retried (with back-off). */
  maxLockRetries: number;
}

export interface SchemaMigration {
  apiVersion: string;
  kind: 'SchemaMigration';
  metadata: { name: string; namespace?: string };
  spec: SchemaMigrationSpec;
  source: SourceLocation;
}

/** The raw document, as the YAML loader hands it over. */
export interface RawManifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: unknown;
  spec?: unknown;
  source: SourceLocation;
}

export const SCHEMA_MIGRATION_DEFAULTS = {
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 300_000,
  bakeTimeMs: 600_000,
  maxLockRetries: 5,
} as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a raw `SchemaMigration` document and applies defaults. Every problem becomes a
 * diagnostic naming the field; the manifest is returned only when there are none.
 */
export function parseSchemaMigration(raw: RawManifest): { manifest?: SchemaMigration; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const at = (path: string, code: string, message: string, hint?: string): void => {
    diagnostics.push({ severity: 'error', code, file: raw.source.file, line: raw.source.line, column: raw.source.column, path, message, ...(hint ? { hint } : {}) });
  };
  if (raw.apiVersion !== SCHEMA_MIGRATION_API_VERSION) {
    at('apiVersion', 'invalid-api-version', `${JSON.stringify(raw.apiVersion ?? null)} is not ${SCHEMA_MIGRATION_API_VERSION}`);
  }
  if (raw.kind !== SCHEMA_MIGRATION_KIND) at('kind', 'unknown-kind', `${JSON.stringify(raw.kind ?? null)} is not ${SCHEMA_MIGRATION_KIND}`);
  const meta = isObject(raw.metadata) ? raw.metadata : {};
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : undefined;
  if (!name) at('metadata.name', 'missing-field', 'is required');
  const spec = isObject(raw.spec) ? raw.spec : undefined;
  if (!spec) {
    at('spec', 'missing-field', 'is required');
    return { diagnostics };
  }

  let databaseUrl: DatabaseUrlSource | undefined;
  const db = spec.databaseUrl;
  if (!isObject(db)) {
    at('spec.databaseUrl', 'missing-field', 'is required', 'use { env: DATABASE_URL } or { file: path }');
  } else if (typeof db.env === 'string' && db.env !== '' && db.file === undefined) {
    databaseUrl = { env: db.env };
  } else if (typeof db.file === 'string' && db.file !== '' && db.env === undefined) {
    databaseUrl = { file: db.file };
  } else {
    at('spec.databaseUrl', 'invalid-field', 'must have exactly one of env (a variable name) or file (a path)');
  }

  let rolloutRef: string | undefined;
  const ref = spec.rolloutRef;
  if (typeof ref === 'string' && ref !== '') rolloutRef = ref;
  else if (isObject(ref) && typeof ref.name === 'string' && ref.name !== '') rolloutRef = ref.name;
  else at('spec.rolloutRef', 'missing-field', 'is required', 'the Rollout this migration goes out with: { name: backend }');

  const migrationsDir = typeof spec.migrationsDir === 'string' && spec.migrationsDir !== '' ? spec.migrationsDir : undefined;
  if (!migrationsDir) at('spec.migrationsDir', 'missing-field', 'is required', 'a directory relative to this manifest');

  const duration = (field: string, fallback: number): number => {
    const v = spec[field];
    if (v === undefined) return fallback;
    const ms = typeof v === 'number' || typeof v === 'string' ? parseDurationOrSeconds(v) : undefined;
    if (ms === undefined) {
      at(`spec.${field}`, 'invalid-duration', `${JSON.stringify(v)} is not a duration`, 'use 30s, 1m, 1h');
      return fallback;
    }
    return ms;
  };
  const lockTimeoutMs = duration('lockTimeout', SCHEMA_MIGRATION_DEFAULTS.lockTimeoutMs);
  const statementTimeoutMs = duration('statementTimeout', SCHEMA_MIGRATION_DEFAULTS.statementTimeoutMs);
  const bakeTimeMs = duration('bakeTime', SCHEMA_MIGRATION_DEFAULTS.bakeTimeMs);
  if (spec.lockTimeout !== undefined && lockTimeoutMs === 0) {
    at('spec.lockTimeout', 'invalid-field', 'must be more than 0: without it DDL queues behind long transactions and blocks every query behind it');
  }

  let maxLockRetries: number = SCHEMA_MIGRATION_DEFAULTS.maxLockRetries;
  if (spec.maxLockRetries !== undefined) {
    const n = spec.maxLockRetries;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 100) maxLockRetries = n;
    else at('spec.maxLockRetries', 'invalid-field', `${JSON.stringify(n)} is not an integer from 0 to 100`);
  }

  if (diagnostics.length > 0 || !name || !databaseUrl || !rolloutRef || !migrationsDir) return { diagnostics };
  return {
    diagnostics,
    manifest: {
      apiVersion: SCHEMA_MIGRATION_API_VERSION,
      kind: 'SchemaMigration',
      metadata: { name, ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}) },
      spec: { databaseUrl, rolloutRef, migrationsDir, lockTimeoutMs, statementTimeoutMs, bakeTimeMs, maxLockRetries },
      source: raw.source,
    },
  };
}
