#!/usr/bin/env node
// The tbyte demo on the embedded default (README's first command): `baton up` starts the
// controller, the gateway, the seed's frontend (a Rollout) and backend (a Deployment) as real
// processes; steady load goes through the gateway from a second process; v2 rolls out through
// 10/25/50/75/100 % with analysis on live metrics; then a bad v3 (half its requests fail) that
// Baton rolls back by itself. v2 also needs a schema change (examples/tbyte/migrations on
// PGlite, which `baton up` serves to the processes over the PostgreSQL protocol): its expand
// runs before v2's first process, v2 writes both the old and the new column while v1 still
// runs, and the contract drops the old one once v1 is gone. Sign-ups go to the database all
// along. Prints a summary and exits 0 when both releases ended as they should: v2 promoted
// without a failed request, every sign-up kept with its schema contracted, v3 aborted by
// analysis.
//
//   node examples/tbyte/demo.mjs [--time-scale 0.1] [--rate 200] [--keep]
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { request } from 'undici';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const baton = join(root, 'bin', 'baton.js');
const manifests = join(here, 'manifests');
const FRONTEND = 'tbyte-microservices-frontend';

const { values: args } = parseArgs({
  options: {
    'time-scale': { type: 'string', default: '0.1' },
    rate: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
  },
});
const rate = Number(args.rate);

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const say = (line) => console.log(`${stamp()}  ${line}`);

// ---- start baton up ------------------------------------------------------------------------
const stateDir = mkdtempSync(join(tmpdir(), 'baton-demo-'));
// The users schema goes out with the frontend (docs/migrations.md), on PGlite: no database
// server needed. 0001_email_verified ships with v2, so the copy starts without it; its bake
// time is shortened for the demo.
const migrations = mkdtempSync(join(tmpdir(), 'baton-demo-migrations-'));
cpSync(join(here, 'migrations'), migrations, { recursive: true });
rmSync(join(migrations, '0001_email_verified'), { recursive: true });
const schemaMigration = join(migrations, 'schema-migration.yaml');
writeFileSync(schemaMigration, readFileSync(schemaMigration, 'utf8').replace('bakeTime: 10m', 'bakeTime: 1m'));
const databaseUrl = `pglite:${join(migrations, '.db')}`;
const listen = `127.0.0.1:${await freePort()}`;
const apiAddr = `127.0.0.1:${await freePort()}`;
const api = `http://${apiAddr}`;
const gateway = `http://${listen}`;
console.log(`Starting Baton on this machine (state in ${stateDir}, --time-scale ${args['time-scale']}: every pause and interval takes ${args['time-scale']}x its written time)\n`);
const up = spawn(process.execPath, [baton, 'up', '-f', manifests, schemaMigration, '--state-dir', stateDir, '--listen', listen, '--api', apiAddr, '--time-scale', args['time-scale'], '--scrape-interval', '1000'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, TBYTE_DATABASE_URL: databaseUrl },
});
let upOutput = '';
await new Promise((resolve, reject) => {
  const collect = (c) => {
    upOutput += c.toString();
    if (upOutput.includes('baton up: controller pid')) resolve();
  };
  up.stdout.on('data', collect);
  up.stderr.on('data', collect);
  up.once('exit', (code) => reject(new Error(`baton up exited ${code}:\n${upOutput}`)));
});
console.log(upOutput.split('\n').filter((l) => /^(baton up| {2})/.test(l)).join('\n') + '\n');
const token = readFileSync(join(stateDir, 'api.token'), 'utf8').trim();

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (args.keep) {
    console.log(`\n--keep: Baton keeps running. Try: node bin/baton.js get rollout ${FRONTEND} --state-dir ${stateDir}; stop it with node bin/baton.js down --state-dir ${stateDir}`);
    up.stdout.destroy();
    up.stderr.destroy();
    up.unref();
    return;
  }
  spawnSync(process.execPath, [baton, 'down', '--state-dir', stateDir], { stdio: 'ignore' });
  await new Promise((r) => (up.exitCode !== null ? r() : up.once('exit', r)));
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(migrations, { recursive: true, force: true });
}
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));

async function call(method, path, body) {
  const r = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

// Live progress: the controller's events, as they happen.
let lastId = 0;
let printing = true;
const interesting = new Set(['WeightChanged', 'Measurement', 'AnalysisRunStarted', 'AnalysisRunCompleted', 'Aborted', 'Promoted', 'Scaled', 'RevisionCreated', 'SchemaExpanded', 'SchemaBackfilled', 'SchemaContracted', 'SchemaContractSkipped', 'SchemaMigrationFailed']);
const events = [];
const eventWaiters = new Set();
(async () => {
  while (printing) {
    const page = await call('GET', `/api/v1/events?afterId=${lastId}&waitMs=1000&limit=1000`).catch(() => ({ events: [], lastId }));
    lastId = page.lastId;
    for (const e of page.events) {
      events.push(e);
      if (printing && (interesting.has(e.type) || (e.type === 'Phase' && e.workload === FRONTEND))) say(`${e.workload.replace('tbyte-microservices-', '')}: ${e.type} ${e.message}`);
    }
    for (const w of [...eventWaiters]) w();
  }
})();
async function waitFor(name, pred, what, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await call('GET', `/api/v1/workloads/${name}`);
    if (pred(d)) return d;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${d.phase} ${d.message}`);
    await new Promise((r) => {
      const done = () => {
        eventWaiters.delete(done);
        r();
      };
      eventWaiters.add(done);
    });
  }
}

// Sign-ups: sequential POST /signup through the gateway; the frontend writes them to the users
// table (what each version wrote comes back in the answer).
function startSignups() {
  const done = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const email = `user${i}@example.com`;
      const confirmed = i % 3 !== 0;
      try {
        const r = await request(`${gateway}/signup?email=${encodeURIComponent(email)}&confirmed=${confirmed ? 1 : 0}`, { method: 'POST', headers: { host: 'tbyte.local' } });
        const body = await r.body.json();
        done.push({ t: Date.now(), email, confirmed, status: r.statusCode, version: body.version ?? '?', wrote: (body.wrote ?? []).join('+'), error: body.error });
      } catch (e) {
        done.push({ t: Date.now(), email, confirmed, status: 0, version: '?', wrote: '', error: e.message });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { done, stop: async () => ((running = false), await loop, done) };
}

// A probe: sequential requests that note which version answered (for "back on stable").
function startProbe() {
  const seen = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      try {
        const r = await request(`${gateway}/`, { headers: { host: 'tbyte.local' } });
        await r.body.dump();
        seen.push({ t, status: r.statusCode, version: r.headers['x-version'] ?? '?' });
      } catch {
        seen.push({ t, status: 0, version: '?' });
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return { stop: async () => ((running = false), await loop, seen) };
}

let load;
let signups;
try {
  await waitFor(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === d.desired, 'v1');
  await waitFor('tbyte-microservices-backend', (d) => d.phase === 'Healthy', 'backend');
  say(`v1 is up. Steady load: ${rate} requests/s on ${gateway} (Host: tbyte.local), from a second process.`);

  const child = spawn(process.execPath, [join(root, 'scripts', 'load-worker.mjs'), JSON.stringify({ url: `${gateway}/`, host: 'tbyte.local', rate, connections: 8 })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error('the load generator did not start');
  load = { stop: async () => (child.kill('SIGTERM'), JSON.parse((await lines.next()).value)) };
  await new Promise((r) => setTimeout(r, 3000));
  const database = (await call('GET', '/api/v1/status')).databases.find((d) => d.servedUrl)?.servedUrl;
  if (!database) throw new Error('baton up serves no database: the SchemaMigration was not applied');
  signups = startSignups();
  say(`Sign-ups: one every 50 ms, POST /signup through the gateway into the users table (PGlite, served at ${database.replace(/:[^:@/]*@/, '@')}; password in ${stateDir}/database.password).`);

  // ---- v2: a good release ------------------------------------------------------------------
  console.log('\n=== v2, a good release: 10 -> 25 -> 50 -> 75 -> 100 % with analysis ===\n');
  // v2 needs the email_verified column: its migration ships with it (expand before v2 starts,
  // contract once v1 is gone and the bake time has passed).
  cpSync(join(here, 'migrations', '0001_email_verified'), join(migrations, '0001_email_verified'), { recursive: true });
  const v2Start = Date.now();
  await call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
  await waitFor(FRONTEND, (d) => d.phase === 'Healthy' && d.stableImage === 'tbyte/frontend:v2' && d.revisions.every((r) => r.image === 'tbyte/frontend:v2' || r.pods.length === 0), 'v2 promoted');
  const v2End = Date.now();
  say('v2 is stable on every process.');
  await waitFor(FRONTEND, () => events.some((e) => e.type === 'SchemaContracted' && e.fields.migration === '0001_email_verified'), 'the email_verified contract');
  say('0001_email_verified contracted: no v1 process is left and the bake time has passed.');
  await new Promise((r) => setTimeout(r, 2000));
  const signed = await signups.stop();
  signups = undefined;
  const db = new pg.Client({ connectionString: database });
  await db.connect();
  const table = await db.query('SELECT email, email_verified FROM users ORDER BY id');
  const columns = (await db.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position")).rows.map((r) => r.column_name);
  await db.end();

  // ---- v3: a bad release -------------------------------------------------------------------
  console.log('\n=== v3, a bad release: half of its requests fail; Baton must roll it back by itself ===\n');
  const files = readdirSync(manifests)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      let text = readFileSync(join(manifests, f), 'utf8');
      if (f === 'frontend-rollout.yaml') text = text.replace('image: tbyte/frontend:v1', 'image: tbyte/frontend:v3').replace(/name: ERROR_RATE\n(\s*)value: "0"/, 'name: ERROR_RATE\n$1value: "0.5"');
      return { path: join(manifests, f), text };
    })
    // The SchemaMigration stays in the applied set.
    .concat([{ path: schemaMigration, text: readFileSync(schemaMigration, 'utf8') }]);
  const probe = startProbe();
  const v3Start = Date.now();
  await call('POST', '/api/v1/apply', { files });
  const aborted = await waitFor(FRONTEND, (d) => d.aborted && d.phase === 'Degraded', 'v3 aborted');
  await new Promise((r) => setTimeout(r, 2000));
  const v3End = Date.now();
  const probes = await probe.stop();
  const result = await load.stop();
  load = undefined;
  printing = false;

  // ---- summary -----------------------------------------------------------------------------
  const abortEvent = events.find((e) => e.workload === FRONTEND && e.type === 'Aborted');
  const decision = abortEvent?.wallAt ?? abortEvent?.at;
  const within = (f, a, b) => f.t >= a && f.t <= b;
  const v2Failed = result.failures.filter((f) => within(f, v2Start, v2End)).length;
  const v3Failures = result.failures.filter((f) => within(f, v3Start, v3End));
  const firstError = v3Failures[0]?.t;
  const lastBad = probes.filter((p) => p.version === 'tbyte/frontend:v3').map((p) => p.t).pop();
  const s = (ms) => (ms === undefined || Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
  console.log('\n=== Summary ===\n');
  console.log(`requests served                          ${result.total} (${result.requestsPerSecond.toFixed(0)}/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms)`);
  console.log(`failed requests, v2 release (good)       ${v2Failed}`);
  console.log(`failed requests, v3 release (bad)        ${v3Failures.length} (the canary's staged failures before the rollback)`);
  console.log(`failed requests outside releases         ${result.failures.length - v2Failed - v3Failures.length}`);
  console.log(`v3: first error -> abort decision        ${s(decision - firstError)}`);
  const afterDecision = lastBad !== undefined ? lastBad - decision : undefined;
  console.log(
    `v3: decision -> 100 % stable             ${afterDecision === undefined || afterDecision <= 0 ? `no v3 response began after the decision (${probes.filter((p) => p.t > decision).length} probe requests after it, all v2)` : `last v3 response began ${s(afterDecision)} after the decision`}`,
  );
  console.log(`v3: why                                  ${aborted.message}`);
  const at = (e) => e?.wallAt ?? e?.at;
  const expanded = events.find((e) => e.type === 'SchemaExpanded' && e.fields.migration === '0001_email_verified');
  const v2First = events.find((e) => e.workload === FRONTEND && e.type === 'Scaled' && e.fields.revision === 2);
  const v1Gone = events.find((e) => e.workload === FRONTEND && e.type === 'ScaledDown' && e.fields.revision === 1);
  const contracted = events.find((e) => e.type === 'SchemaContracted' && e.fields.migration === '0001_email_verified');
  console.log(`v2 schema (0001_email_verified)          expand ${s(at(v2First) - at(expanded))} before v2's first process; contract ${s(at(contracted) - at(v1Gone))} after v1 left`);
  const ok201 = signed.filter((x) => x.status === 201);
  const wrote = (version, columns) => ok201.filter((x) => x.version === version && x.wrote === columns).length;
  console.log(`sign-ups into the users table            ${signed.length}, failed ${signed.length - ok201.length}`);
  console.log(`  v1 wrote email_confirmed_at            ${wrote('tbyte/frontend:v1', 'email_confirmed_at')}`);
  console.log(`  v2 wrote both columns (v1 still ran)   ${wrote('tbyte/frontend:v2', 'email_confirmed_at+email_verified')}`);
  console.log(`  v2 wrote email_verified (contracted)   ${wrote('tbyte/frontend:v2', 'email_verified')}`);
  const kept = table.rows.length === ok201.length && ok201.every((x, i) => table.rows[i]?.email === x.email && table.rows[i]?.email_verified === x.confirmed);
  console.log(`users table after the contract           columns ${columns.join(', ')}; ${table.rows.length} rows, ${kept ? 'email_verified right for every sign-up (v1\'s were backfilled)' : 'NOT matching the sign-ups'}`);
  const schemaOk = ok201.length === signed.length && kept && !columns.includes('email_confirmed_at') && wrote('tbyte/frontend:v2', 'email_confirmed_at+email_verified') > 0 && wrote('tbyte/frontend:v2', 'email_verified') > 0;
  const ok = schemaOk && v2Failed === 0 && aborted.aborted && aborted.stableImage === 'tbyte/frontend:v2' && expanded && contracted && at(expanded) <= at(v2First) && at(contracted) >= at(v1Gone);
  console.log(ok ? '\nBoth releases ended as they should: v2 promoted without a failed request and every sign-up kept across its schema change, v3 rolled back by analysis.' : '\nSomething did not go as it should; see above.');
  await cleanup();
  process.exit(ok ? 0 : 1);
} catch (e) {
  console.error(`\ndemo failed: ${e instanceof Error ? e.message : String(e)}`);
  printing = false;
  if (load) await load.stop().catch(() => {});
  if (signups) await signups.stop().catch(() => {});
  await cleanup();
  process.exit(1);
}
