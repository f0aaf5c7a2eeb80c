/**
 * Starts a real PostgreSQL server (Debian's `postgresql` package) for tests that must talk to
 * the real thing: `initdb` into a fresh temp dir, then `postgres` on a free 127.0.0.1 port with
 * its socket in the same dir. `initdb` refuses to run as root, so when the tests run as root the
 * server runs as the `postgres` system user, which owns the temp dir.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chown, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, stopChild, tempDir, waitFor } from './net.js';

export const POSTGRES_BIN_DIR = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

export function hasPostgres(): boolean {
  return existsSync(join(POSTGRES_BIN_DIR, 'postgres')) && existsSync(join(POSTGRES_BIN_DIR, 'initdb'));
}

export interface RunningPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The uid/gid to run the server as: the `postgres` user when we are root, else ourselves. */
function serverIdentity(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function collect(child: ChildProcess): () => string {
  let out = '';
  const add = (b: Buffer): void => {
    out += b.toString();
    if (out.length > 20_000) out = out.slice(-10_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => out;
}

async function run(bin: string, args: string[], who: { uid: number; gid: number } | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(join(POSTGRES_BIN_DIR, bin), args, { stdio: ['ignore', 'pipe', 'pipe'], env, ...who });
  const output = collect(child);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new Error(`${bin} exited with ${code}: ${output()}`);
}

/** A fresh cluster on a free port; call `stop()` in afterAll. */
export async function startPostgres(): Promise<RunningPostgres> {
  if (!hasPostgres()) throw new Error(`${POSTGRES_BIN_DIR}/postgres not found: install Debian's postgresql package`);
  const who = serverIdentity();
  const dir = await tempDir('baton-pg-');
  if (who) await chown(dir.path, who.uid, who.gid);
  await chmod(dir.path, 0o700);
  const dataDir = join(dir.path, 'data');
  const env = { ...process.env, HOME: dir.path, LC_ALL: 'C', LANG: 'C' };
  await run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], who, env);
  const port = await freePort();
  const child = spawn(
    join(POSTGRES_BIN_DIR, 'postgres'),
    // fsync off: a test cluster is thrown away, and durability is not what these tests measure.
    ['-D', dataDir, '-k', dir.path, '-p', String(port), '-h', '127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=50'],
    { stdio: ['ignore', 'pipe', 'pipe'], env, ...who },
  );
  const output = collect(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`postgres exited: ${output()}`);
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    }, 30_000, 'postgres to accept connections');
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    await dir.remove();
    throw e;
  }
  return {
    url,
    port,
    async stop() {
      // SIGINT is PostgreSQL's "fast shutdown": abort sessions, exit cleanly.
      await stopChild(child, exited, 'SIGINT', 10_000);
      await dir.remove();
    },
  };
}
