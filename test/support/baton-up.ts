/**
 * End-to-end harness for `baton up`: a copy of the tbyte example in a temp dir, the real CLI as
 * a child process (controller, gateway and services are all real processes), the control API,
 * and load from a second process (test/support/load-worker.mjs, autocannon).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EventsPage, EventView, WorkloadDetail } from '../../src/api/types.js';
import { freePort, tempDir } from './net.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BATON = join(ROOT, 'bin', 'baton.js');
export const FRONTEND = 'tbyte-microservices-frontend';

/** Healthy on `image`, and no process of any other revision left. */
export function promotedAndOthersGone(image: string): (d: WorkloadDetail) => boolean {
  return (d) => d.phase === 'Healthy' && d.stableImage === image && d.revisions.every((r) => r.image === image || r.pods.length === 0);
}
export const BACKEND = 'tbyte-microservices-backend';

export interface UpHandle {
  /** The temp copy of examples/tbyte. */
  root: string;
  manifests: string;
  stateDir: string;
  api: string;
  gateway: string;
  listen: string;
  token: string;
  proc: ChildProcess;
  output(): string;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  detail(name: string): Promise<WorkloadDetail>;
  /** Long-polls events until `pred` holds for the workload's detail; returns it. */
  waitUntil(name: string, pred: (d: WorkloadDetail) => boolean, timeoutMs: number, what: string): Promise<WorkloadDetail>;
  /** Every event so far. */
  events(): Promise<EventView[]>;
  /** Applies the manifests dir as it is now on disk. */
  apply(): Promise<void>;
  /** Rewrites one manifest file. */
  edit(file: string, fn: (text: string) => string): void;
  cleanup(): Promise<void>;
}

export interface UpOptions {
  timeScale?: number;
  /** Reuse a state dir and manifests copy (restart after kill -9). */
  reuse?: { root: string; listen: string };
  /** The control API's port (default: a free one); a restart on the same port lets a browser page reconnect. */
  apiPort?: number;
  extraArgs?: string[];
  /** More directories of examples/tbyte to copy beside `manifests` (e.g. `migrations`). */
  copy?: string[];
  /** More `-f` paths, relative to the copy's root (e.g. `migrations/schema-migration.yaml`). */
  files?: string[];
  /** More environment variables for the controller (e.g. a database URL). */
  env?: Record<string, string>;
  /** Called with the copy's root before `baton up` starts (to edit the copied files). */
  beforeStart?: (root: string) => void;
}

export async function startUp(opts: UpOptions = {}): Promise<UpHandle> {
  let root: string;
  let removeRoot: () => Promise<void> = () => Promise.resolve();
  if (opts.reuse) root = opts.reuse.root;
  else {
    const tmp = await tempDir('baton-up-');
    root = tmp.path;
    removeRoot = tmp.remove;
    for (const d of ['manifests', 'frontend', 'backend', ...(opts.copy ?? [])]) cpSync(join(ROOT, 'examples', 'tbyte', d), join(root, d), { recursive: true });
    // As in an installed project: the services resolve their packages (pg) from node_modules.
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  }
  opts.beforeStart?.(root);
  const manifests = join(root, 'manifests');
  const stateDir = join(root, '.baton');
  const listen = opts.reuse?.listen ?? `127.0.0.1:${await freePort()}`;
  const apiPort = opts.apiPort ?? (await freePort());
  const args = [BATON, 'up', ...(opts.reuse ? [] : ['-f', manifests, ...(opts.files ?? []).map((f) => join(root, f))]), '--state-dir', stateDir, '--listen', listen, '--api', `127.0.0.1:${apiPort}`, '--time-scale', String(opts.timeScale ?? 0.1), '--scrape-interval', '500', ...(opts.extraArgs ?? [])];
  const proc = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) });
  let out = '';
  let serving: () => void = () => {};
  const served = new Promise<void>((resolve, reject) => {
    serving = resolve;
    proc.once('exit', (code) => reject(new Error(`baton up exited ${code}:\n${out}`)));
  });
  const collect = (c: Buffer): void => {
    out += c.toString();
    // Printed once the API serves and the workloads are started.
    if (out.includes('baton up: controller pid')) serving();
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const api = `http://127.0.0.1:${apiPort}`;
  await served;
  const token = readFileSync(join(stateDir, 'api.token'), 'utf8').trim();
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const detail = (name: string): Promise<WorkloadDetail> => call<WorkloadDetail>('GET', `/api/v1/workloads/${name}`);
  const handle: UpHandle = {
    root,
    manifests,
    stateDir,
    api,
    gateway: `http://${listen}`,
    listen,
    token,
    proc,
    output: () => out,
    call,
    detail,
    async waitUntil(name, pred, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      let afterId = 0;
      for (;;) {
        const d = await detail(name);
        if (pred(d)) return d;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${d.phase} ${d.message} step ${d.step ?? '-'}\n${out.slice(-3000)}`);
        // Wakes on the next event (a pod ready, a step, a measurement), at most every second.
        const page = await call<EventsPage>('GET', `/api/v1/events?afterId=${afterId}&waitMs=1000&limit=1000`);
        afterId = page.lastId;
      }
    },
    async events() {
      return (await call<EventsPage>('GET', '/api/v1/events?limit=100000')).events;
    },
    async apply() {
      const { readdirSync } = await import('node:fs');
      const files = readdirSync(manifests)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => ({ path: join(manifests, f), text: readFileSync(join(manifests, f), 'utf8') }));
      await call('POST', '/api/v1/apply', { files });
    },
    edit(file, fn) {
      const p = join(manifests, file);
      writeFileSync(p, fn(readFileSync(p, 'utf8')));
    },
    async cleanup() {
      for (const l of liveLoads) l.kill('SIGKILL');
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      // Whatever a killed controller left (processes, gateway).
      spawnSync(process.execPath, [BATON, 'down', '--state-dir', stateDir], { cwd: root, stdio: 'ignore', timeout: 60_000 });
      await removeRoot();
    },
  };
  return handle;
}

export interface LoadResult {
  startedAt: number;
  stoppedAt: number;
  total: number;
  ok: number;
  failed: number;
  failures: { t: number; status?: number; error?: string }[];
  latency: { p50: number; p90: number; p99: number; max: number };
  requestsPerSecond: number;
}

/** Load workers still running: stopped by `cleanup()` even when a test failed before stopping them. */
const liveLoads = new Set<ChildProcess>();

/** Starts steady load on the gateway from another process; `stop()` returns what it saw. */
export async function startLoad(url: string, opts: { host?: string; rate: number; connections?: number }): Promise<{ stop(): Promise<LoadResult> }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'load-worker.mjs'), JSON.stringify({ url, host: opts.host ?? 'tbyte.local', rate: opts.rate, connections: opts.connections ?? 16 })], { stdio: ['ignore', 'pipe', 'inherit'] });
  liveLoads.add(child);
  child.once('exit', () => liveLoads.delete(child));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.value !== 'ready') throw new Error(`load worker did not start: ${String(first.value)}`);
  return {
    async stop() {
      child.kill('SIGTERM');
      const r = await it.next();
      return JSON.parse(String(r.value)) as LoadResult;
    },
  };
}

/** Long-polls the controller's events until one matches `pred`; a clear error after `timeoutMs`. */
export async function waitForEventView(up: UpHandle, pred: (e: EventView) => boolean, timeoutMs: number, what: string): Promise<EventView> {
  const deadline = Date.now() + timeoutMs;
  let afterId = 0;
  for (;;) {
    const page = await up.call<EventsPage>('GET', `/api/v1/events?afterId=${afterId}&waitMs=1000&limit=1000`);
    const hit = page.events.find(pred);
    if (hit) return hit;
    afterId = page.lastId;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${up.output().slice(-3000)}`);
  }
}
