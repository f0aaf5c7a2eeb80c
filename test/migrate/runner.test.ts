/**
 * The runner's safety mechanics on a real PostgreSQL server: lock_timeout with bounded retries,
 * the advisory lock between racing controllers, checksum drift, a crash between statements,
 * and the linter as a gate.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { readStatus, runContract, runExpand, runRollback, type ExpandOutcome, type RunnerEvent } from '../../src/adapters/migrate/runner.js';
import { tempDir, waitFor } from '../support/net.js';
import { auditRows, columnsOf, freshDatabase, optionsFor, usePostgresServer, withClient, writeMigrations } from './helpers.js';

const { url: serverUrl, cleanups } = usePostgresServer();

const INIT = { '0000_init': { expand: 'CREATE TABLE IF NOT EXISTS users (id bigserial PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());' } };

/** A fresh database with `users`, and a migrations dir holding INIT plus `more`. */
async function setUp(more: Parameters<typeof writeMigrations>[1]): Promise<{ url: string; dir: string }> {
  const url = await freshDatabase(serverUrl());
  const tmp = await tempDir('baton-mig-');
  cleanups.push(tmp.remove);
  await writeMigrations(tmp.path, INIT);
  expect((await runExpand(await optionsFor(url, tmp.path))).outcome).toBe('done');
  await writeMigrations(tmp.path, more);
  return { url, dir: tmp.path };
}

/** A session holding ACCESS SHARE on users in an open transaction (any DDL on it must wait). */
async function holdTableLock(url: string): Promise<pg.Client> {
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  cleanups.push(() => holder.end());
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE users IN ACCESS SHARE MODE');
  return holder;
}

const ADD_NICKNAME = { '0001_nickname': { expand: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;' } };

describe('lock_timeout', () => {
  it('fails cleanly after the bounded retries while another session holds the lock', async () => {
    const { url, dir } = await setUp(ADD_NICKNAME);
    await holdTableLock(url);
    const events: RunnerEvent[] = [];
    const run = runExpand(await optionsFor(url, dir, { lockTimeoutMs: 200, maxLockRetries: 2, retryBaseMs: 10, onEvent: (e) => events.push(e) }));
    await expect(run).rejects.toMatchObject({ code: 'migration-lock-timeout', details: { attempts: 3, line: 1 } });
    expect(events.filter((e) => e.type === 'lock-timeout').map((e) => (e.type === 'lock-timeout' ? [e.attempt, e.retryInMs] : []))).toEqual([[1, 10], [2, 20]]);
    expect(await columnsOf(url, 'users')).not.toContain('nickname');
    const row = (await auditRows(url)).find((r) => r.name === '0001_nickname');
    expect(row).toMatchObject({ status: 'failed', attempts: 3, statements_done: 0 });
    // A failed transactional phase is safe to run again.
    expect((await readStatus(await optionsFor(url, dir))).plan.expand).toEqual(['0001_nickname']);
  });

  it('retries with back-off and succeeds once the lock is released', async () => {
    const { url, dir } = await setUp(ADD_NICKNAME);
    const holder = await holdTableLock(url);
    const sleeps: number[] = [];
    const out = await runExpand(
      await optionsFor(url, dir, {
        lockTimeoutMs: 200,
        maxLockRetries: 3,
        retryBaseMs: 10,
        // The back-off wait is where the other session finishes its transaction.
        sleep: async (ms) => {
          sleeps.push(ms);
          await holder.query('COMMIT');
        },
      }),
    );
    expect(out.applied).toEqual([{ name: '0001_nickname', phase: 'expand' }]);
    expect(sleeps).toEqual([10]);
    expect(await columnsOf(url, 'users')).toContain('nickname');
    expect((await auditRows(url)).find((r) => r.name === '0001_nickname')).toMatchObject({ status: 'done', attempts: 2 });
  });
});

describe('two controllers racing', () => {
  it('apply a migration once: the second waits on the advisory lock, then finds it applied', async () => {
    const { url, dir } = await setUp(ADD_NICKNAME);
    const holder = await holdTableLock(url);
    let second: Promise<ExpandOutcome> | undefined;
    const secondEvents: RunnerEvent[] = [];
    const optsB = await optionsFor(url, dir, {
      appliedBy: 'controller-b',
      onEvent: (e) => {
        secondEvents.push(e);
        // B is now waiting for A's advisory lock: let A's ALTER TABLE through.
        if (e.type === 'lock-wait') void holder.query('COMMIT');
      },
    });
    const first = await runExpand(
      await optionsFor(url, dir, {
        appliedBy: 'controller-a',
        lockTimeoutMs: 20_000,
        onEvent: (e) => {
          // A holds the advisory lock and is blocked on the table: start B now.
          if (e.type === 'phase-start' && e.name === '0001_nickname') second = runExpand(optsB);
        },
      }),
    );
    expect(second).toBeDefined();
    const b = await second!;
    expect(first.applied).toEqual([{ name: '0001_nickname', phase: 'expand' }]);
    expect(b).toEqual({ outcome: 'done', applied: [] });
    expect(secondEvents.map((e) => e.type)).toContain('lock-wait');
    const rows = (await auditRows(url)).filter((r) => r.name === '0001_nickname');
    expect(rows.map((r) => [r.phase, r.status, r.applied_by])).toEqual([['expand', 'done', 'controller-a']]);
  });
});

describe('checksum drift', () => {
  it('refuses a migration edited after it was applied', async () => {
    const { url, dir } = await setUp({ '0001_nickname': { ...ADD_NICKNAME['0001_nickname'], contract: 'ALTER TABLE users DROP COLUMN IF EXISTS created_at;' } });
    await runExpand(await optionsFor(url, dir));
    await appendFile(join(dir, '0001_nickname', 'expand.sql'), '\nALTER TABLE users ADD COLUMN IF NOT EXISTS bio text;\n');
    const opts = await optionsFor(url, dir);
    await expect(runExpand(opts)).rejects.toMatchObject({ code: 'checksum-drift' });
    await expect(runContract({ ...opts, guard: 'manual' })).rejects.toMatchObject({ code: 'checksum-drift' });
    expect(await columnsOf(url, 'users')).toContain('created_at');
    expect((await readStatus(opts)).plan.problems.map((p) => [p.kind, p.name, p.phase])).toEqual([['checksum-drift', '0001_nickname', 'expand']]);
  });
});

describe('a crash between statements', () => {
  it('is detected on restart and reported, not silently repeated', async () => {
    const { url, dir } = await setUp({
      '0001_indexes': {
        expand: [
          'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);',
          // Stands in for a long statement the controller dies in the middle of.
          'SELECT pg_sleep(60);',
          'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_created_idx ON users (created_at);',
        ].join('\n'),
        rollback: 'DROP INDEX CONCURRENTLY IF EXISTS users_created_idx;\nDROP INDEX CONCURRENTLY IF EXISTS users_email_idx;',
      },
    });
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'run-expand.ts'), dir], {
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`runner exited early with ${code}`)));
      lines.on('line', (l) => {
        const e = JSON.parse(l) as RunnerEvent;
        if (e.type === 'statement-done' && e.index === 0) resolve();
      });
    });
    // While it is alive, status sees a run in progress, not an interruption.
    const live = await readStatus(await optionsFor(url, dir));
    expect(live.runInProgress).toBe(true);
    expect(live.plan.problems.map((p) => [p.kind, p.blocking, p.message])).toEqual([['interrupted', false, '0001_indexes expand is running now (another controller holds the migration lock)']]);
    // The controller dies, and with it (as with a lost host) its database session.
    child.kill('SIGKILL');
    await exited;
    await withClient(url, (c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'baton-migrate' AND datname = current_database()"));
    await waitFor(
      () => withClient(url, async (c) => (await c.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'baton-migrate' AND datname = current_database()")).rowCount === 0),
      10_000,
      'the dead runner session to go',
    );

    const opts = await optionsFor(url, dir);
    const restart = runExpand(opts);
    await expect(restart).rejects.toMatchObject({ code: 'migration-interrupted' });
    await expect(restart).rejects.toThrow(/0001_indexes expand was interrupted after 1 of 3 statements/);
    expect((await readStatus(opts)).runInProgress).toBe(false);
    const indexes = await withClient(url, async (c) => (await c.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY 1")).rows.map((r) => r.indexname));
    expect(indexes).toEqual(['users_email_idx', 'users_pkey']);
    expect((await auditRows(url)).find((r) => r.name === '0001_indexes')).toMatchObject({ status: 'running', statements_done: 1, statements_total: 3, applied_by: 'crash-test' });

    // A person resolves it: the rollback undoes the partial expand, and the expand can run again.
    expect(await runRollback({ ...opts, name: '0001_indexes' })).toEqual([{ name: '0001_indexes', phase: 'rollback' }]);
    expect((await readStatus(opts)).plan.expand).toEqual(['0001_indexes']);
  });
});

describe('the linter as a gate', () => {
  it('refuses unsafe SQL before anything runs', async () => {
    const { url, dir } = await setUp({ '0001_bad': { expand: 'ALTER TABLE users DROP COLUMN IF EXISTS email;' } });
    await expect(runExpand(await optionsFor(url, dir))).rejects.toMatchObject({ code: 'migration-lint-failed', findings: [{ ruleId: 'drop-column', line: 1 }] });
    expect(await columnsOf(url, 'users')).toContain('email');
    expect((await auditRows(url)).map((r) => r.name)).toEqual(['0000_init']);
  });

  it('keeps the reason of an ignored finding in the audit record', async () => {
    const { url, dir } = await setUp({
      '0001_idx': { expand: '-- baton-lint-ignore: index-not-concurrent users is empty until launch\nCREATE INDEX IF NOT EXISTS users_email_idx ON users (email);' },
    });
    await runExpand(await optionsFor(url, dir));
    const row = (await auditRows(url)).find((r) => r.name === '0001_idx');
    expect(row?.lint_ignores).toEqual([{ file: join(dir, '0001_idx', 'expand.sql'), line: 2, ruleId: 'index-not-concurrent', reason: 'users is empty until launch' }]);
  });
});

describe('stopping an expand when the stable revision degrades', () => {
  it('cancels the statement in flight: the transaction rolls back whole', async () => {
    const { url, dir } = await setUp({
      // The sleep stands in for a slow statement that is still running when analysis fails.
      '0001_slow': { expand: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;\nSELECT pg_sleep(30);' },
    });
    const controller = new AbortController();
    const started = Date.now();
    const run = runExpand({ ...(await optionsFor(url, dir)), signal: controller.signal });
    await waitFor(
      () => withClient(url, async (c) => (await c.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'baton-migrate' AND state = 'active' AND query LIKE '%pg_sleep%'")).rowCount === 1),
      10_000,
      'the runner to be inside its slow statement',
    );
    controller.abort();
    expect(await run).toEqual({ outcome: 'stopped', applied: [] });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await columnsOf(url, 'users')).not.toContain('nickname');
    expect((await auditRows(url)).find((r) => r.name === '0001_slow')).toMatchObject({ status: 'failed', statements_done: 0 });
  });

  it('stops before the next statement when the stop comes between statements', async () => {
    const { url, dir } = await setUp({ ...ADD_NICKNAME, '0002_bio': { expand: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS bio text;' } });
    const controller = new AbortController();
    const out = await runExpand({
      ...(await optionsFor(url, dir, { onEvent: (e) => e.type === 'phase-start' && e.name === '0002_bio' && controller.abort() })),
      signal: controller.signal,
    });
    expect(out).toEqual({ outcome: 'stopped', applied: [{ name: '0001_nickname', phase: 'expand' }] });
    expect(await columnsOf(url, 'users')).toEqual(['id', 'email', 'created_at', 'nickname']);
  });

  it('asks shouldContinue between migrations and stops there', async () => {
    const { url, dir } = await setUp({ ...ADD_NICKNAME, '0002_bio': { expand: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS bio text;' } });
    let asked = 0;
    const out = await runExpand({ ...(await optionsFor(url, dir)), shouldContinue: () => ++asked < 2 });
    expect(out).toEqual({ outcome: 'stopped', applied: [{ name: '0001_nickname', phase: 'expand' }] });
    expect(await columnsOf(url, 'users')).toEqual(['id', 'email', 'created_at', 'nickname']);
  });
});

describe('CREATE INDEX CONCURRENTLY and lock_timeout', () => {
  it('drops the INVALID index a timed-out build leaves, so the retry builds a valid one', async () => {
    const { url, dir } = await setUp({ '0001_idx': { expand: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);' } });
    // An open writing transaction: the concurrent build waits for it after creating the index entry.
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    cleanups.push(() => writer.end());
    await writer.query('BEGIN');
    await writer.query("INSERT INTO users (email) VALUES ('w@example.com')");
    let invalidSeen: boolean | undefined;
    const out = await runExpand(
      await optionsFor(url, dir, {
        lockTimeoutMs: 300,
        maxLockRetries: 1,
        sleep: async () => {
          invalidSeen = await withClient(url, async (c) => (await c.query("SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'users_email_idx'")).rowCount !== 0);
          await writer.query('COMMIT');
        },
      }),
    );
    expect(out.applied).toEqual([{ name: '0001_idx', phase: 'expand' }]);
    // The timed-out build left an index entry behind; IF NOT EXISTS alone would keep it invalid.
    expect(invalidSeen).toBe(true);
    const valid = await withClient(url, async (c) => (await c.query<{ v: boolean }>("SELECT i.indisvalid AS v FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'users_email_idx'")).rows);
    expect(valid).toEqual([{ v: true }]);
  });
});

describe('a crash inside a transactional phase', () => {
  it('is reported on restart and the phase runs again, since PostgreSQL rolled it back', async () => {
    const { url, dir } = await setUp({
      '0001_nickname': {
        // Slow only while the test's marker table exists: the first run dies in the sleep.
        expand: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;\nSELECT pg_sleep(CASE WHEN to_regclass(\'crash_here\') IS NULL THEN 0 ELSE 60 END);',
      },
    });
    await withClient(url, (c) => c.query('CREATE TABLE crash_here ()'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'run-expand.ts'), dir], {
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (l) => {
        if ((JSON.parse(l) as RunnerEvent).type === 'phase-start') resolve();
      });
    });
    child.kill('SIGKILL');
    await exited;
    await withClient(url, (c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'baton-migrate' AND datname = current_database()"));
    await waitFor(
      () => withClient(url, async (c) => (await c.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'baton-migrate' AND datname = current_database()")).rowCount === 0),
      10_000,
      'the dead runner session to go',
    );
    await withClient(url, (c) => c.query('DROP TABLE crash_here'));

    const events: RunnerEvent[] = [];
    const out = await runExpand(await optionsFor(url, dir, { onEvent: (e) => events.push(e) }));
    expect(events.filter((e) => e.type === 'problem').map((e) => (e.type === 'problem' ? e.message : ''))).toEqual([
      expect.stringMatching(/^0001_nickname expand was interrupted .*its transaction was rolled back, so it runs again$/),
    ]);
    expect(out.applied).toEqual([{ name: '0001_nickname', phase: 'expand' }]);
    expect(await columnsOf(url, 'users')).toContain('nickname');
    const rows = (await auditRows(url)).filter((r) => r.name === '0001_nickname');
    expect(rows.map((r) => [r.status, r.applied_by])).toEqual([['failed', 'crash-test'], ['done', 'test']]);
    expect(rows[0]?.error).toMatch(/interrupted/);
  });
});

describe('statement_timeout', () => {
  it('is set for every statement, and a statement that exceeds it fails without retries', async () => {
    const { url, dir } = await setUp({ '0001_slow': { expand: 'SELECT pg_sleep(10);' } });
    const events: RunnerEvent[] = [];
    const started = Date.now();
    await expect(runExpand(await optionsFor(url, dir, { statementTimeoutMs: 300, maxLockRetries: 3, onEvent: (e) => events.push(e) }))).rejects.toMatchObject({
      code: 'migration-failed',
      details: { sqlState: '57014', line: 1 },
    });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(events.some((e) => e.type === 'lock-timeout')).toBe(false);
    expect((await auditRows(url)).find((r) => r.name === '0001_slow')).toMatchObject({ status: 'failed', attempts: 1 });
  });
});
