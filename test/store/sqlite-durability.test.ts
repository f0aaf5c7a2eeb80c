/**
 * What a crash, a second reader, a second writer or a damaged file does to the SQLite store: real
 * child processes killed with SIGKILL, real second connections, real files.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreError, openSqliteStore } from '../../src/adapters/store/sqlite/index.js';
import { numberedRecord, record } from './fixtures.js';
import { openStore, tempDir } from './helpers.js';

const crashWriter = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const steadyWriter = fileURLToPath(new URL('./fixtures/steady-writer.ts', import.meta.url));

/**
 * Runs a writer script until it prints `line`, then (after `meanwhile`) SIGKILLs it and waits
 * for it to die.
 */
async function killWhen(dbPath: string, line: string, script = crashWriter, meanwhile: () => Promise<void> | void = () => {}): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const seen: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      seen.push(...d.toString().split('\n').filter(Boolean));
      if (seen.includes(line)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`crash writer exited (${code}) before "${line}": ${stderr}`)));
  });
  try {
    await meanwhile();
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  return seen;
}

function expectStoreError(fn: () => unknown, code: string, path: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(StoreError);
  expect((caught as StoreError).code).toBe(code);
  expect((caught as StoreError).path).toBe(path);
  expect((caught as StoreError).message).toContain(path);
}

describe('sqlite store durability', () => {
  it('a kill -9 in the middle of a long transaction leaves the last committed save whole', async () => {
    const path = join(tempDir(), 'state.db');
    const said = await killWhen(path, 'in-transaction');
    expect(said).toEqual([expect.stringMatching(/^committed \d+$/), 'in-transaction']);
    // The uncommitted transaction's pages are in the WAL file, past the committed ones: recovery must ignore them.
    const committedWal = Number(said[0]!.split(' ')[1]);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(committedWal);
    const store = openStore(path);
    expect(store.load('backend')).toStrictEqual(record(1, 10));
    expect(store.events({ rollout: 'backend' }).map((e) => e.type)).toEqual(['StepStarted']);
    expect(store.rollouts().map((r) => r.name)).toEqual(['backend']);
    // And the store works on: the engine resumes from here.
    store.save('backend', record(2, 25));
    expect(store.load('backend')).toStrictEqual(record(2, 25));
  });

  it('a second connection reads the last commit while the writer is mid-transaction', () => {
    const path = join(tempDir(), 'state.db');
    const writer = openStore(path);
    writer.save('backend', record(1, 10));
    const reader = openStore(path, { readonly: true });
    writer.transaction(() => {
      writer.save('backend', record(2, 25));
      writer.appendEvent({ at: 1, rollout: 'backend', type: 'StepStarted' });
      expect(reader.load('backend')).toStrictEqual(record(1, 10));
      expect(reader.events()).toEqual([]);
      expect(reader.rollouts().map((r) => r.canaryWeight)).toEqual([10]);
    });
    expect(reader.load('backend')).toStrictEqual(record(2, 25));
    expect(reader.events()).toHaveLength(1);
    // A read-only handle cannot write.
    expectStoreError(() => reader.save('backend', record()), 'store-readonly', path);
  });

  it('a reader in this process sees only whole records while another process saves in a loop', async () => {
    const path = join(tempDir(), 'state.db');
    const seen = new Set<number>();
    await killWhen(path, 'writing', steadyWriter, async () => {
      const reader = openStore(path, { readonly: true });
      for (let i = 0; i < 200; i++) {
        const loaded = reader.load('backend');
        const k = loaded?.rolloutState.currentStepIndex;
        expect(k).toBeTypeOf('number');
        expect(loaded).toStrictEqual(numberedRecord(k!));
        // Rows read outside load agree with some whole save too.
        const runs = reader.analysisRuns('backend');
        expect(runs.every((r) => r.name.startsWith('run-'))).toBe(true);
        seen.add(k!);
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
    });
    // The writer moved on while we read: the reads were concurrent, not of one frozen state.
    expect(seen.size).toBeGreaterThan(1);
  });

  it('processes that create, migrate and write one new file at once all succeed, waiting on each other', async () => {
    const path = join(tempDir(), 'state.db');
    const script = fileURLToPath(new URL('./fixtures/open-and-save.ts', import.meta.url));
    const names = ['r1', 'r2', 'r3', 'r4'];
    const results = await Promise.all(
      names.map(
        (name) =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ['--import', 'tsx', script, path, name], { stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.on('exit', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    expect(results).toEqual(names.map(() => ({ code: 0, stderr: '' })));
    const store = openStore(path);
    expect(store.rollouts().map((r) => r.name)).toEqual(names);
    for (const name of names) {
      expect(store.load(name)).toStrictEqual(numberedRecord(49));
      expect(store.events({ rollout: name })).toHaveLength(50);
    }
  });

  it('a read-only handle opens a closed store whose WAL files are gone (the CLI with no controller running)', () => {
    const path = join(tempDir(), 'state.db');
    const writer = openSqliteStore(path);
    writer.saveTick({ rollout: 'backend', record: record(), status: undefined });
    writer.close();
    const reader = openStore(path, { readonly: true });
    expect(reader.load('backend')).toStrictEqual(record());
    expect(reader.rollouts().map((r) => r.name)).toEqual(['backend']);
  });

  it('a write blocked by another process-level lock beyond the busy timeout is STORE_LOCKED naming the file', () => {
    const path = join(tempDir(), 'state.db');
    const store = openStore(path, { busyTimeoutMs: 50 });
    store.save('backend', record(1, 10));
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      expectStoreError(() => store.save('backend', record(2, 25)), 'store-locked', path);
      // Reads go on under WAL.
      expect(store.load('backend')).toStrictEqual(record(1, 10));
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    store.save('backend', record(2, 25));
    expect(store.load('backend')).toStrictEqual(record(2, 25));
  });

  it('a file that is not a database is STORE_CORRUPT naming the file', () => {
    const path = join(tempDir(), 'state.db');
    writeFileSync(path, 'kind: Rollout\nthis is YAML, not SQLite\n'.repeat(200));
    expectStoreError(() => openSqliteStore(path), 'store-corrupt', path);
  });

  it('a database with damaged pages is STORE_CORRUPT at open, not mid-rollout', () => {
    const path = join(tempDir(), 'state.db');
    const store = openSqliteStore(path);
    for (let i = 0; i < 50; i++) store.saveTick({ rollout: `r${i}`, record: record(), events: [{ at: i, rollout: `r${i}`, type: 'X', pad: 'x'.repeat(500) }] });
    store.close(); // checkpoints the WAL into the file
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(16 * 4096);
    const fd = openSync(path, 'r+');
    // Overwrite pages 3..8 (past the header page and the schema page) with garbage.
    writeSync(fd, Buffer.alloc(6 * 4096, 0xa5), 0, 6 * 4096, 2 * 4096);
    closeSync(fd);
    expectStoreError(() => openSqliteStore(path), 'store-corrupt', path);
  });

  it('a database from a newer Baton is STORE_TOO_NEW, and a missing directory STORE_OPEN_FAILED', () => {
    const dir = tempDir();
    const path = join(dir, 'state.db');
    openSqliteStore(path).close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    expectStoreError(() => openSqliteStore(path), 'store-too-new', path);
    const missing = join(dir, 'no', 'such', 'dir', 'state.db');
    expectStoreError(() => openSqliteStore(missing), 'store-open-failed', missing);
    expectStoreError(() => openSqliteStore(join(dir, 'absent.db'), { readonly: true }), 'store-open-failed', join(dir, 'absent.db'));
  });
});
