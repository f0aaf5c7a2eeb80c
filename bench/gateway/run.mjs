#!/usr/bin/env node
// Gateway benchmark: the same 90/10 split through Baton's gateway, nginx and HAProxy, against
// the upstream directly, at the same concurrency and duration, plus the gateway's resident
// memory with 1,000 open client connections. Prints a table and writes bench/gateway/RESULTS.md.
//
//   node bench/gateway/run.mjs [--rounds 3] [--duration 5] [--connections 64] [--threads 1] [--open-connections 1000] [--write no] [--warmup no] [--baseline REF]
//
// --baseline REF also builds the gateway of git commit REF (e.g. HEAD~1) and loads it in the
// same rounds, between the current tree's gateway and the references: an A/B of two builds
// that sees the same machine load.
//
// For every proxy the CPU time per request (user + system, the process and its children) is
// read from /proc around each run. On a shared machine it is steadier than req/s: a proxy
// that loses its core to other work serves fewer requests, but each costs what it costs.
//
// All four targets stay up and are loaded in turn, round after round; each figure is the
// median over the rounds, so a burst of load from elsewhere on the machine hits every target
// rather than whichever happened to run then.
//
// The upstream is nginx returning a fixed body (so it is not the bottleneck); the load
// generator is wrk when installed (C, one thread), else autocannon. Every proxy gets the same
// number of worker threads/processes (--threads, default 1; Baton is one process) so the
// comparison is per core. Baton runs as an esbuild bundle of src/gateway/main.ts, as it would
// from a build, so neither tsx's loader nor its memory is measured.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const DURATION = Number(args.duration ?? 5);
const CONNECTIONS = Number(args.connections ?? 64);
const THREADS = Number(args.threads ?? 1);
const OPEN_CONNS = Number(args['open-connections'] ?? 1000);
const ROUNDS = Number(args.rounds ?? 3);
const BASELINE = args.baseline;

const children = [];
const tmp = mkdtempSync(join(tmpdir(), 'baton-bench-gw-'));
function cleanup() {
  // Each child leads its own process group, so nginx's workers go with their master: an
  // orphaned worker would keep this script's stderr pipe, and so the script, alive.
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

function which(bin) {
  for (const d of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin', '/usr/local/sbin']) if (existsSync(join(d, bin))) return join(d, bin);
  return undefined;
}

function ensurePackages() {
  const missing = ['nginx', 'haproxy'].filter((b) => !which(b));
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(', ')} with apt-get ...`);
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit' });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

async function waitPort(port, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((r) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(cmd, argv, name, env = {}) {
  const c = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env }, detached: true });
  let err = '';
  c.benchName = name;
  c.stderr.on('data', (d) => (err += d));
  c.stderrText = () => err;
  c.on('exit', (code, sig) => { if (code && !c.expectedExit) console.error(`${name} exited ${code ?? sig}: ${err}`); });
  children.push(c);
  return c;
}

async function stop(c) {
  if (c.exitCode !== null) return;
  c.expectedExit = true;
  const done = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await done;
}

function nginxConf(body) {
  return `worker_processes ${THREADS};\ndaemon off;\npid ${tmp}/nginx-${Math.random().toString(36).slice(2)}.pid;\nerror_log stderr error;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n  client_body_temp_path ${tmp};\n  proxy_temp_path ${tmp};\n  fastcgi_temp_path ${tmp};\n  uwsgi_temp_path ${tmp};\n  scgi_temp_path ${tmp};\n  keepalive_requests 1000000;\n${body}\n}\n`;
}

async function startUpstreams() {
  const [stable, canary] = [await freePort(), await freePort()];
  const conf = join(tmp, 'upstream.conf');
  // The upstream gets its own single worker; it must stay far faster than the proxies.
  writeFileSync(conf, nginxConf(`  server { listen 127.0.0.1:${stable}; location / { default_type text/plain; return 200 "stable"; } }\n  server { listen 127.0.0.1:${canary}; location / { default_type text/plain; return 200 "canary"; } }`).replace(`worker_processes ${THREADS}`, 'worker_processes 1'));
  start(which('nginx'), ['-c', conf, '-e', 'stderr'], 'upstream nginx');
  await waitPort(stable);
  await waitPort(canary);
  return { stable, canary };
}

/** The source tree of git commit `ref`, unpacked beside the temp files, with the project's node_modules. */
function checkoutRef(ref) {
  const dir = join(tmp, `ref-${ref.replace(/[^\w.-]/g, '_')}`);
  mkdirSync(dir);
  execFileSync('sh', ['-c', `git -C "$1" archive "$2" src | tar -x -C "$3"`, 'sh', root, ref, dir], { stdio: 'inherit' });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

async function startBaton(up, srcRoot = root, name = 'gateway') {
  const port = await freePort();
  const admin = await freePort();
  const bundle = join(tmp, `${name}.mjs`);
  // The banner gives the ESM bundle a `require` for the CommonJS packages it inlines (commander),
  // which esbuild's ESM output otherwise cannot load ("Dynamic require ... is not supported").
  const banner = "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
  execFileSync(join(root, 'node_modules/.bin/esbuild'), [join(srcRoot, 'src/gateway/main.ts'), '--bundle', '--platform=node', '--format=esm', banner, `--outfile=${bundle}`, '--log-level=warning'], { stdio: 'inherit' });
  // The state dir is where the gateway keeps its admin token (admin.token); a baseline built
  // from before the token existed creates none and ignores the header.
  const stateDir = join(tmp, `${name}-state`);
  const c = start(process.execPath, [bundle, '--listen', `127.0.0.1:${port}`, '--admin', `127.0.0.1:${admin}`, '--state-dir', stateDir], 'baton');
  await waitPort(port);
  await waitPort(admin);
  const tokenFile = join(stateDir, 'admin.token');
  const headers = existsSync(tokenFile) ? { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` } : {};
  const config = {
    version: 1,
    routes: [{ name: 'bench', destinations: [{ cluster: 'stable', weight: 90 }, { cluster: 'canary', weight: 10 }] }],
    clusters: { stable: { endpoints: [`127.0.0.1:${up.stable}`], labels: { role: 'stable' } }, canary: { endpoints: [`127.0.0.1:${up.canary}`], labels: { role: 'canary' } } },
  };
  const res = await fetch(`http://127.0.0.1:${admin}/config`, { method: 'PUT', body: JSON.stringify(config), headers });
  if (res.status !== 200) throw new Error(`PUT /config: ${res.status} ${await res.text()}`);
  return { port, admin, child: c };
}

async function startNginx(up) {
  const port = await freePort();
  const conf = join(tmp, 'proxy-nginx.conf');
  writeFileSync(conf, nginxConf(`  upstream split { server 127.0.0.1:${up.stable} weight=90; server 127.0.0.1:${up.canary} weight=10; keepalive 256; }\n  server { listen 127.0.0.1:${port}; location / { proxy_pass http://split; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; } }`));
  const c = start(which('nginx'), ['-c', conf, '-e', 'stderr'], 'nginx');
  await waitPort(port);
  return { port, child: c };
}

async function startHaproxy(up) {
  const port = await freePort();
  const conf = join(tmp, 'haproxy.cfg');
  writeFileSync(conf, `global\n  nbthread ${THREADS}\n  maxconn 8000\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n  option forwardfor\n  http-reuse always\nfrontend fe\n  bind 127.0.0.1:${port}\n  default_backend split\nbackend split\n  balance roundrobin\n  server stable 127.0.0.1:${up.stable} weight 90\n  server canary 127.0.0.1:${up.canary} weight 10\n`);
  const c = start(which('haproxy'), ['-f', conf, '-db'], 'haproxy');
  await waitPort(port);
  return { port, child: c };
}

function parseWrkLatency(text, label) {
  const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function load(port) {
  const url = `http://127.0.0.1:${port}/`;
  const wrk = which('wrk');
  if (wrk) {
    execFileSync(wrk, ['-t1', `-c${CONNECTIONS}`, '-d2s', url], { encoding: 'utf8' }); // warm-up
    const out = execFileSync(wrk, ['-t1', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--latency', url], { encoding: 'utf8' });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0';
    const sockErr = /Socket errors: (.*)/.exec(out)?.[1];
    return { rps, p50: parseWrkLatency(out, '50'), p99: parseWrkLatency(out, '99'), errors: Number(errors), note: sockErr ?? '' };
  }
  const autocannon = (await import('autocannon')).default;
  await autocannon({ url, connections: CONNECTIONS, duration: 2 });
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors, note: '' };
}

function gitShort(ref) {
  return execFileSync('git', ['-C', root, 'rev-parse', '--short', ref], { encoding: 'utf8' }).trim();
}

/** The commit the working tree is on, and whether the code bundled into the gateway (src/gateway, src/core; not docs) differs from it. */
function describeTree() {
  const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'src/gateway', 'src/core', ':(exclude)*.md'], { encoding: 'utf8' }).trim() !== '';
  return `${gitShort('HEAD')}${dirty ? ' with uncommitted changes in src/gateway or src/core' : ''}`;
}

/** `perPid(pid)` summed over a process and its children (nginx's workers), from /proc. */
function treeSum(pid, perPid) {
  let sum = perPid(pid);
  let kids = '';
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  } catch {
    // No children file: no children counted.
  }
  for (const k of kids.split(/\s+/).filter(Boolean)) sum += treeSum(Number(k), perPid);
  return sum;
}

/** User + system CPU time of a process and its children, in ms (clock ticks of 10 ms). */
function cpuMs(pid) {
  return treeSum(pid, (p) => {
    const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  });
}

/** Involuntary context switches (the process lost its core while it could run) of a process's main thread and its children's. */
function preemptions(pid) {
  return treeSum(pid, (p) => Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0));
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

/** Opens `n` keep-alive connections, each with one request answered, and keeps them open. */
async function openConnections(port, n) {
  const sockets = [];
  for (let i = 0; i < n; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, n - i) }, () => new Promise((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: bench\r\n\r\n'));
        s.once('data', () => resolve());
        s.on('error', reject);
        sockets.push(s);
      })),
    );
  }
  return sockets;
}

async function main() {
  ensurePackages();
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`cpus ${cpus().length}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION}s, ${THREADS} thread(s) per proxy, load by ${which('wrk') ? 'wrk -t1' : 'autocannon'}`);
  const up = await startUpstreams();
  const baton = await startBaton(up);
  const idleRss = rssMb(baton.child.pid);
  const baseline = BASELINE ? await startBaton(up, checkoutRef(BASELINE), 'baseline') : undefined;
  const nginx = await startNginx(up);
  const haproxy = await startHaproxy(up);
  const targets = [
    { name: 'upstream direct', port: up.stable },
    { name: 'baton gateway', port: baton.port, pid: baton.child.pid },
    ...(baseline ? [{ name: `baton gateway at ${BASELINE}`, port: baseline.port, pid: baseline.child.pid }] : []),
    { name: 'nginx', port: nginx.port, pid: nginx.child.pid },
    { name: 'haproxy', port: haproxy.port, pid: haproxy.child.pid },
  ];
  const runs = new Map(targets.map((t) => [t.name, []]));
  // One unrecorded round first: a freshly started Node.js process runs its first seconds
  // through the interpreter and a small young generation (measured in bench/gateway/README.md),
  // which says nothing about the gateway serving all day. Every target gets the same warm-up.
  if (args.warmup !== 'no') {
    for (const t of targets) {
      const r = await load(t.port);
      console.log(`warm-up ${t.name}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99.toFixed(2)} ms (not counted)`);
    }
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      const cpu0 = t.pid ? cpuMs(t.pid) : 0;
      const pre0 = t.pid ? preemptions(t.pid) : 0;
      const r = await load(t.port);
      // The warm-up run is in the CPU figure too, so it is divided by both runs' requests (estimated at the measured rate).
      if (t.pid) {
        r.cpuUs = ((cpuMs(t.pid) - cpu0) * 1000) / (r.rps * (DURATION + 2));
        r.preemptPerReq = (preemptions(t.pid) - pre0) / (r.rps * (DURATION + 2));
      }
      runs.get(t.name).push(r);
      console.log(`round ${round} ${t.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${r.cpuUs ? `, ${r.cpuUs.toFixed(1)} us CPU/request, ${r.preemptPerReq.toFixed(3)} preemptions/request` : ''}`);
    }
  }
  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const rows = targets.map((t) => {
    const rs = runs.get(t.name);
    return { name: t.name, rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), cpuUs: t.pid ? median(rs.map((r) => r.cpuUs)) : NaN, errors: rs.reduce((a, r) => a + r.errors, 0), note: rs.map((r) => r.note).filter(Boolean).join('; ') };
  });
  const afterLoadRss = rssMb(baton.child.pid);
  await stop(nginx.child);
  await stop(haproxy.child);
  if (baseline) await stop(baseline.child);
  const sockets = await openConnections(baton.port, OPEN_CONNS);
  await new Promise((r) => setTimeout(r, 500));
  const openRss = rssMb(baton.child.pid);
  for (const s of sockets) s.destroy();
  await stop(baton.child);

  const ref = rows.find((r) => r.name === 'haproxy');
  const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const lines = [
    '| target | req/s | p50 ms | p99 ms | CPU us/req | non-2xx | req/s vs HAProxy | p99 vs HAProxy | CPU/req vs HAProxy |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${Number.isFinite(r.cpuUs) ? fmt(r.cpuUs, 1) : ''} | ${r.errors}${r.note ? ` (${r.note})` : ''} | ${fmt(r.rps / ref.rps, 2)}x | ${fmt(r.p99 / ref.p99, 2)}x | ${Number.isFinite(r.cpuUs) ? `${fmt(r.cpuUs / ref.cpuUs, 2)}x` : ''} |`),
  ];
  // Per round, Baton against HAProxy loaded in the same round: the medians above are taken per
  // target, so they can pair a quiet HAProxy round with a busy Baton one. The quietest round is
  // the one where HAProxy served the most; preemptions per request show whether a proxy had a
  // core to itself (near 0) or shared one with the load generator or the upstream.
  const batonRuns = runs.get('baton gateway');
  const hapRuns = runs.get('haproxy');
  const quietest = hapRuns.reduce((best, r, i) => (r.rps > hapRuns[best].rps ? i : best), 0);
  const roundLines = [
    '| round | Baton req/s | HAProxy req/s | req/s vs HAProxy | Baton p50 / p99 ms | HAProxy p50 / p99 ms | p99 vs HAProxy | Baton / HAProxy CPU us/req | Baton / HAProxy preemptions/req |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...batonRuns.map((b, i) => {
      const h = hapRuns[i];
      return `| ${i + 1}${i === quietest ? ' (quietest)' : ''} | ${fmt(b.rps)} | ${fmt(h.rps)} | ${fmt(b.rps / h.rps, 2)}x | ${fmt(b.p50, 2)} / ${fmt(b.p99, 2)} | ${fmt(h.p50, 2)} / ${fmt(h.p99, 2)} | ${fmt(b.p99 / h.p99, 2)}x | ${fmt(b.cpuUs, 1)} / ${fmt(h.cpuUs, 1)} | ${fmt(b.preemptPerReq, 3)} / ${fmt(h.preemptPerReq, 3)} |`;
    }),
  ];
  lines.push('', ...roundLines);
  const mem = `Baton gateway RSS: ${fmt(idleRss, 1)} MB idle, ${fmt(afterLoadRss, 1)} MB after the load run, ${fmt(openRss, 1)} MB with ${OPEN_CONNS} open client connections (target < 150 MB).`;
  const header = `Run ${new Date().toISOString()} on ${cpus().length} CPUs (load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}), ${CONNECTIONS} connections, median of ${ROUNDS} rounds of ${DURATION} s per target${args.warmup !== 'no' ? ' after one unrecorded warm-up round' : ''}, ${THREADS} thread(s) per proxy, load by ${which('wrk') ? 'wrk -t1' : 'autocannon'}; upstream: nginx (1 worker) returning a fixed body; split 90/10 everywhere; gateway built from ${describeTree()}${BASELINE ? `, baseline ${BASELINE} = ${gitShort(BASELINE)}` : ''}.`;
  console.log(`\n${header}\n\n${lines.join('\n')}\n\n${mem}`);
  if (args.write !== 'no') {
    const file = join(here, 'RESULTS.md');
    const prior = existsSync(file) ? readFileSync(file, 'utf8') : '# Gateway benchmark results\n\nWritten by `node bench/gateway/run.mjs`; newest run first. See README.md for method and analysis.\n';
    const [head, ...rest] = prior.split('\n## Run ');
    writeFileSync(file, `${head.trimEnd()}\n\n## Run ${header.slice(4)}\n\n${lines.join('\n')}\n\n${mem}\n${rest.length ? `\n## Run ${rest.join('\n## Run ')}` : ''}`);
    console.log(`\nwritten to ${file}`);
  }
  cleanup();
}

main().catch((e) => {
  console.error(e.stdout || e.stderr ? `${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}` : e);
  // Which process failed: a target that died shows here with its exit and what it wrote.
  for (const c of children) console.error(`${c.benchName}: exit ${c.exitCode ?? 'no (running)'}${c.signalCode ? ` signal ${c.signalCode}` : ''}${c.stderrText() ? `, stderr: ${c.stderrText().slice(-2000)}` : ''}`);
  cleanup();
  process.exit(1);
});
