#!/usr/bin/env node
// bench/zero-downtime: the tbyte frontend's full canary release under load, on `baton up`.
//
//   node bench/zero-downtime/run.mjs [--rate 500] [--time-scale 0.25] [--before 15] [--rounds 1]
//
// Per round: start everything, load for --before seconds with no rollout (the reference), then
// the same load during a full v2 canary (10/25/50/75/100 %, analysis, every frontend process
// replaced). Reports total and failed requests and p50/p99 latency before and during, and the
// ratio during/before. Load comes from a second process (scripts/load-worker.mjs, autocannon).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const baton = join(root, 'bin', 'baton.js');
const FRONTEND = 'tbyte-microservices-frontend';
const { values: a } = parseArgs({ options: { rate: { type: 'string', default: '500' }, 'time-scale': { type: 'string', default: '0.25' }, before: { type: 'string', default: '15' }, rounds: { type: 'string', default: '1' } } });

const freePort = () => new Promise((res, rej) => { const s = createServer(); s.on('error', rej); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); }); });

async function startLoad(url, rate) {
  const child = spawn(process.execPath, [join(root, 'scripts', 'load-worker.mjs'), JSON.stringify({ url, host: 'tbyte.local', rate, connections: 16 })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const it = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  if ((await it.next()).value !== 'ready') throw new Error('load worker did not start');
  return { stop: async () => (child.kill('SIGTERM'), JSON.parse((await it.next()).value)) };
}

async function round() {
  const stateDir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const listen = `127.0.0.1:${await freePort()}`;
  const apiAddr = `127.0.0.1:${await freePort()}`;
  const up = spawn(process.execPath, [baton, 'up', '-f', join(root, 'examples', 'tbyte', 'manifests'), '--state-dir', stateDir, '--listen', listen, '--api', apiAddr, '--time-scale', a['time-scale'], '--scrape-interval', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((res, rej) => {
    const c = (d) => { out += d; if (out.includes('baton up: controller pid')) res(); };
    up.stdout.on('data', c); up.stderr.on('data', c);
    up.once('exit', (code) => rej(new Error(`baton up exited ${code}: ${out}`)));
  });
  const token = readFileSync(join(stateDir, 'api.token'), 'utf8').trim();
  const call = async (method, path, body) => {
    const r = await fetch(`http://${apiAddr}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  let afterId = 0;
  const until = async (pred, what, timeoutMs = 300_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = await call('GET', `/api/v1/workloads/${FRONTEND}`);
      if (pred(d)) return d;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${d.phase} ${d.message}\n${out.slice(-2000)}`);
      afterId = (await call('GET', `/api/v1/events?afterId=${afterId}&waitMs=1000&limit=1000`)).lastId;
    }
  };
  try {
    await until((d) => d.phase === 'Healthy' && d.ready === d.desired, 'v1 healthy', 60_000);
    const url = `http://${listen}/`;
    const rate = Number(a.rate);
    let load = await startLoad(url, rate);
    await new Promise((r) => setTimeout(r, Number(a.before) * 1000));
    const before = await load.stop();
    load = await startLoad(url, rate);
    const t = Date.now();
    await call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
    await until((d) => d.phase === 'Healthy' && d.stableImage === 'tbyte/frontend:v2' && d.revisions.every((r) => r.image === 'tbyte/frontend:v2' || r.pods.length === 0), 'v2 promoted');
    const during = await load.stop();
    return { before, during, rolloutSeconds: (Date.now() - t) / 1000 };
  } finally {
    spawnSync(process.execPath, [baton, 'down', '--state-dir', stateDir], { stdio: 'ignore' });
    await new Promise((r) => (up.exitCode !== null ? r() : up.once('exit', r)));
    rmSync(stateDir, { recursive: true, force: true });
  }
}

console.log(`bench/zero-downtime: rate ${a.rate}/s, --time-scale ${a['time-scale']}, load average before ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const rows = [];
for (let i = 0; i < Number(a.rounds); i++) {
  const r = await round();
  rows.push(r);
  const f = (x) => `${x.total} req (${x.requestsPerSecond.toFixed(0)}/s), failed ${x.failed}, p50 ${x.latency.p50} ms, p99 ${x.latency.p99} ms`;
  console.log(`round ${i + 1}: before  ${f(r.before)}`);
  console.log(`round ${i + 1}: during  ${f(r.during)} (rollout ${r.rolloutSeconds.toFixed(1)} s)`);
  console.log(`round ${i + 1}: p99 during/before ${(r.during.latency.p99 / Math.max(1, r.before.latency.p99)).toFixed(2)}x`);
}
const failed = rows.reduce((n, r) => n + r.before.failed + r.during.failed, 0);
console.log(JSON.stringify({ rounds: rows.length, failed, rows: rows.map((r) => ({ before: { total: r.before.total, failed: r.before.failed, latency: r.before.latency }, during: { total: r.during.total, failed: r.during.failed, latency: r.during.latency }, rolloutSeconds: r.rolloutSeconds })) }));
process.exit(failed === 0 ? 0 : 1);
