/**
 * Benchmark: the embedded database `baton up` serves to the services (PGlite in its own thread,
 * behind SCRAM and a statement timeout), against PGlite run in process as the reference.
 *
 * 1. The serving process' event loop while a client runs `SELECT pg_sleep(S)`: latency of HTTP
 *    requests to a server in the same process, one every 20 ms, served vs PGlite running the
 *    same statement on the process' own thread (how the served database ran before).
 * 2. Throughput: a `pg` pool of 8 inserting one row per query with a bind parameter for D
 *    seconds through the served database, vs the same statement through `PGlite.query` in
 *    process (no wire, no thread): the cost of the protocol, the lane and the thread.
 * 3. The price of a statement timeout: from the timed-out client's 57014 back to a query answered
 *    (the database is reopened).
 *
 * Run: npx tsx bench/pglite-served/run.ts [--sleep 5] [--duration 5]
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { request } from 'undici';
import { servePglite } from '../../src/adapters/migrate/pglite-server.js';
import { startPgliteThread } from '../../src/adapters/migrate/pglite-thread.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SLEEP_S = arg('sleep', 5);
const DURATION_S = arg('duration', 5);

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

/** HTTP probe latencies in this process while `busy` runs. */
async function probeWhile(busy: () => Promise<unknown>): Promise<number[]> {
  const http = createServer((_req, res) => res.end('ok'));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  const latencies: number[] = [];
  let done = false;
  const work = busy().finally(() => (done = true));
  while (!done) {
    const t = performance.now();
    const r = await request(url);
    await r.body.text();
    latencies.push(performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await work;
  http.close();
  return latencies;
}

async function insertsFor(seconds: number, insert: (i: number) => Promise<unknown>, workers: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < until) await insert(w * 1_000_000 + n++);
    }),
  );
  return n / seconds;
}

console.log(`pglite-served: sleep ${SLEEP_S} s, duration ${DURATION_S} s, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const thread = await startPgliteThread(undefined);
const served = await servePglite(thread, { password: 'bench', statementTimeoutMs: 60_000 });
const inProcess = await PGlite.create();
try {
  await thread.exec('CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)');
  await inProcess.exec('CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)');

  const client = new pg.Client({ connectionString: served.url });
  await client.connect();
  const threaded = await probeWhile(() => client.query(`SELECT pg_sleep(${SLEEP_S})`));
  const onLoop = await probeWhile(() => inProcess.query(`SELECT pg_sleep(${SLEEP_S})`));
  console.log('\n1. HTTP probes while a client sleeps in a statement (same process)');
  console.log('| PGlite | probes | p50 | p95 | max |\n|---|---:|---:|---:|---:|');
  for (const [name, xs] of [['served, own thread', threaded], ['in process (reference)', onLoop]] as const) {
    console.log(`| ${name} | ${xs.length} | ${ms(pct(xs, 0.5))} | ${ms(pct(xs, 0.95))} | ${ms(Math.max(...xs))} |`);
  }

  const pool = new pg.Pool({ connectionString: served.url, max: 8 });
  const wire = await insertsFor(DURATION_S, (i) => pool.query('INSERT INTO users (email) VALUES ($1)', [`u${i}@example.com`]), 8);
  const direct = await insertsFor(DURATION_S, (i) => inProcess.query('INSERT INTO users (email) VALUES ($1)', [`u${i}@example.com`]), 8);
  await pool.end();
  console.log('\n2. INSERTs with a bind parameter, 8 at a time');
  console.log(`| path | inserts/s |\n|---|---:|\n| served (pg pool of 8) | ${wire.toFixed(0)} |\n| PGlite.query in process (reference) | ${direct.toFixed(0)} |`);
  console.log(`ratio served / in process: ${(wire / direct).toFixed(2)}`);

  const quick = await servePglite(thread, { password: 'bench', statementTimeoutMs: 200 });
  const c = new pg.Client({ connectionString: quick.url });
  await c.connect();
  const back: number[] = [];
  for (let i = 0; i < 3; i++) {
    await c.query('SELECT pg_sleep(10)').catch((e: { code?: string }) => {
      if (e.code !== '57014') throw e;
    });
    const t = performance.now();
    await c.query('SELECT 1');
    back.push(performance.now() - t);
  }
  // The 57014 comes once the database has reopened; this is the wait after the timeout.
  const timed: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await c.query('SELECT pg_sleep(10)').catch(() => undefined);
    timed.push(performance.now() - t - 200);
  }
  await c.end();
  await quick.close();
  console.log('\n3. Statement timeout (200 ms): from the timeout to the 57014 (the database reopens)');
  console.log(`reopen: median ${ms(pct(timed, 0.5))}, max ${ms(Math.max(...timed))}; next query after it: median ${ms(pct(back, 0.5))}`);
  await client.end();
} finally {
  await served.close();
  await thread.close();
  await inProcess.close();
}
