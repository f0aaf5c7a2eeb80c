/** Shared set-up for the migration tests on a real PostgreSQL server. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startPostgres, type RunningPostgres } from '../support/postgres.js';
import { readMigrations } from '../../src/adapters/migrate/migration-dir.js';
import type { MigrateOptions } from '../../src/adapters/migrate/runner.js';

/**
 * One real PostgreSQL server for the calling test file (started before its tests, stopped after),
 * and a list of cleanups run after each test, last registered first.
 */
export function usePostgresServer(): { url: () => string; cleanups: (() => Promise<unknown>)[] } {
  let server: RunningPostgres | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    url: () => {
      if (!server) throw new Error('the PostgreSQL server is not started yet (call url() inside a test)');
      return server.url;
    },
    cleanups,
  };
}

let dbCounter = 0;

/** A fresh database on the test server; returns its URL. */
export async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `t${process.pid}_${++dbCounter}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export type MigrationFiles = Record<string, Partial<Record<'expand' | 'backfill' | 'contract' | 'rollback', string>>>;

/** Writes migration directories under `root`. */
export async function writeMigrations(root: string, files: MigrationFiles): Promise<void> {
  for (const [name, phases] of Object.entries(files)) {
    await mkdir(join(root, name), { recursive: true });
    for (const [phase, sql] of Object.entries(phases)) await writeFile(join(root, name, `${phase}.sql`), sql);
  }
}

/** Runner options for `dir` on `url`, with short timeouts. */
export async function optionsFor(url: string, dir: string, extra: Partial<MigrateOptions> = {}): Promise<MigrateOptions> {
  return { databaseUrl: url, migrations: await readMigrations(dir), lockTimeoutMs: 2_000, statementTimeoutMs: 30_000, maxLockRetries: 2, retryBaseMs: 10, appliedBy: 'test', ...extra };
}

export async function columnsOf(url: string, table: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const r = await c.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position', [table]);
    return r.rows.map((x) => x.column_name);
  });
}

export interface AuditRow {
  name: string;
  phase: string;
  status: string;
  statements_done: number;
  statements_total: number;
  attempts: number;
  revision: string | null;
  applied_by: string;
  lint_ignores: unknown;
  rows_affected: string | null;
  error: string | null;
}

export async function auditRows(url: string): Promise<AuditRow[]> {
  return withClient(url, async (c) => (await c.query<AuditRow>('SELECT * FROM baton_schema_migrations ORDER BY id')).rows);
}

const APP = join(import.meta.dirname, 'fixtures', 'app.mjs');

/** Runs one request of the stand-in app at `version`; resolves with its exit code and stderr. */
export function runAppOnce(url: string, version: 'v1' | 'v2'): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [APP, version, 'once'], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

/** Starts a long-running process of the stand-in app; resolves once it served its first request. */
export async function startApp(url: string, version: 'v1' | 'v2'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [APP, version, 'serve'], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`app ${version} exited with ${code}`)));
    child.stdout?.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  return child;
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}
