/**
 * `baton migrate` through its commander registration and exported handlers, on a real
 * PostgreSQL server, with the tbyte example and its SchemaMigration manifest.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrateLint, migrateStep, registerMigrateCommand, type MigrateIo } from '../../src/cli/commands/migrate.js';
import { startPostgres, type RunningPostgres } from '../support/postgres.js';
import { tempDir } from '../support/net.js';
import { columnsOf, freshDatabase, writeMigrations } from './helpers.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'tbyte', 'migrations');
const MANIFEST = join(EXAMPLE, 'schema-migration.yaml');
let server: RunningPostgres;
const cleanups: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  server = await startPostgres();
});
afterEach(async () => {
  process.exitCode = undefined;
  delete process.env.TBYTE_DATABASE_URL;
  for (const c of cleanups.splice(0)) await c();
});
afterAll(async () => {
  await server?.stop();
});

function buffer(): MigrateIo & { stdout: string; stderr: string } {
  const b = { stdout: '', stderr: '', out: (t: string) => void (b.stdout += t), err: (t: string) => void (b.stderr += t) };
  return b;
}

/** Runs `baton migrate ...args` through commander; returns the exit code and output. */
async function baton(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = buffer();
  const program = new Command('baton').exitOverride();
  registerMigrateCommand(program, io);
  process.exitCode = undefined;
  await program.parseAsync(['node', 'baton', 'migrate', ...args]);
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('baton migrate lint', () => {
  it('passes the tbyte example', async () => {
    const r = await baton('lint', EXAMPLE);
    expect(r).toMatchObject({ code: 0, stdout: '2 migration(s), 0 finding(s), 0 ignored\n' });
  });

  it('exits 1 with file, line, rule, why and rewrite; --json for tools', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    await writeMigrations(tmp.path, { '0001_x': { expand: 'SELECT 1;\nALTER TABLE users ALTER COLUMN id TYPE bigint;', contract: 'VACUUM FULL users;' } });
    const text = await baton('lint', tmp.path);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${join(tmp.path, '0001_x', 'expand.sql')}:2 change-column-type (expand): ALTER COLUMN id TYPE bigint on users: its current type is not declared in these migrations, so a rewrite cannot be ruled out\n  why: `);
    expect(text.stdout).toContain(`${join(tmp.path, '0001_x', 'contract.sql')}:1 vacuum-full (contract)`);
    expect(text.stdout).toMatch(/instead: add a column of the new type/);
    const json = await baton('lint', tmp.path, '--json');
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { findings: { ruleId: string; line: number }[] };
    expect(parsed.findings.map((f) => [f.ruleId, f.line])).toEqual([['change-column-type', 2], ['vacuum-full', 1]]);
  });

  it('names a missing directory', async () => {
    await expect(migrateLint('/nonexistent/migrations', {})).rejects.toMatchObject({ code: 'migrations-dir-invalid' });
  });
});

describe('baton migrate against a database', () => {
  it('plans, expands, reports status, contracts and rolls back by hand', async () => {
    const url = await freshDatabase(server.url);
    const offline = await baton('plan', '--manifest', MANIFEST);
    expect(offline.stdout).toContain('(no database given');
    expect(offline.stdout).toMatch(/expand \(before the new revision's first process starts\):\n {2}0000_init {2}in one transaction\n {2}0001_email_verified {2}in one transaction\n/);
    expect(offline.stdout).toContain('contract (after promotion, 10m0s bake time');

    process.env.TBYTE_DATABASE_URL = url;
    expect((await baton('expand', '0000_init', '--manifest', MANIFEST)).stdout).toBe('0000_init expand: applied\n');
    const plan = JSON.parse((await baton('plan', '--manifest', MANIFEST, '--json')).stdout) as { expand: string[]; contract: string[]; assumedEmpty: boolean };
    expect(plan).toMatchObject({ expand: ['0001_email_verified'], contract: ['0001_email_verified'], assumedEmpty: false });

    const expand = await baton('expand', '--manifest', MANIFEST, '--revision', 'v2');
    expect(expand.stdout).toBe('0001_email_verified expand: applied\n0001_email_verified backfill: applied\n');
    expect(expand.stderr).toContain('0001_email_verified expand: 2 statement(s) in one transaction');
    const status = await baton('status', '--manifest', MANIFEST);
    expect(status.stdout).toBe('0000_init  expand: applied  backfill: none  contract: none\n0001_email_verified  expand: applied  backfill: applied  contract: pending\n');

    // --database overrides the manifest's source.
    delete process.env.TBYTE_DATABASE_URL;
    const rollback = await baton('rollback', '0001_email_verified', '--manifest', MANIFEST, '--database', url);
    expect(rollback.stdout).toBe('0001_email_verified rollback: applied\n');
    expect(await columnsOf(url, 'users')).not.toContain('email_verified');

    await baton('expand', '--manifest', MANIFEST, '--database', url);
    expect((await baton('contract', '--manifest', MANIFEST, '--database', url)).stdout).toBe('0001_email_verified backfill: applied\n0001_email_verified contract: applied\n');
    expect(await columnsOf(url, 'users')).not.toContain('email_confirmed_at');
    await expect(migrateStep('rollback', '0001_email_verified', { manifest: MANIFEST, database: url }, buffer())).rejects.toMatchObject({ code: 'migration-contracted' });
  });

  it('status exits 1 and says why when an applied file was edited', async () => {
    const url = await freshDatabase(server.url);
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    await cp(EXAMPLE, tmp.path, { recursive: true });
    expect((await baton('expand', '--dir', tmp.path, '--database', url)).code).toBe(0);
    const expandFile = join(tmp.path, '0001_email_verified', 'expand.sql');
    await writeFile(expandFile, `${await readFile(expandFile, 'utf8')}-- edited\n`);
    const status = await baton('status', '--dir', tmp.path, '--database', url);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`error: ${expandFile} was edited after it was applied`);
    const json = JSON.parse((await baton('status', '--dir', tmp.path, '--database', url, '--json')).stdout) as { problems: { kind: string }[]; records: unknown[] };
    expect(json.problems.map((p) => p.kind)).toEqual(['checksum-drift']);
    expect(json.records).toHaveLength(3);
  });

  it('names what is missing', async () => {
    await expect(migrateStep('expand', undefined, { manifest: MANIFEST }, buffer())).rejects.toMatchObject({ code: 'database-url-missing' });
    await expect(migrateStep('expand', undefined, { dir: EXAMPLE }, buffer())).rejects.toMatchObject({ code: 'missing-option' });
    await expect(migrateStep('expand', undefined, {}, buffer())).rejects.toMatchObject({ code: 'missing-option' });
    await expect(migrateStep('expand', undefined, { dir: EXAMPLE, database: 'postgres://postgres@127.0.0.1:1/x' }, buffer())).rejects.toMatchObject({ code: 'database-unreachable' });
  });

  it('refuses a bad manifest with the field named', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    await cp(EXAMPLE, tmp.path, { recursive: true });
    const file = join(tmp.path, 'schema-migration.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('lockTimeout: 3s', 'lockTimeout: 3x'));
    await expect(migrateLint(undefined, { manifest: file })).rejects.toThrow(`${file}:14 spec.lockTimeout: "3x" is not a duration (use 30s, 1m, 1h)`);
  });
});
