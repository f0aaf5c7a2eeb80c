/**
 * kill -9 of the engine process at every point of a measurement's life, across whole good and
 * bad releases: each outcome equals the uninterrupted one, and a bad canary is never promoted.
 *
 * The engine runs in a child process (test/support/engine-child.ts: real Runtime, real SQLite
 * file, real Prometheus provider against a query server here, scaled clock). Kill points, chosen
 * by a seeded RNG (the seed is printed; BATON_KILL_SEED=<n> replays a run):
 *   before-query   the child kills itself when a measurement is due, before its query is sent
 *   in-flight      the query server holds the n-th query and kills the child while it waits
 *   after-result   the child kills itself after the answer, before the result is saved
 *   after-persist  the child kills itself right after a save that recorded a measurement
 *   random-time    the test kills it at a random moment
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/index.js';
import type { CrashPoint, EngineChildConfig } from '../support/engine-child.js';
import { outcomeOf, type Outcome } from '../support/engine-outcome.js';
import { tempDir, waitFor } from '../support/net.js';
import { seededRandom as rng } from '../../src/core/stats/random.js';

const CHILD = join(import.meta.dirname, '..', 'support', 'engine-child.ts');
const FRONTEND = 'tbyte-microservices-frontend';
const TIME_SCALE = 0.01;
const GOOD = 'tbyte/frontend:v2';
const BAD = 'tbyte/frontend:v3';

type KillPoint = CrashPoint | 'in-flight' | 'random-time';
const POINTS: KillPoint[] = ['before-query', 'in-flight', 'after-result', 'after-persist', 'random-time'];


/**
 * Stands in for Prometheus: the canary's own error rate (the query that selects a revision) is
 * `canaryErrorRate`; the whole service is healthy. `holdQuery(n)` makes the n-th query from now
 * wait, and calls `onHeld` with it.
 */
function createQueryServer(): Promise<{ url: string; canaryErrorRate: number; holdQuery(n: number, onHeld: () => void): void; queries: number; close(): Promise<void> }> {
  let hold: { n: number; onHeld: () => void } | undefined;
  const state = {
    url: '',
    canaryErrorRate: 0,
    queries: 0,
    holdQuery(n: number, onHeld: () => void) {
      hold = { n: state.queries + n, onHeld };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const answer = (query: string): number => {
    if (query.includes('kube_pod_status_ready')) return 1;
    if (query.includes('histogram_quantile')) return 0.1;
    if (query.includes('revision=')) return state.canaryErrorRate;
    return 0;
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const query = url.searchParams.get('query') ?? new URLSearchParams(body).get('query') ?? '';
      state.queries++;
      if (hold && state.queries === hold.n) {
        const h = hold;
        hold = undefined;
        // Never answered: the engine dies with the query in flight.
        h.onHeld();
        req.socket.on('close', () => res.destroy());
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(answer(query))] }] } }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve(state);
    });
  });
}

/** One start of the child (through `wrap`, e.g. in a mount namespace); resolves with how it ended. */
function runChild(cfg: EngineChildConfig, onStart: (child: ChildProcess, output: () => string) => void = () => {}, wrap: string[] = []): Promise<'done' | 'killed'> {
  return new Promise((resolve, reject) => {
    const argv = [...wrap, process.execPath, '--import', 'tsx', CHILD, JSON.stringify(cfg)];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    onStart(child, () => out);
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && out.includes('done')) resolve('done');
      else reject(new Error(`engine child exited ${code ?? signal}:\n${out}`));
    });
  });
}

function outcomeAt(db: string): Outcome {
  const store = openSqliteStore(db, { readonly: true });
  try {
    return outcomeOf(store, FRONTEND);
  } finally {
    store.close();
  }
}

let server: Awaited<ReturnType<typeof createQueryServer>>;
const removals: (() => Promise<void>)[] = [];
beforeAll(async () => {
  server = await createQueryServer();
});
afterAll(async () => {
  await server.close();
  for (const r of removals) await r();
});

async function freshDb(): Promise<string> {
  const tmp = await tempDir('baton-kill-');
  removals.push(tmp.remove);
  return join(tmp.path, 'state.db');
}

describe('kill -9 of the engine at every point of a measurement', () => {
  it('every release ends as it does uninterrupted, and a bad canary is never promoted', async () => {
    const seed = Number(process.env.BATON_KILL_SEED ?? Date.now() % 1_000_000);
    console.log(`kill-engine seed ${seed} (replay: BATON_KILL_SEED=${seed})`);
    const random = rng(seed);

    // Uninterrupted references.
    const reference: Record<string, Outcome> = {};
    for (const [image, rate] of [[GOOD, 0], [BAD, 0.5]] as const) {
      server.canaryErrorRate = rate;
      const db = await freshDb();
      expect(await runChild({ db, prometheus: server.url, timeScale: TIME_SCALE, image })).toBe('done');
      reference[image] = outcomeAt(db);
    }
    expect(reference[GOOD]).toMatchObject({ phase: 'Healthy', aborted: false, stableRevision: 2, currentRevision: 2, weights: [10, 25, 50, 75, 100] });
    expect(reference[BAD]).toMatchObject({ phase: 'Degraded', aborted: true, stableRevision: 1, currentRevision: 2 });
    expect(reference[BAD]?.message).toContain('Metric "canary-error-rate" assessed Failed due to failed (2) > failureLimit (1)');

    const kills = new Map<KillPoint, number>(POINTS.map((p) => [p, 0]));
    let total = 0;
    let releases = 0;
    while (total < 30 || [...kills.values()].some((n) => n < 3)) {
      const bad = releases % 2 === 1;
      releases++;
      const image = bad ? BAD : GOOD;
      server.canaryErrorRate = bad ? 0.5 : 0;
      const db = await freshDb();
      const plan: string[] = [];
      // Up to 6 kills in this release, then one run to the end.
      for (let k = 0; k < 6; k++) {
        const point = POINTS[Math.floor(random() * POINTS.length)] as KillPoint;
        // A bad canary is caught within a few measurements: pick early ones for it.
        const n = 1 + Math.floor(random() * (bad ? 3 : 8));
        const cfg: EngineChildConfig = { db, prometheus: server.url, timeScale: TIME_SCALE, image };
        let timer: NodeJS.Timeout | undefined;
        const ended = await runChild(point === 'before-query' || point === 'after-result' || point === 'after-persist' ? { ...cfg, crash: { point, n } } : cfg, (child) => {
          if (point === 'in-flight') server.holdQuery(n, () => child.kill('SIGKILL'));
          if (point === 'random-time') timer = setTimeout(() => child.kill('SIGKILL'), 300 + random() * 1_500);
        });
        clearTimeout(timer);
        server.holdQuery(Number.MAX_SAFE_INTEGER, () => {});
        if (ended === 'done') break; // finished before the kill point: nothing more to kill
        plan.push(`${point}#${n}`);
        kills.set(point, (kills.get(point) ?? 0) + 1);
        total++;
      }
      const last = outcomeAt(db);
      if (last.phase === undefined || !(last.phase === 'Healthy' || last.aborted)) {
        expect(await runChild({ db, prometheus: server.url, timeScale: TIME_SCALE, image })).toBe('done');
      }
      const outcome = outcomeAt(db);
      const what = `release ${releases} (${image}) killed at ${plan.join(', ') || 'nothing'}, seed ${seed}`;
      expect(outcome, what).toEqual(reference[image]);
      if (bad) expect(outcome.weights.includes(100), what).toBe(false);
    }
    console.log(`kill-engine: ${total} kills over ${releases} releases: ${[...kills].map(([p, n]) => `${p} ${n}`).join(', ')}`);
    expect(total).toBeGreaterThanOrEqual(30);
  }, 300_000);
});

/** A private mount namespace with a tmpfs of our own needs root (CAP_SYS_ADMIN); not every CI has it. */
const canMount = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], { stdio: 'ignore' }).status === 0;

describe('a full disk under the engine', () => {
  it.skipIf(!canMount)('SQLITE_FULL for real: the engine holds (no decision while it lasts), never exits, and ends the release as uninterrupted once space is freed', async () => {
    // The database on a 16 MiB tmpfs that only the child sees (its own mount namespace); the test
    // fills and frees that file system through /proc/<pid>/root.
    const mnt = mkdtempSync(join(tmpdir(), 'baton-full-'));
    const script = `${mnt}.sh`;
    writeFileSync(script, '#!/bin/sh\nmount -t tmpfs -o size=16m tmpfs "$1" && shift && exec "$@"\n', { mode: 0o755 });
    removals.push(() => Promise.resolve(rmSync(mnt, { recursive: true, force: true })), () => Promise.resolve(rmSync(script, { force: true })));
    server.canaryErrorRate = 0;
    let pid = 0;
    let output = (): string => '';
    const ended = runChild({ db: join(mnt, 'state.db'), prometheus: server.url, timeScale: 0.03, image: GOOD }, (child, out) => {
      pid = child.pid ?? 0;
      output = out;
    }, ['unshare', '--mount', '--propagation', 'private', script, mnt]);
    // Mid-release (the good release takes about 6 s here), the disk fills up.
    await waitFor(() => output().includes('releasing'), 30_000, 'the release to start');
    await new Promise((r) => setTimeout(r, 1_000));
    const filler = `/proc/${pid}/root${mnt}/filler`;
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(64 * 1024));
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    await waitFor(() => output().includes('"StorageError"'), 15_000, 'the engine to report the full disk');
    expect(output()).toContain('"code":"store-full"');
    // Held for a few seconds (the release would have gone on meanwhile), then space comes back.
    await new Promise((r) => setTimeout(r, 3_000));
    rmSync(filler);
    expect(await ended).toBe('done');
    const line = output().split('\n').find((l) => l.startsWith('outcome ')) ?? '';
    const { timeline, ...outcome } = JSON.parse(line.slice('outcome '.length)) as Outcome & { timeline: { type: string; at: number }[] };
    expect(outcome).toMatchObject({ phase: 'Healthy', aborted: false, stableRevision: 2, currentRevision: 2, weights: [10, 25, 50, 75, 100] });
    const from = timeline.find((e) => e.type === 'StorageError')?.at as number;
    const to = timeline.find((e) => e.type === 'StorageRecovered')?.at as number;
    expect(to).toBeGreaterThan(from);
    // Nothing was decided while the disk was full.
    expect(timeline.filter((e) => e.type === 'WeightChanged' && e.at > from && e.at < to)).toEqual([]);
  }, 120_000);
});
