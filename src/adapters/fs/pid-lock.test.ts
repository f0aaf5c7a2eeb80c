import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/net.js';
import { takePidLock } from './pid-lock.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const held = (pid: number, note: string): Error => new Error(`held by ${pid} (${note})`);

it('is taken once, keeps a note, refuses a live other holder and is let go only by its holder', async () => {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  const path = `${tmp.path}/x.lock`;
  const lock = takePidLock(path, held, 'first');
  expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\nfirst`);
  lock.note('postgres://127.0.0.1:5/postgres');
  expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\npostgres://127.0.0.1:5/postgres`);
  // Another live process (the parent) holds it now: refused with its pid and note, and kept.
  writeFileSync(path, `${process.ppid}\nserved`);
  expect(() => takePidLock(path, held)).toThrow(`held by ${process.ppid} (served)`);
  lock.release();
  expect(readFileSync(path, 'utf8')).toBe(`${process.ppid}\nserved`);
});

it('takes over a lock whose process is gone', async () => {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  const path = `${tmp.path}/x.lock`;
  writeFileSync(path, '999999999\n');
  const lock = takePidLock(path, held);
  expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(String(process.pid));
  lock.release();
  expect(existsSync(path)).toBe(false);
});

it('does not count a lock it cannot read as free', async () => {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  const path = `${tmp.path}/x.lock`;
  mkdirSync(path);
  expect(() => takePidLock(path, held)).toThrow(`cannot read the lock ${path}`);
  expect(existsSync(path)).toBe(true);
});
