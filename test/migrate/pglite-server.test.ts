/**
 * The embedded database served over the PostgreSQL wire protocol: real `pg` clients on real
 * sockets against a PGlite in its own thread, as the processes of `baton up` use it while the
 * controller migrates it through an in-process session.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import pg from 'pg';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { servePglite, type ServedPglite } from '../../src/adapters/migrate/pglite-server.js';
import { startPgliteThread, type PgliteThread } from '../../src/adapters/migrate/pglite-thread.js';
import { ReadyScanner, queryMessage } from '../../src/adapters/migrate/pglite-wire.js';

const PASSWORD = 'test-password-Zx9';
let db: PgliteThread;
let served: ServedPglite;
const clients: { end(): Promise<void> }[] = [];

beforeAll(async () => {
  db = await startPgliteThread(undefined);
  served = await servePglite(db, { password: PASSWORD });
  await db.exec('CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, email_confirmed_at timestamptz)');
}, 120_000);
afterEach(async () => {
  for (const c of clients.splice(0)) await c.end().catch(() => undefined);
  await db.exec('TRUNCATE users');
});
afterAll(async () => {
  await served?.close();
  await db?.close();
});

function pool(max: number): pg.Pool {
  const p = new pg.Pool({ connectionString: served.url, max });
  clients.push(p);
  return p;
}

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: served.url });
  await c.connect();
  clients.push(c);
  return c;
}

it('answers a PostgreSQL client at its postgres:// URL', async () => {
  expect(served.url).toBe(`postgres://postgres:${PASSWORD}@127.0.0.1:${served.port}/postgres`);
  expect(served.address).toBe(`postgres://postgres@127.0.0.1:${served.port}/postgres`);
  const c = await client();
  const r = await c.query<{ v: string }>('SELECT version() AS v');
  expect(r.rows[0]!.v).toMatch(/^PostgreSQL \d+/);
});

it('keeps parameterised queries of concurrent connections apart, while the controller alters the table in a transaction', async () => {
  // Two processes' pools, four connections each, writing as fast as they can with bind parameters
  // (Parse/Bind/Execute/Sync): interleaved single messages would fail with 'portal "" cannot be run'.
  const writers = [pool(4), pool(4)];
  let running = true;
  let written = 0;
  const errors: string[] = [];
  const loops = writers.flatMap((p, w) =>
    Array.from({ length: 4 }, async (_, i) => {
      while (running) {
        try {
          await p.query('INSERT INTO users (email, email_confirmed_at) VALUES ($1, now())', [`w${w}-${i}@example.com`]);
          written++;
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    }),
  );
  const session = served.session();
  try {
    while (written < 200) await new Promise((r) => setImmediate(r));
    await session.query('BEGIN');
    await session.query('ALTER TABLE users ADD COLUMN IF NOT EXISTS email_verified boolean DEFAULT false');
    // Nobody else runs while the controller's transaction is open: an insert that slipped in
    // would run inside it and show in its count.
    const before = await session.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    // The writers are queued behind it, not run.
    await vi.waitFor(() => expect(served.waiting()).toBeGreaterThan(0));
    const after = await session.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    await session.query('COMMIT');
    const committed = written;
    while (written < committed + 200) await new Promise((r) => setImmediate(r));
  } finally {
    running = false;
    await Promise.all(loops);
    await session.close();
  }
  expect(errors).toEqual([]);
  const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  expect(count.rows[0]!.n).toBe(written);
  await db.exec('ALTER TABLE users DROP COLUMN email_verified');
}, 60_000);

it('runs a transaction of one connection alone: the other waits, and a rollback takes back only its own rows', async () => {
  const a = await client();
  const b = await client();
  await a.query('BEGIN');
  await a.query("INSERT INTO users (email) VALUES ('a@example.com')");
  let bDone = false;
  const bWrite = b.query("INSERT INTO users (email) VALUES ('b@example.com')").then(() => (bDone = true));
  await vi.waitFor(() => expect(served.waiting()).toBe(1));
  expect(bDone).toBe(false);
  await a.query('ROLLBACK');
  await bWrite;
  const rows = await db.query<{ email: string }>('SELECT email FROM users ORDER BY id');
  expect(rows.rows.map((r) => r.email)).toEqual(['b@example.com']);
});

it('rolls back the transaction of a client that disconnects in the middle of it, and serves the others', async () => {
  const b = await client();
  const a = new pg.Client({ connectionString: served.url });
  a.on('error', () => undefined); // its own socket is cut below
  await a.connect();
  await a.query('BEGIN');
  await a.query("INSERT INTO users (email) VALUES ('gone@example.com')");
  const bWrite = b.query("INSERT INTO users (email) VALUES ('stays@example.com')");
  // The process dies: its socket closes without a Terminate or a ROLLBACK.
  (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  await bWrite;
  expect(await db.inTransaction()).toBe(false);
  const rows = await db.query<{ email: string }>('SELECT email FROM users ORDER BY id');
  expect(rows.rows.map((r) => r.email)).toEqual(['stays@example.com']);
});

it('answers an SSL request with N, as a server without TLS does, and then serves the startup', async () => {
  const s = connect(served.port, '127.0.0.1');
  await once(s, 'connect');
  const ssl = Buffer.alloc(8);
  ssl.writeInt32BE(8, 0);
  ssl.writeInt32BE(80877103, 4);
  s.write(ssl);
  const [answer] = (await once(s, 'data')) as [Buffer];
  expect(answer.toString()).toBe('N');
  s.destroy();
  // A client with sslmode=prefer gets the same answer and carries on without TLS.
  const c = await client();
  expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
});

it('closes a connection that sends garbage instead of a startup packet, and keeps serving', async () => {
  const s = connect(served.port, '127.0.0.1');
  await once(s, 'connect');
  s.write(Buffer.from([0, 0, 0, 2, 1, 2, 3, 4]));
  await once(s, 'close');
  const c = await client();
  expect((await c.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
});

it('refuses a message type it does not pass on with an ErrorResponse, closes that connection, and keeps serving', async () => {
  const c = await client();
  const stream = (c as unknown as { connection: { stream: import('node:net').Socket } }).connection.stream;
  const answer = new Promise<Buffer>((resolve) => stream.once('data', resolve));
  c.on('error', () => undefined);
  // 'y' is no frontend message; PGlite itself would loop on it forever.
  stream.write(Buffer.from([0x79, 0, 0, 0, 4]));
  const bytes = await answer;
  expect(String.fromCharCode(bytes[0]!)).toBe('E');
  expect(bytes.toString()).toContain('08P01');
  expect(bytes.toString()).toContain("message type 'y' is not supported");
  const other = await client();
  expect((await other.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
});

it('refuses COPY FROM STDIN with SQLSTATE 0A000 (it would end PGlite), and keeps serving', async () => {
  const c = new pg.Client({ connectionString: served.url });
  c.on('error', () => undefined);
  await c.connect();
  await expect(c.query('COPY users (email) FROM STDIN')).rejects.toMatchObject({ code: '0A000' });
  await c.end().catch(() => undefined);
  const other = await client();
  await other.query("INSERT INTO users (email) VALUES ('after@example.com')");
  expect((await other.query('SELECT count(*)::int AS n FROM users')).rows).toEqual([{ n: 1 }]);
});

it('drops the turn of a connection that closes while it waits, so the next one is not stuck behind it', async () => {
  const a = await client();
  const b = new pg.Client({ connectionString: served.url });
  b.on('error', () => undefined);
  await b.connect();
  const c = await client();
  await a.query('BEGIN');
  const bWaiting = b.query('SELECT 1').catch((e: Error) => e);
  await vi.waitFor(() => expect(served.waiting()).toBe(1));
  (b as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  await bWaiting;
  // Its turn is gone from the queue at once, not when it would have come.
  await vi.waitFor(() => expect(served.waiting()).toBe(0));
  const cWrite = c.query("INSERT INTO users (email) VALUES ('c@example.com')");
  await a.query('COMMIT');
  await cWrite;
  expect((await a.query('SELECT email FROM users')).rows).toEqual([{ email: 'c@example.com' }]);
});

it('drops a query of an in-process session closed while the query waited: it rejects and never takes the backend', async () => {
  const a = await client();
  await a.query('BEGIN');
  const session = served.session();
  const waiting = session.query('BEGIN').then(() => 'ran', (e: Error) => e.message);
  expect(served.waiting()).toBe(1);
  await session.close();
  expect(served.waiting()).toBe(0);
  await a.query('COMMIT');
  expect(await waiting).toMatch(/closed while waiting/);
  expect(await db.inTransaction()).toBe(false);
  const other = await client();
  expect((await other.query('SELECT 4 AS four')).rows).toEqual([{ four: 4 }]);
});

it('finds ReadyForQuery and its status however the answer is split', () => {
  // DataRow-like frame, then ReadyForQuery 'T' (in a transaction), fed one byte at a time.
  const frames = Buffer.from([0x44, 0, 0, 0, 6, 0, 0, 0x5a, 0, 0, 0, 5, 0x54]);
  const scanner = new ReadyScanner();
  scanner.expect();
  for (let i = 0; i < frames.length; i++) {
    scanner.feed(frames.subarray(i, i + 1));
    if (i < frames.length - 1) expect(scanner.ready).toBe(false);
  }
  expect(scanner.ready).toBe(true);
  expect(String.fromCharCode(scanner.status)).toBe('T');
  // And whole, in one chunk, idle.
  scanner.expect();
  scanner.feed(Buffer.from([0x5a, 0, 0, 0, 5, 0x49]));
  expect(String.fromCharCode(scanner.status)).toBe('I');
});

it('takes a statement of several megabytes that arrives in many chunks', async () => {
  const c = await client();
  const big = 'x'.repeat(8 * 1024 * 1024);
  await c.query('INSERT INTO users (email) VALUES ($1)', [big]);
  const r = await c.query<{ n: number }>('SELECT length(email)::int AS n FROM users');
  expect(r.rows).toEqual([{ n: big.length }]);
}, 60_000);

it('refuses a wrong password or another user with 28P01, another database with 3D000, and closes the connection', async () => {
  const at = { host: '127.0.0.1', port: served.port };
  const wrong = new pg.Client({ ...at, user: 'postgres', password: 'not-the-password', database: 'postgres' });
  await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01', message: 'password authentication failed for user "postgres"' });
  const other = new pg.Client({ ...at, user: 'admin', password: PASSWORD, database: 'postgres' });
  await expect(other.connect()).rejects.toMatchObject({ code: '28P01', message: 'password authentication failed for user "admin"' });
  const elsewhere = new pg.Client({ ...at, user: 'postgres', password: PASSWORD, database: 'template1' });
  await expect(elsewhere.connect()).rejects.toMatchObject({ code: '3D000' });
  // The right password still gets in.
  const c = await client();
  expect((await c.query('SELECT current_user AS u')).rows).toEqual([{ u: 'postgres' }]);
});

it('runs nothing for a client that skips the password exchange: its query gets 08P01 and the connection closes', async () => {
  const s = connect(served.port, '127.0.0.1');
  await once(s, 'connect');
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length, 0);
  startup.writeInt32BE(196608, 4);
  const answers: Buffer[] = [];
  s.on('data', (d: Buffer) => answers.push(d));
  s.write(Buffer.concat([startup, params]));
  const sql = Buffer.from("INSERT INTO users (email) VALUES ('sneaked@example.com')\0");
  const query = Buffer.alloc(5);
  query[0] = 0x51;
  query.writeInt32BE(4 + sql.length, 1);
  s.write(Buffer.concat([query, sql]));
  await once(s, 'close');
  const answer = Buffer.concat(answers);
  // AuthenticationSASL (R, code 10, SCRAM-SHA-256), then the refusal.
  expect(answer[0]).toBe(0x52);
  expect(answer.readInt32BE(5)).toBe(10);
  expect(answer.toString('latin1')).toContain('SCRAM-SHA-256');
  expect(answer.toString('latin1')).toContain('08P01');
  expect((await db.query('SELECT count(*)::int AS n FROM users')).rows).toEqual([{ n: 0 }]);

  // Nor is a large message buffered before the password is checked: one announced at 1 MiB ends the connection.
  const big = connect(served.port, '127.0.0.1');
  await once(big, 'connect');
  big.on('data', () => undefined);
  big.write(Buffer.concat([startup, params]));
  const header = Buffer.alloc(5);
  header[0] = 0x70;
  header.writeInt32BE(1024 * 1024, 1);
  big.write(header);
  await once(big, 'close');
});

it('keeps the event loop of the process that serves it free while a client sleeps in a statement; only other database clients wait', async () => {
  const http = createServer((_req, res) => res.end('ok'));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  try {
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    const sleeper = await client();
    const other = await client();
    const started = performance.now();
    let done = false;
    const slept = sleeper.query('SELECT pg_sleep(5)').then(() => ((done = true), performance.now() - started));
    let otherDone = false;
    await vi.waitFor(() => expect(served.waiting()).toBe(0));
    const otherQuery = other.query('SELECT 1 AS one').then(() => (otherDone = true));
    const latencies: number[] = [];
    while (!done) {
      const t = performance.now();
      const r = await request(url);
      await r.body.text();
      latencies.push(performance.now() - t);
      if (!done) expect(otherDone).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await slept).toBeGreaterThanOrEqual(4_900);
    await otherQuery;
    // About one probe each 50 ms for 5 s, answered at once: on the controller's thread they
    // all waited for the 5 s statement. (The bound on the slowest leaves room for a busy machine.)
    expect(latencies.length).toBeGreaterThan(40);
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.95)]).toBeLessThan(100);
    expect(sorted.at(-1)).toBeLessThan(500);
  } finally {
    http.close();
  }
}, 60_000);

it('cancels a statement that runs past the statement timeout with 57014; the connection and what was committed stay', async () => {
  const quick = await servePglite(db, { password: PASSWORD, statementTimeoutMs: 500 });
  try {
    const c = new pg.Client({ connectionString: quick.url });
    await c.connect();
    clients.push(c);
    await c.query("INSERT INTO users (email) VALUES ('kept@example.com')");
    const restarts = db.restarts();
    // A simple query.
    await expect(c.query('SELECT pg_sleep(30)')).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    expect(db.restarts()).toBe(restarts + 1);
    expect((await c.query('SELECT email FROM users')).rows).toEqual([{ email: 'kept@example.com' }]);
    // Parse/Bind/Execute/Sync: the rest of the batch is dropped up to its Sync.
    await expect(c.query('SELECT pg_sleep($1)', [30])).rejects.toMatchObject({ code: '57014' });
    expect((await c.query('SELECT $1::int AS n', [5])).rows).toEqual([{ n: 5 }]);
    // In a transaction: aborted, as after any error, until the client's ROLLBACK.
    await c.query('BEGIN');
    await c.query("INSERT INTO users (email) VALUES ('lost@example.com')");
    await expect(c.query('SELECT pg_sleep(30)')).rejects.toMatchObject({ code: '57014' });
    await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await c.query('ROLLBACK');
    expect((await c.query('SELECT email FROM users')).rows).toEqual([{ email: 'kept@example.com' }]);
    expect(db.restarts()).toBe(restarts + 3);
    // The other server's clients, on the reopened database, too.
    const other = await client();
    expect((await other.query('SELECT count(*)::int AS n FROM users')).rows).toEqual([{ n: 1 }]);
  } finally {
    await quick.close();
  }
}, 90_000);

it('reopens the database when PGlite itself fails in its thread, from what was committed', async () => {
  await db.exec("INSERT INTO users (email) VALUES ('committed@example.com')");
  const restarts = db.restarts();
  // COPY FROM STDIN ends PGlite's program (the server refuses it; here it goes to the thread directly).
  await expect(db.protocol(queryMessage('COPY users (email) FROM STDIN'), () => undefined)).rejects.toMatchObject({
    code: 'database-reopened',
    message: expect.stringContaining('PGlite failed (PGlite exited with status') as unknown,
  });
  expect(db.restarts()).toBe(restarts + 1);
  expect((await db.query('SELECT email FROM users')).rows).toEqual([{ email: 'committed@example.com' }]);
  const c = await client();
  expect((await c.query('SELECT count(*)::int AS n FROM users')).rows).toEqual([{ n: 1 }]);
}, 60_000);
