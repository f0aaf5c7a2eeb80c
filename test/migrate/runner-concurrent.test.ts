/**
 * `DETACH PARTITION ... CONCURRENTLY`, which PostgreSQL refuses inside a transaction block, run
 * by the real runner on a real server: alone in its file (so nothing else makes the file run
 * statement by statement), and interrupted by a lock timeout, then finished with FINALIZE on the
 * retry.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runContract, runExpand, type RunnerEvent } from '../../src/adapters/migrate/runner.js';
import { tempDir } from '../support/net.js';
import { auditRows, freshDatabase, optionsFor, usePostgresServer, withClient, writeMigrations, type MigrationFiles } from './helpers.js';

const { url: serverUrl, cleanups } = usePostgresServer();

const INIT: MigrationFiles = {
  '0000_events': {
    expand: `CREATE TABLE IF NOT EXISTS events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE IF NOT EXISTS events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE IF NOT EXISTS events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');`,
  },
};
const DETACH: MigrationFiles = {
  '0001_archive_2024': {
    expand: 'ALTER TABLE events ADD COLUMN IF NOT EXISTS source text;',
    contract: 'ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;',
  },
};

async function setUp(): Promise<{ url: string; dir: string }> {
  const url = await freshDatabase(serverUrl());
  const tmp = await tempDir('baton-mig-');
  cleanups.push(tmp.remove);
  await writeMigrations(tmp.path, { ...INIT, ...DETACH });
  expect((await runExpand(await optionsFor(url, tmp.path))).outcome).toBe('done');
  return { url, dir: tmp.path };
}

async function partitions(url: string): Promise<{ name: string; pending: boolean }[]> {
  return withClient(url, async (c) => {
    const r = await c.query<{ name: string; pending: boolean }>("SELECT inhrelid::regclass::text AS name, inhdetachpending AS pending FROM pg_inherits WHERE inhparent = 'events'::regclass ORDER BY 1");
    return r.rows;
  });
}

describe('DETACH PARTITION ... CONCURRENTLY', () => {
  it('runs outside a transaction, statement by statement, and detaches the partition', async () => {
    const { url, dir } = await setUp();
    const out = await runContract({ ...(await optionsFor(url, dir)), guard: 'manual' });
    expect(out).toEqual({ outcome: 'done', applied: [{ name: '0001_archive_2024', phase: 'contract' }] });
    expect(await partitions(url)).toEqual([{ name: 'events_2025', pending: false }]);
    const row = (await auditRows(url)).find((r) => r.name === '0001_archive_2024' && r.phase === 'contract');
    expect(row).toMatchObject({ status: 'done', statements_done: 1, statements_total: 1 });
    expect(await withClient(url, (c) => c.query<{ transactional: boolean }>("SELECT transactional FROM baton_schema_migrations WHERE phase = 'contract'"))).toMatchObject({ rows: [{ transactional: false }] });
  });

  it('after a lock timeout left the partition pending detach, the retry finishes it with FINALIZE', async () => {
    const { url, dir } = await setUp();
    // A transaction that has seen events: the detach's second step must wait for it.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('BEGIN');
    await holder.query('SELECT count(*) FROM events');
    const events: RunnerEvent[] = [];
    const pendingSeen: boolean[] = [];
    const out = await runContract({
      ...(await optionsFor(url, dir, {
        lockTimeoutMs: 300,
        maxLockRetries: 3,
        retryBaseMs: 10,
        onEvent: (e) => events.push(e),
        // The back-off wait is where the old transaction ends.
        sleep: async () => {
          pendingSeen.push((await partitions(url)).some((p) => p.name === 'events_2024' && p.pending));
          await holder.query('COMMIT');
        },
      })),
      guard: 'manual',
    });
    expect(out.outcome).toBe('done');
    expect(pendingSeen).toEqual([true]);
    expect(events.filter((e) => e.type === 'lock-timeout').map((e) => (e.type === 'lock-timeout' ? e.line : 0))).toEqual([1]);
    expect(await partitions(url)).toEqual([{ name: 'events_2025', pending: false }]);
    expect((await auditRows(url)).find((r) => r.phase === 'contract')).toMatchObject({ status: 'done', attempts: 2, statements_done: 1 });
  });
});
