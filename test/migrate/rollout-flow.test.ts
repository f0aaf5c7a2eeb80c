/**
 * The tbyte email_verified change through the engine hook, on a real PostgreSQL server with the
 * stand-in app as real processes: expand before the new revision starts, an abort that leaves
 * the stable revision working, and a contract that waits for the old revision and the bake time.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSchemaMigration, migrationsDirOf } from '../../src/adapters/migrate/load-manifest.js';
import { lintMigrations } from '../../src/adapters/migrate/lint-migrations.js';
import { readMigrations } from '../../src/adapters/migrate/migration-dir.js';
import { readStatus, runContract, runExpand, type MigrateOptions } from '../../src/adapters/migrate/runner.js';
import { mayStartNewRevision, type ContractGuardInput } from '../../src/core/migrate/guards.js';
import { startPostgres, type RunningPostgres } from '../support/postgres.js';
import { auditRows, columnsOf, exited, freshDatabase, runAppOnce, startApp, withClient } from './helpers.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'tbyte', 'migrations');
let server: RunningPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

async function options(url: string, revision: string): Promise<MigrateOptions> {
  return { databaseUrl: url, migrations: await readMigrations(EXAMPLE), lockTimeoutMs: 2_000, statementTimeoutMs: 30_000, maxLockRetries: 2, appliedBy: 'test', revision };
}

/** The first release: only the users table, and v1 serving. */
async function deployV1(url: string): Promise<void> {
  const first = await runExpand({ ...(await options(url, 'v1')), upTo: '0000_init' });
  expect(first.applied).toEqual([{ name: '0000_init', phase: 'expand' }]);
  expect((await runAppOnce(url, 'v1')).code).toBe(0);
}

const promotedLongAgo: ContractGuardInput = { aborted: false, promotedAtMs: 0, nowMs: 600_000, bakeTimeMs: 600_000, olderRevisionProcesses: 0 };

describe('the tbyte example', () => {
  it('lints clean and its manifest points at it', async () => {
    const lint = await lintMigrations(await readMigrations(EXAMPLE));
    expect(lint.flatMap((l) => l.findings)).toEqual([]);
    const m = await readSchemaMigration(join(EXAMPLE, 'schema-migration.yaml'));
    expect(migrationsDirOf(m)).toBe(EXAMPLE);
    expect(m.spec).toMatchObject({ databaseUrl: { env: 'TBYTE_DATABASE_URL' }, lockTimeoutMs: 3_000, bakeTimeMs: 600_000 });
  });

  it('goes out with a canary: expand before v2 starts, v2 writes both, promotion, contract', async () => {
    const url = await freshDatabase(server.url);
    await deployV1(url);
    // The control: v2 cannot start on the old schema.
    const early = await runAppOnce(url, 'v2');
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/email_verified/);

    const opts = await options(url, 'v2');
    const before = await readStatus(opts);
    expect(mayStartNewRevision(before.plan)).toBe(false);
    const expand = await runExpand(opts);
    expect(expand).toEqual({ outcome: 'done', applied: [{ name: '0001_email_verified', phase: 'expand' }, { name: '0001_email_verified', phase: 'backfill' }] });
    expect(mayStartNewRevision((await readStatus(opts)).plan)).toBe(true);

    // Canary: both revisions serve against the expanded schema.
    expect((await runAppOnce(url, 'v2')).code).toBe(0);
    expect((await runAppOnce(url, 'v1')).code).toBe(0);
    // v1's row written during the canary has the default, not the truth, until the final backfill.
    const stale = await withClient(url, (c) => c.query("SELECT count(*)::int AS n FROM users WHERE email LIKE 'v1-%' AND email_verified = false"));
    expect(stale.rows[0]).toEqual({ n: 1 });

    const contract = await runContract({ ...opts, guard: promotedLongAgo });
    expect(contract).toEqual({ outcome: 'done', applied: [{ name: '0001_email_verified', phase: 'backfill' }, { name: '0001_email_verified', phase: 'contract' }] });
    expect(await columnsOf(url, 'users')).not.toContain('email_confirmed_at');
    const verified = await withClient(url, (c) => c.query('SELECT bool_and(email_verified) AS all FROM users'));
    expect(verified.rows[0]).toEqual({ all: true });
    expect((await runAppOnce(url, 'v2')).code).toBe(0);

    const audit = await auditRows(url);
    expect(audit.map((r) => [r.name, r.phase, r.status, r.revision])).toEqual([
      ['0000_init', 'expand', 'done', 'v1'],
      ['0001_email_verified', 'expand', 'done', 'v2'],
      ['0001_email_verified', 'backfill', 'done', 'v2'],
      ['0001_email_verified', 'backfill', 'done', 'v2'],
      ['0001_email_verified', 'contract', 'done', 'v2'],
    ]);
    expect(audit[2]?.rows_affected).toBe('1');
  });

  it('an abort keeps the expanded schema and v1 working, and the contract never runs', async () => {
    const url = await freshDatabase(server.url);
    await deployV1(url);
    const opts = await options(url, 'v2');
    expect((await runExpand(opts)).outcome).toBe('done');
    // The engine aborts the canary; later it asks about the contract.
    const aborted = { ...promotedLongAgo, aborted: true };
    const contract = await runContract({ ...opts, guard: aborted });
    expect(contract).toMatchObject({ outcome: 'never', decision: { action: 'never', reason: 'aborted' } });
    expect(await columnsOf(url, 'users')).toEqual(['id', 'email', 'email_confirmed_at', 'created_at', 'email_verified']);
    expect((await runAppOnce(url, 'v1')).code).toBe(0);
    expect((await auditRows(url)).filter((r) => r.phase === 'contract')).toEqual([]);
    expect(await runExpand({ ...opts, aborted: true })).toEqual({ outcome: 'skipped', reason: 'aborted', applied: [] });
  });

  it('the contract waits while a v1 process is alive, then for the bake time, then runs', async () => {
    const url = await freshDatabase(server.url);
    await deployV1(url);
    const opts = await options(url, 'v2');
    await runExpand(opts);
    const v1 = await startApp(url, 'v1');
    const promotedAt = 1_000;
    const guard = (nowMs: number): ContractGuardInput => ({
      aborted: false, promotedAtMs: promotedAt, nowMs, bakeTimeMs: 600_000,
      olderRevisionProcesses: v1.exitCode === null && v1.signalCode === null ? 1 : 0,
    });
    try {
      const waiting = await runContract({ ...opts, guard: guard(900_000) });
      expect(waiting).toMatchObject({ outcome: 'waiting', decision: { reason: 'old-revision-running' } });
      expect(await columnsOf(url, 'users')).toContain('email_confirmed_at');
    } finally {
      v1.kill('SIGTERM');
      await exited(v1);
    }
    const baking = await runContract({ ...opts, guard: guard(300_000) });
    expect(baking).toMatchObject({ outcome: 'waiting', decision: { reason: 'baking', untilMs: 601_000 } });
    expect(await columnsOf(url, 'users')).toContain('email_confirmed_at');
    const done = await runContract({ ...opts, guard: guard(601_000) });
    expect(done.outcome).toBe('done');
    expect(await columnsOf(url, 'users')).not.toContain('email_confirmed_at');
  });
});
