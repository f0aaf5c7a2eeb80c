/** Temp state dirs for store tests, removed after each test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from '../../src/adapters/store/sqlite/index.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A fresh temp dir, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a store (closed after the test). */
export function openStore(path: string, opts?: SqliteStoreOptions): SqliteStore {
  const store = openSqliteStore(path, opts);
  cleanups.push(() => store.close());
  return store;
}

/** A store in a fresh temp dir. */
export function freshStore(opts?: SqliteStoreOptions): SqliteStore {
  return openStore(join(tempDir(), 'state.db'), opts);
}

/** A clock that only moves when told. */
export function fakeClock(start = 1_000_000): { now(): number; sleepUntil(): Promise<void>; advance(ms: number): void } {
  let t = start;
  return { now: () => t, sleepUntil: () => Promise.resolve(), advance: (ms) => void (t += ms) };
}
