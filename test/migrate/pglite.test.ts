/**
 * The embedded path: the tbyte migrations on PGlite (real PostgreSQL compiled to WebAssembly),
 * through the same runner, so the demo needs no database server.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Command } from 'commander';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readMigrations } from '../../src/adapters/migrate/migration-dir.js';
import { openPglite, pgliteSession } from '../../src/adapters/migrate/pglite-session.js';
import { startPgliteThread } from '../../src/adapters/migrate/pglite-thread.js';
import { queryMessage } from '../../src/adapters/migrate/pglite-wire.js';
import { runContract, runExpand, type MigrateOptions } from '../../src/adapters/migrate/runner.js';
import { registerMigrateCommand } from '../../src/cli/commands/migrate.js';
import { tempDir } from '../support/net.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'tbyte', 'migrations');
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
}, 120_000);
afterAll(async () => {
  await db?.close();
});

async function columns(): Promise<string[]> {
  const r = await db.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position");
  return r.rows.map((x) => x.column_name);
}

it('runs the email_verified change: expand, backfill, contract', async () => {
  const opts: MigrateOptions = {
    databaseUrl: 'pglite:shared',
    openSession: () => Promise.resolve(pgliteSession(db)),
    migrations: await readMigrations(EXAMPLE),
    lockTimeoutMs: 2_000,
    statementTimeoutMs: 30_000,
    maxLockRetries: 1,
    appliedBy: 'test',
  };
  await runExpand({ ...opts, upTo: '0000_init' });
  await db.query("INSERT INTO users (email, email_confirmed_at) VALUES ('a@x', now()), ('b@x', NULL)");
  const expand = await runExpand(opts);
  expect(expand.applied.map((a) => a.phase)).toEqual(['expand', 'backfill']);
  const verified = await db.query<{ email: string; email_verified: boolean }>('SELECT email, email_verified FROM users ORDER BY email');
  expect(verified.rows).toEqual([{ email: 'a@x', email_verified: true }, { email: 'b@x', email_verified: false }]);

  const contract = await runContract({ ...opts, guard: { aborted: false, promotedAtMs: 0, nowMs: 1, bakeTimeMs: 1, olderRevisionProcesses: 0 } });
  expect(contract.outcome).toBe('done');
  expect(await columns()).toEqual(['id', 'email', 'created_at', 'email_verified']);
  const audit = await db.query<{ phase: string; status: string }>('SELECT phase, status FROM baton_schema_migrations ORDER BY id');
  expect(audit.rows.map((r) => `${r.phase}:${r.status}`)).toEqual(['expand:done', 'expand:done', 'backfill:done', 'backfill:done', 'contract:done']);
});

it('baton migrate works on a pglite:<dir> database that persists between runs', async () => {
  const tmp = await tempDir();
  try {
    const out: string[] = [];
    const program = new Command('baton').exitOverride();
    registerMigrateCommand(program, { out: (t) => void out.push(t), err: () => undefined });
    await program.parseAsync(['node', 'baton', 'migrate', 'expand', '0000_init', '--dir', EXAMPLE, '--database', `pglite:${tmp.path}`]);
    await program.parseAsync(['node', 'baton', 'migrate', 'status', '--dir', EXAMPLE, '--database', `pglite:${tmp.path}`]);
    expect(out.join('')).toBe(
      '0000_init expand: applied\n0000_init  expand: applied  backfill: none  contract: none\n0001_email_verified  expand: pending  backfill: pending  contract: pending\n',
    );
  } finally {
    await tmp.remove();
  }
}, 180_000);

it('refuses a pglite:<dir> another live process has open, naming it and where it serves the database', async () => {
  const tmp = await tempDir();
  try {
    const dir = `${tmp.path}/db`;
    // The runner's parent stands in for a running `baton up` (alive, another pid).
    writeFileSync(`${dir}.baton-lock`, `${process.ppid}\npostgres://postgres@127.0.0.1:45432/postgres`);
    const program = new Command('baton').exitOverride();
    registerMigrateCommand(program, { out: () => undefined, err: () => undefined });
    await expect(program.parseAsync(['node', 'baton', 'migrate', 'status', '--dir', EXAMPLE, '--database', `pglite:${dir}`])).rejects.toThrow(
      `pglite:${dir} is open in another process (pid ${process.ppid}), which serves it at postgres://postgres@127.0.0.1:45432/postgres`,
    );
    // A lock left by a process that is gone is taken over, and let go after the run.
    writeFileSync(`${dir}.baton-lock`, '999999999\n');
    await program.parseAsync(['node', 'baton', 'migrate', 'status', '--dir', EXAMPLE, '--database', `pglite:${dir}`]);
    expect(existsSync(`${dir}.baton-lock`)).toBe(false);
  } finally {
    await tmp.remove();
  }
}, 60_000);

it('names a pglite: path PGlite cannot use as a data directory, instead of its message-less ErrnoError', async () => {
  const tmp = await tempDir();
  try {
    const file = join(tmp.path, 'not-a-dir');
    writeFileSync(file, 'x');
    const program = new Command('baton').exitOverride();
    registerMigrateCommand(program, { out: () => undefined, err: () => undefined });
    await expect(program.parseAsync(['node', 'baton', 'migrate', 'status', '--dir', EXAMPLE, '--database', `pglite:${file}`])).rejects.toMatchObject({
      code: 'invalid-database',
      message: expect.stringContaining(`pglite:${file}: PGlite cannot open ${file} as a data directory`) as unknown,
    });
    expect(existsSync(`${file}.baton-lock`)).toBe(false);
  } finally {
    await tmp.remove();
  }
}, 60_000);

/** Every mode under `dir` that is not owner-only (0700 directories, 0600 files), as `path mode`. */
function openModes(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    const st = lstatSync(path);
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want) found.push(`${path} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return found;
}

it('keeps a data directory owner-only whatever the umask: at start, for the files PGlite creates while it runs, and after (a close cuts a statement without end)', async () => {
  const tmp = await tempDir();
  const umask = process.umask(0);
  try {
    const dir = join(tmp.path, 'db');
    mkdirSync(dir, { mode: 0o777 });
    writeFileSync(join(dir, 'left-over'), 'x', { mode: 0o666 });
    chmodSync(dir, 0o777);
    const thread = await startPgliteThread(dir);
    try {
      expect(openModes(dir)).toEqual([]);
      // New relation files, written by PGlite in its thread.
      await thread.exec('CREATE TABLE t (v text); CREATE INDEX t_v ON t (v); INSERT INTO t VALUES (1)');
      await thread.exec('CHECKPOINT');
      expect(openModes(dir)).toEqual([]);
      // Closing does not wait for a statement without end: it is cut after a few seconds.
      const sleeping = thread.protocol(queryMessage('SELECT pg_sleep(600)'), () => undefined).then(() => 'ran', (e: { code?: string }) => e.code);
      const started = performance.now();
      await thread.close();
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(await sleeping).toBe('database-closed');
    } finally {
      await thread.close();
    }
    // In process (baton migrate): made owner-only when opened and again when closed.
    chmodSync(join(dir, 'PG_VERSION'), 0o644);
    const open = await openPglite(`pglite:${dir}`);
    expect(openModes(dir)).toEqual([]);
    await open.db.exec('CREATE TABLE u (v int)');
    await open.close();
    expect(openModes(dir)).toEqual([]);
  } finally {
    process.umask(umask);
    await tmp.remove();
  }
}, 120_000);
