/**
 * The controller's gateway arrangement (src/host/gateway-process.ts, as `baton up` uses it): the
 * controller binds the proxy socket and hands it to each gateway process it starts. Under steady
 * load from 127.0.0.1, a `kill -9` of the gateway refuses no connection: new ones wait in the
 * kernel's accept queue until the next gateway (started as the controller's watch does) accepts
 * them. A standalone gateway, which binds its own socket, is the contrast: killed, it refuses.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureGateway, stopGateway } from '../../src/host/gateway-process.js';
import { ensureStateDir, resolveStateDir } from '../../src/host/state-dir.js';
import { freePort, tempDir } from '../support/net.js';
import { splitConfig, startUpstream } from './support.js';

const MAIN = new URL('../../src/gateway/main.ts', import.meta.url).pathname;
const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

interface Outcome {
  startedAt: number;
  /** HTTP status, or the error code of a request that got no answer. */
  result: number | string;
}

/** One GET on a new connection (no keep-alive: every request tests the listener). */
function get(url: string): Promise<Outcome> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const req = request(`${url}/`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ startedAt, result: res.statusCode ?? 0 }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ startedAt, result: e.code ?? e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ startedAt, result: e.code ?? e.message }));
    req.end();
  });
}

/**
 * Bounded load: `workers` loops of one request after another until `stop` resolves (and at most
 * `limit` requests); every outcome is kept.
 */
async function loadUntil(url: string, stop: Promise<unknown>, workers = 8, limit = 50_000): Promise<Outcome[]> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const out: Outcome[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stopped && out.length < limit) out.push(await get(url));
    }),
  );
  return out;
}

const count = (xs: Outcome[], result: number | string): number => xs.filter((o) => o.result === result).length;

/** True when a TCP connection to `port` completes within `ms` (queued or accepted), false when refused. */
function connects(port: number, ms: number): Promise<boolean | 'timeout'> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(ms, () => {
      s.destroy();
      resolve('timeout');
    });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe('the listening socket outlives the gateway process', () => {
  it('refuses no connection while a kill -9 gateway is replaced, and serves every request after', async () => {
    const tmp = await tempDir('baton-gw-handoff-');
    cleanup.push(tmp.remove);
    const dir = resolveStateDir(tmp.path);
    ensureStateDir(dir);
    const up = await startUpstream('served');
    cleanup.push(() => up.close());
    const port = await freePort();
    const listen = `127.0.0.1:${port}`;
    cleanup.push(() => stopGateway(dir));

    const first = await ensureGateway(dir, listen);
    expect(readFileSync(join(dir.logs, 'gateway.log'), 'utf8')).toContain('accepting on inherited socket 3');
    await first.client.putConfig(splitConfig(1, { app: { endpoints: [up.key] } }, { app: 100 }));
    const url = `http://${listen}`;

    let restarted!: (t: number) => void;
    const restartedAt = new Promise<number>((r) => (restarted = r));
    let killedAt = 0;
    const settle = restartedAt.then(() => new Promise((r) => setTimeout(r, 500)));
    const load = loadUntil(url, settle);
    // Some load before the kill, so it lands in the middle of traffic.
    await new Promise((r) => setTimeout(r, 500));
    killedAt = performance.now();
    process.kill(first.info.pid, 'SIGKILL');
    // What the controller's watch does once it sees the process gone: start the next one on the same addresses.
    const second = await ensureGateway(dir, listen, new URL(first.info.admin).host);
    restarted(performance.now());
    const outcomes = await load;

    expect(second.info.pid).not.toBe(first.info.pid);
    const afterKill = outcomes.filter((o) => o.startedAt >= killedAt);
    const summary = { total: outcomes.length, afterKill: afterKill.length, refused: count(outcomes, 'ECONNREFUSED'), gapMs: Math.round((await restartedAt) - killedAt) };
    console.log(`kill -9 under load: ${JSON.stringify(summary)}`);
    expect(count(outcomes, 'ECONNREFUSED')).toBe(0);
    // Requests that started before the kill may have been in flight in the dead process; none that started after it fails.
    expect(afterKill.filter((o) => o.result !== 200)).toEqual([]);
    expect(afterKill.length).toBeGreaterThan(0);
    // The next gateway serves the config the first one persisted, and every request.
    const after = await Promise.all(Array.from({ length: 200 }, () => get(url)));
    expect(after.filter((o) => o.result !== 200)).toEqual([]);

    // Stopped for good, the socket is released: a connection is refused, not left waiting in the queue.
    await stopGateway(dir);
    expect(await connects(port, 2_000)).toBe(false);
  }, 120_000);

  it('a standalone gateway binds its own socket: killed, it refuses connections (the contrast)', async () => {
    const tmp = await tempDir('baton-gw-standalone-');
    cleanup.push(tmp.remove);
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--listen', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0', '--state-dir', tmp.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    cleanup.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    await new Promise<void>((r) => child.stdout.on('data', (d: Buffer) => d.toString().includes('baton gateway: proxy') && r()));
    expect(await connects(port, 2_000)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(await connects(port, 2_000)).toBe(false);
  }, 60_000);
});
