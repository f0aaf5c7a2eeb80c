import { describe, expect, it } from 'vitest';
import { parseSchemaMigration, SCHEMA_MIGRATION_DEFAULTS } from './manifest.js';

const source = { file: 'db.yaml', line: 1, column: 1 };
const ok = {
  apiVersion: 'baton.dev/v1alpha1',
  kind: 'SchemaMigration',
  metadata: { name: 'users-db' },
  spec: { databaseUrl: { env: 'DATABASE_URL' }, rolloutRef: { name: 'backend' }, migrationsDir: './migrations', lockTimeout: '3s', bakeTime: '10m', maxLockRetries: 2 },
  source,
};

describe('parseSchemaMigration', () => {
  it('reads a valid manifest and applies defaults', () => {
    const { manifest, diagnostics } = parseSchemaMigration(ok);
    expect(diagnostics).toEqual([]);
    expect(manifest?.spec).toEqual({
      databaseUrl: { env: 'DATABASE_URL' }, rolloutRef: 'backend', migrationsDir: './migrations',
      lockTimeoutMs: 3_000, statementTimeoutMs: SCHEMA_MIGRATION_DEFAULTS.statementTimeoutMs, bakeTimeMs: 600_000, maxLockRetries: 2,
    });
  });

  it('accepts a file source and a plain rolloutRef string', () => {
    const { manifest } = parseSchemaMigration({ ...ok, spec: { ...ok.spec, databaseUrl: { file: 'secret/url' }, rolloutRef: 'backend' } });
    expect(manifest?.spec.databaseUrl).toEqual({ file: 'secret/url' });
    expect(manifest?.spec.rolloutRef).toBe('backend');
  });

  it('names every bad field', () => {
    const { manifest, diagnostics } = parseSchemaMigration({
      ...ok,
      kind: 'Migration',
      spec: { databaseUrl: { env: 'A', file: 'b' }, migrationsDir: '', lockTimeout: '3x', maxLockRetries: -1 },
    });
    expect(manifest).toBeUndefined();
    expect(diagnostics.map((d) => [d.path, d.code])).toEqual([
      ['kind', 'unknown-kind'],
      ['spec.databaseUrl', 'invalid-field'],
      ['spec.rolloutRef', 'missing-field'],
      ['spec.migrationsDir', 'missing-field'],
      ['spec.lockTimeout', 'invalid-duration'],
      ['spec.maxLockRetries', 'invalid-field'],
    ]);
    expect(diagnostics.every((d) => d.file === 'db.yaml')).toBe(true);
  });

  it('refuses a zero lock timeout', () => {
    const { diagnostics } = parseSchemaMigration({ ...ok, spec: { ...ok.spec, lockTimeout: '0s' } });
    expect(diagnostics.map((d) => d.path)).toEqual(['spec.lockTimeout']);
  });

  it('reports a missing spec', () => {
    const { diagnostics } = parseSchemaMigration({ apiVersion: 'baton.dev/v1alpha1', kind: 'SchemaMigration', metadata: { name: 'x' }, source });
    expect(diagnostics.map((d) => d.path)).toEqual(['spec']);
  });
});
