import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/net.js';
import { openSqliteStore } from '../adapters/store/sqlite/index.js';
import { acquireLock, ensureStateDir, ensureToken, isAlive, readToken, resolveStateDir, secureStateDir, writeJsonAtomic } from './state-dir.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('state dir', () => {
  it('counts a zombie as gone (a parent blocked in spawnSync cannot reap it)', async () => {
    // `sleep 0` exits at once; its parent exec's into `sleep 5` and never reaps it.
    const sh = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanups.push(() => sh.kill('SIGKILL'));
    const first = await createInterface({ input: sh.stdout })[Symbol.asyncIterator]().next();
    const zombie = Number(first.value);
    expect(zombie).toBeGreaterThan(0);
    await expect.poll(() => isAlive(zombie), { timeout: 5000 }).toBe(false);
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(sh.pid as number)).toBe(true);
  });

  it('creates the token once, mode 0600, and reads it back', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const dir = resolveStateDir(tmp.path);
    const token = ensureToken(dir);
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(statSync(dir.token).mode & 0o777).toBe(0o600);
    expect(ensureToken(dir)).toBe(token);
    expect(readToken(dir)).toBe(token);
  });

  it('refuses a second controller on the directory and takes over the lock of a dead one', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const dir = resolveStateDir(tmp.path);
    const other = spawn('sleep', ['5']);
    cleanups.push(() => other.kill('SIGKILL'));
    writeFileSync(dir.lock, `${other.pid}\n`);
    expect(() => acquireLock(dir)).toThrow(new RegExp(`another controller \\(pid ${other.pid}\\) is running on`));
    // A pid that is not running (the controller was killed): the lock is taken over.
    writeFileSync(dir.lock, '999999999\n');
    const release = acquireLock(dir);
    expect(() => acquireLock(dir)).not.toThrow(); // the same process may take it again
    release();
  });

  it('creates a nested state dir, and names the directory when it cannot (never hangs, never a stack trace)', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const nested = resolveStateDir(`${tmp.path}/a/b/.baton`);
    ensureStateDir(nested);
    expect(statSync(nested.logs).isDirectory()).toBe(true);
    writeFileSync(`${tmp.path}/file`, 'x');
    expect(() => ensureStateDir(resolveStateDir(`${tmp.path}/file/.baton`))).toThrow(/cannot create the state directory .*file\/\.baton .*ENOTDIR/);
    // Node's recursive mkdir never returns here; this must.
    expect(() => ensureStateDir(resolveStateDir('/proc/nope/.baton'))).toThrow(/cannot create the state directory \/proc\/nope\/\.baton/);
  });

  it('is private to its user whatever the umask: dirs 0700, token, records, lock, database with its WAL 0600', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const dir = resolveStateDir(join(tmp.path, 'nested', 'state'));
    const old = process.umask(0);
    try {
      secureStateDir(dir);
      ensureToken(dir);
      writeJsonAtomic(dir.controller, { pid: 1 });
      const release = acquireLock(dir);
      cleanups.push(release);
      const store = openSqliteStore(dir.db);
      store.setMeta('k', 'v');
      cleanups.push(() => store.close());
      const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);
      for (const d of [dir.root, dir.logs, join(dir.root, 'pods'), dir.gatewayState]) expect([d, mode(d)]).toEqual([d, '700']);
      for (const f of [dir.token, dir.controller, dir.lock, dir.db, `${dir.db}-wal`, `${dir.db}-shm`]) expect([f, mode(f)]).toEqual([f, '600']);
    } finally {
      process.umask(old);
    }
  });

  it('tightens an existing state dir on start, and leaves symbolic links alone', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const dir = resolveStateDir(join(tmp.path, 'state'));
    mkdirSync(dir.root);
    mkdirSync(dir.logs);
    writeFileSync(join(dir.logs, 'web-abc-xyz12.log'), 'hello\n', { mode: 0o644 });
    writeFileSync(dir.token, 'old-token\n', { mode: 0o644 });
    writeFileSync(join(tmp.path, 'outside.txt'), 'not ours\n', { mode: 0o644 });
    symlinkSync(join(tmp.path, 'outside.txt'), join(dir.logs, 'link.log'));
    chmodSync(dir.root, 0o755);
    chmodSync(dir.logs, 0o777);
    secureStateDir(dir);
    const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);
    expect(mode(dir.root)).toBe('700');
    expect(mode(dir.logs)).toBe('700');
    expect(mode(join(dir.logs, 'web-abc-xyz12.log'))).toBe('600');
    expect(mode(dir.token)).toBe('600');
    expect(mode(join(tmp.path, 'outside.txt'))).toBe('644');
  });
});
