/**
 * The gateway as its own process (`node --import tsx src/gateway/main.ts`): it keeps its admin
 * token in `<state-dir>/admin.token` (0600, in a 0700 dir) and reuses it, reloads the persisted
 * config after a restart, and on SIGTERM it stops accepting, finishes the request in flight and
 * exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGatewayClient, type GatewayClient } from '../../src/adapters/traffic/gateway/client.js';
import { ADMIN_TOKEN_FILE } from '../../src/gateway/state/admin-token.js';
import { STATE_FILE } from '../../src/gateway/state/persist.js';
import { freePort, tempDir } from '../support/net.js';
import { send, splitConfig, startUpstream } from './support.js';

const MAIN = new URL('../../src/gateway/main.ts', import.meta.url).pathname;
const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

interface GatewayProcess {
  child: ChildProcess;
  url: string;
  adminUrl: string;
  /** A client of its admin API with the token it keeps in the state dir. */
  client(): Promise<GatewayClient>;
  /** Resolves with the next stdout line containing `text`. */
  waitOutput(text: string): Promise<string>;
  exited: Promise<number | null>;
}

async function spawnGateway(stateDir: string, extra: string[] = []): Promise<GatewayProcess> {
  const port = await freePort();
  const admin = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--listen', `127.0.0.1:${port}`, '--admin', `127.0.0.1:${admin}`, '--state-dir', stateDir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners: Array<() => void> = [];
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const l of [...listeners]) l();
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitOutput = (text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = out.split('\n').find((l) => l.includes(text));
        if (line !== undefined) {
          listeners.splice(listeners.indexOf(check), 1);
          resolve(line);
        }
      };
      listeners.push(check);
      void exited.then((code) => reject(new Error(`gateway exited (${code}) before printing "${text}": ${out}${err}`)));
      check();
    });
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  await waitOutput('baton gateway: proxy');
  const adminUrl = `http://127.0.0.1:${admin}`;
  const client = async (): Promise<GatewayClient> => createGatewayClient(adminUrl, (await readFile(join(stateDir, ADMIN_TOKEN_FILE), 'utf8')).trim());
  return { child, url: `http://127.0.0.1:${port}`, adminUrl, client, waitOutput, exited };
}

describe('gateway process', () => {
  it('serves the persisted config after a restart', async () => {
    const dir = await tempDir('baton-gw-state-');
    cleanup.push(dir.remove);
    const up = await startUpstream('persisted');
    cleanup.push(() => up.close());

    const first = await spawnGateway(dir.path);
    expect(await first.waitOutput('config version')).toContain('config version 0');
    const client = await first.client();
    const pushed = await client.putConfig(splitConfig(42, { app: { endpoints: [up.key] } }, { app: 100 }));
    expect(pushed.version).toBe(42);
    expect((await send(first.url, '/', { agent: false })).body).toBe('persisted');
    expect(JSON.parse(await readFile(join(dir.path, STATE_FILE), 'utf8'))).toMatchObject({ version: 42 });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await spawnGateway(dir.path);
    expect(await second.waitOutput('config version')).toContain('config version 42');
    expect((await send(second.url, '/x')).body).toBe('persisted');
    expect((await (await second.client()).getConfig()).version).toBe(42);
    // The reloaded config has the digest the push was answered with: a controller sees no change.
    expect((await (await second.client()).health()).configDigest).toBe(pushed.digest);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('keeps its admin token in the state dir, private, and reuses it on restart', async () => {
    const dir = await tempDir('baton-gw-state-');
    cleanup.push(dir.remove);
    const stateDir = join(dir.path, 'new-dir');
    const first = await spawnGateway(stateDir);
    const tokenFile = join(stateDir, ADMIN_TOKEN_FILE);
    expect(await first.waitOutput('admin API token in')).toContain(tokenFile);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    // The token is not on the command line, where every local user could read it.
    expect(await readFile(`/proc/${first.child.pid}/cmdline`, 'utf8')).not.toContain(token);
    expect((await fetch(`${first.adminUrl}/config`)).status).toBe(401);
    expect((await fetch(`${first.adminUrl}/config`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await spawnGateway(stateDir);
    expect((await readFile(tokenFile, 'utf8')).trim()).toBe(token);
    expect((await fetch(`${second.adminUrl}/config`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('takes the token from --admin-token-file, and refuses to start with no credential or a weak one', async () => {
    const dir = await tempDir('baton-gw-token-');
    cleanup.push(dir.remove);
    const file = join(dir.path, 'token');
    await writeFile(file, 'a-long-enough-token-from-a-secret-store\n', { mode: 0o600 });
    const port = await freePort();
    const admin = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--listen', `127.0.0.1:${port}`, '--admin', `127.0.0.1:${admin}`, '--admin-token-file', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    cleanup.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    await new Promise<void>((r) => child.stdout.on('data', (d: Buffer) => d.toString().includes('admin API token in') && r()));
    const client = createGatewayClient(`http://127.0.0.1:${admin}`, 'a-long-enough-token-from-a-secret-store');
    expect((await client.getConfig()).version).toBe(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const refused = async (args: string[]): Promise<string> => {
      const c = spawn(process.execPath, ['--import', 'tsx', MAIN, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      expect(await new Promise<number | null>((r) => c.once('exit', r))).toBe(64);
      expect(err).not.toMatch(/\n\s+at /);
      return err;
    };
    expect(await refused([])).toMatch(/--state-dir.*--admin-token-file/);
    await writeFile(file, 'short\n');
    expect(await refused(['--admin-token-file', file])).toContain(`${file}: the admin token must be at least 16 characters`);
    expect(await refused(['--admin-token-file', join(dir.path, 'missing')])).toContain('ENOENT');
  });

  it('refuses a corrupt state file with a message naming it', async () => {
    const dir = await tempDir('baton-gw-state-');
    cleanup.push(dir.remove);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir.path, STATE_FILE), '{"version": 1, "routes": "nope", "clusters": {}}');
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--listen', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0', '--state-dir', dir.path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).not.toBe(0);
    expect(err).toContain(STATE_FILE);
    expect(err).toContain('routes: must be an array');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('on SIGTERM stops accepting, finishes the request in flight and exits 0', async () => {
    const dir = await tempDir('baton-gw-state-');
    cleanup.push(dir.remove);
    let arrived!: () => void;
    const arrivedP = new Promise<void>((r) => (arrived = r));
    let release!: () => void;
    const releaseP = new Promise<void>((r) => (release = r));
    const up = await startUpstream('slow', (_req, res) => {
      arrived();
      void releaseP.then(() => res.end('finished'));
    });
    cleanup.push(() => up.close());
    const gw = await spawnGateway(dir.path);
    await (await gw.client()).putConfig(splitConfig(1, { app: { endpoints: [up.key] } }, { app: 100 }));

    const inFlight = send(gw.url, '/slow', { agent: false });
    await arrivedP;
    gw.child.kill('SIGTERM');
    await gw.waitOutput('SIGTERM, draining 1 request');
    // The listener is closed: a new connection is refused while the old request is still running.
    await expect(send(gw.url, '/new', { agent: false })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    release();
    expect(await inFlight).toMatchObject({ status: 200, body: 'finished' });
    expect(await gw.exited).toBe(0);
  });

  it('exits 0 on SIGTERM with an upgraded connection still open', async () => {
    const dir = await tempDir('baton-gw-state-');
    cleanup.push(dir.remove);
    const ws = createServer((_req, res) => res.end());
    ws.on('upgrade', (_req, socket: Socket) => {
      socket.on('error', () => socket.destroy());
      socket.on('end', () => socket.end());
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
    await new Promise<void>((r) => ws.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          ws.closeAllConnections();
          ws.close(() => r());
        }),
    );
    const gw = await spawnGateway(dir.path, ['--drain-timeout-ms', '2000']);
    await (await gw.client()).putConfig(splitConfig(1, { ws: { endpoints: [`127.0.0.1:${(ws.address() as AddressInfo).port}`] } }, { ws: 100 }));
    const u = new URL(gw.url);
    const client = await new Promise<Socket>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: '/ws', headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('upgrade', (_res, s: Socket) => resolve(s));
      req.on('error', reject);
      req.end();
    });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    client.on('error', () => undefined);
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
    await closed;
  });
});
