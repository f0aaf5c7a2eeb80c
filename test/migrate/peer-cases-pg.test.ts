/**
 * The facts Baton's lint verdicts rest on, checked on a real PostgreSQL server (Debian's
 * postgresql 15): which statements scan or rewrite a table, which locks they take, which refuse
 * to run in a transaction block, and that the never-volatile function list is right. Every
 * peer case about a type change or SET NOT NULL is replayed, and the server's behaviour must
 * match Baton's verdict (or, where Baton differs on purpose, the peer's).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseSqlFile } from '../../src/adapters/migrate/sql-parser.js';
import { mustRunOutsideTransaction } from '../../src/core/migrate/ast.js';
import { lintFile } from '../../src/core/migrate/lint.js';
import { NON_VOLATILE_FUNCTIONS } from '../../src/core/migrate/non-volatile-functions.js';
import { writeBlockingLocks } from '../../src/core/migrate/rule-kit.js';
import { emptyFacts, observeStatement } from '../../src/core/migrate/schema-facts.js';
import type { LintPhase } from '../../src/core/migrate/types.js';
import { freshDatabase, usePostgresServer, withClient } from './helpers.js';
import { SQUAWK_CASES } from './peer-cases/squawk.js';
import { STRONG_CASES } from './peer-cases/strong-migrations.js';

const { url: serverUrl } = usePostgresServer();

async function statements(text: string) {
  return text.trim() === '' ? [] : (await parseSqlFile({ path: 'case.sql', text, checksum: '' })).statements;
}

/** Baton's rule ids for `sql` in `phase`, after `before`. */
async function lintIds(sql: string, phase: LintPhase, before = ''): Promise<string[]> {
  const facts = emptyFacts();
  for (const s of await statements(before)) observeStatement(facts, s.node);
  const parsed = await parseSqlFile({ path: `${phase}.sql`, text: sql, checksum: '' });
  return lintFile(parsed, phase, facts).findings.map((f) => f.ruleId);
}

/** Sequential scans of, and files behind, every table and index of the public schema, as this session sees them. */
async function footprint(c: pg.Client): Promise<string> {
  const { rows } = await c.query<{ r: string }>(
    `SELECT string_agg(c.relname || ':' || pg_relation_filenode(c.oid) || ':' || CASE WHEN c.relkind = 'r' THEN pg_stat_get_xact_numscans(c.oid) ELSE 0 END, ',' ORDER BY c.relname) AS r
     FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')`,
  );
  return rows[0]?.r ?? '';
}

/**
 * Replays `sql` after `before` on a fresh database, and says whether any statement matching
 * `target` scanned or rewrote a table (or rebuilt an index). The tables are empty: PostgreSQL
 * decides to scan or rewrite from the catalog alone, and an empty table shows the decision too.
 */
async function scansOrRewrites(before: string, sql: string, target: RegExp, session?: string, indexColumns = true): Promise<boolean> {
  const url = await freshDatabase(serverUrl());
  return withClient(url, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS citext');
    for (const s of await statements(before)) await c.query(s.text);
    if (indexColumns) {
      for (const m of sql.matchAll(/ALTER TABLE (\w+) ALTER COLUMN "?(\w+)"? TYPE/g)) await c.query(`CREATE INDEX IF NOT EXISTS ${m[2]}_probe_idx ON ${m[1]} ("${m[2]}")`);
    }
    await c.query('BEGIN');
    try {
      if (session) await c.query(session);
      let touched = false;
      for (const s of await statements(sql)) {
        const was = await footprint(c);
        await c.query(s.text);
        if (target.test(s.text) && (await footprint(c)) !== was) touched = true;
      }
      return touched;
    } finally {
      await c.query('ROLLBACK');
    }
  });
}

it('every function on the never-volatile allow-list exists and is never VOLATILE on this server', async () => {
  const names = [...NON_VOLATILE_FUNCTIONS];
  const { rows } = await withClient(serverUrl(), (c) =>
    c.query<{ proname: string; volatile: boolean }>('SELECT proname, bool_or(provolatile = $2) AS volatile FROM pg_proc WHERE proname = ANY($1) GROUP BY proname', [names, 'v']),
  );
  expect(rows.filter((r) => r.volatile).map((r) => r.proname)).toEqual([]);
  expect(rows.length).toBe(names.length);
  expect(rows.length).toBeGreaterThan(500);
});

describe('ADD COLUMN with a default: Baton flags volatile-default exactly when PostgreSQL rewrites the table', () => {
  const defs = [
    'integer DEFAULT 10', 'boolean DEFAULT true', 'uuid DEFAULT gen_random_uuid()', 'timestamptz DEFAULT clock_timestamp()',
    'boolean DEFAULT random() > 0.5', 'timestamptz DEFAULT now()', 'timestamptz DEFAULT current_timestamp',
    "timestamptz NOT NULL DEFAULT now() - interval '100 years'", 'integer DEFAULT 2 + 2', "jsonb DEFAULT '{}'::jsonb",
    'double precision[] DEFAULT array[]::double precision[]', "text DEFAULT lower('ABC')", "text DEFAULT to_char(now(), 'YYYY')",
    "uuid DEFAULT md5(random()::text)::uuid", 'bigserial', 'serial', 'numeric GENERATED ALWAYS AS (a + 1) STORED', 'date DEFAULT current_date',
    'bigint DEFAULT txid_current()', "text DEFAULT current_setting('TimeZone')",
  ];
  it.each(defs.map((d) => [d]))('%s', async (def) => {
    const sql = `ALTER TABLE t ADD COLUMN IF NOT EXISTS c ${def};`;
    const flagged = (await lintIds(sql, 'expand')).includes('volatile-default');
    expect(await scansOrRewrites('CREATE TABLE IF NOT EXISTS t (a int);', sql, /ADD COLUMN/, undefined, false)).toBe(flagged);
  });
});

describe('type changes and SET NOT NULL of the peer cases: PostgreSQL scans or rewrites exactly when Baton flags (or, where Baton differs on purpose, as the peer says)', () => {
  const TARGET = /ALTER COLUMN \S+ (TYPE|SET NOT NULL)/;
  const rows = [...STRONG_CASES, ...SQUAWK_CASES].filter((c) => c.before && TARGET.test(c.sql) && !/UPDATE/.test(c.sql));
  it.each(rows.map((c) => [`${c.peer} ${c.test}`, c] as const))('%s', async (_name, c) => {
    const flagged = (await lintIds(c.sql, c.phase, c.before)).some((id) => id === 'change-column-type' || id === 'set-not-null');
    // Where Baton is stricter on purpose, the server shows the peer's verdict holds in the peer's own setting (no index for citext).
    const expected = c.differs ? c.peer_verdict === 'flag' : flagged;
    expect(await scansOrRewrites(c.before ?? '', c.sql, TARGET, c.session, !c.differs)).toBe(expected);
  });
  it('covers the cases', () => expect(rows.length).toBeGreaterThan(30));
});

/** The strongest table lock `sql` leaves this session holding on `table`, in a transaction. */
async function lockOn(setup: string, sql: string, table: string): Promise<string[]> {
  const url = await freshDatabase(serverUrl());
  return withClient(url, async (c) => {
    for (const s of await statements(setup)) await c.query(s.text);
    await c.query('BEGIN');
    try {
      await c.query(sql);
      const { rows } = await c.query<{ mode: string }>('SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = $1::regclass ORDER BY mode', [table]);
      return rows.map((r) => r.mode);
    } finally {
      await c.query('ROLLBACK');
    }
  });
}

describe('locks: what the rules say a statement takes, and what writeBlockingLocks assumes', () => {
  const SETUP = `CREATE DOMAIN positive AS int;
ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID;
CREATE TABLE users (id int PRIMARY KEY, name text, score positive);
CREATE TABLE orders (id int PRIMARY KEY, user_id int);
ALTER TABLE users ADD CONSTRAINT users_name_present CHECK (name <> '') NOT VALID;
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`;
  const cases: [string, string, string][] = [
    ["ALTER TABLE users ADD CONSTRAINT c CHECK (name <> 'x') NOT VALID", 'users', 'AccessExclusiveLock'],
    ['ALTER TABLE users VALIDATE CONSTRAINT users_name_present', 'users', 'ShareUpdateExclusiveLock'],
    ['ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID', 'users', 'ShareRowExclusiveLock'],
    ['ALTER TABLE m DETACH PARTITION m_2024', 'm', 'AccessExclusiveLock'],
    ['REINDEX TABLE users', 'users', 'ShareLock'],
    ['CREATE INDEX users_name_idx ON users (name)', 'users', 'ShareLock'],
    ['ALTER TABLE users ADD CONSTRAINT no_dup EXCLUDE USING btree (id WITH =)', 'users', 'AccessExclusiveLock'],
    ['ALTER DOMAIN positive VALIDATE CONSTRAINT positive_check', 'users', 'ShareLock'],
  ];
  it.each(cases)('%s holds %s %s', async (sql, table, mode) => {
    expect(await lockOn(SETUP, sql, table)).toContain(mode);
  });

  it('writeBlockingLocks names the table exactly when the lock blocks writes (SHARE or stronger)', async () => {
    const blocking = new Set(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock']);
    for (const [sql, table, mode] of cases.filter(([s]) => !s.startsWith('ALTER DOMAIN') && !s.startsWith('REINDEX'))) {
      const node = (await statements(sql))[0]?.node;
      expect(node && writeBlockingLocks(node).includes(table), sql).toBe(blocking.has(mode));
    }
  });

  it('VALIDATE in the transaction that added the constraint NOT VALID still holds ACCESS EXCLUSIVE (validate-same-transaction)', async () => {
    const modes = await lockOn(SETUP, "ALTER TABLE users ADD CONSTRAINT c CHECK (name <> 'x') NOT VALID; ALTER TABLE users VALIDATE CONSTRAINT c", 'users');
    expect(modes).toContain('AccessExclusiveLock');
    expect(await lintIds("ALTER TABLE users ADD CONSTRAINT c CHECK (name <> 'x') NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;", 'contract')).toContain('validate-same-transaction');
  });
});

describe('statements PostgreSQL refuses in a transaction block are the ones Baton runs outside one', () => {
  const SETUP = `CREATE TABLE users (id int, name text);
CREATE INDEX users_name_idx ON users (name);
CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`;
  const sqls = [
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_id_idx ON users (id)', 'DROP INDEX CONCURRENTLY IF EXISTS users_name_idx',
    'REINDEX INDEX CONCURRENTLY users_name_idx', 'REINDEX (CONCURRENTLY) TABLE users', 'ALTER TABLE m DETACH PARTITION m_2024 CONCURRENTLY',
    'VACUUM users', 'CREATE INDEX IF NOT EXISTS users_id_idx ON users (id)', 'ALTER TABLE m DETACH PARTITION m_2024', 'REINDEX INDEX users_name_idx',
    "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'",
  ];
  it.each(sqls.map((s) => [s]))('%s', async (sql) => {
    const outside = mustRunOutsideTransaction((await statements(sql))[0]!.node);
    const url = await freshDatabase(serverUrl());
    const refused = await withClient(url, async (c) => {
      for (const s of await statements(`${SETUP}\nCREATE TYPE mood AS ENUM ('ok');`)) await c.query(s.text);
      await c.query('BEGIN');
      try {
        await c.query(sql);
        return false;
      } catch (e) {
        expect((e as { code?: string }).code).toBe('25001');
        return true;
      } finally {
        await c.query('ROLLBACK');
      }
    });
    expect(refused).toBe(outside);
  });
});

it('a json column breaks SELECT DISTINCT over the table, a jsonb one does not (json-column)', async () => {
  const url = await freshDatabase(serverUrl());
  await withClient(url, async (c) => {
    await c.query("CREATE TABLE users (id int, name text); INSERT INTO users VALUES (1, 'a')");
    await c.query('ALTER TABLE users ADD COLUMN settings jsonb');
    await expect(c.query('SELECT DISTINCT * FROM users')).resolves.toMatchObject({ rowCount: 1 });
    await c.query('ALTER TABLE users ADD COLUMN properties json');
    await expect(c.query('SELECT DISTINCT * FROM users')).rejects.toMatchObject({ code: '42883' });
  });
  expect(await lintIds('ALTER TABLE users ADD COLUMN IF NOT EXISTS properties json;', 'expand')).toEqual(['json-column']);
  expect(await lintIds('ALTER TABLE users ADD COLUMN IF NOT EXISTS settings jsonb;', 'expand')).toEqual([]);
});
