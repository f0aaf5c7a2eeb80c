/**
 * The layout of a state directory (`--state-dir`, `BATON_STATE_DIR`, default `.baton`), shared
 * by the controller (`baton up`) and every CLI verb that finds it there:
 *
 * ```
 * .baton/
 *   baton.db          SQLite: manifests, revisions, rollout state, analysis runs, events, audit
 *   api.token         the control API token (0600)
 *   controller.json   where the running controller listens (written once it serves)
 *   controller.lock   pid of the controller holding the directory
 *   gateway.json      the gateway process (pid, listen and admin addresses)
 *   gateway/          the gateway's persisted config
 *   pods/             one record per process, for re-adoption after a crash
 *   logs/             per-process logs, controller.log, gateway.log
 * ```
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isAlive, takePidLock } from '../adapters/fs/pid-lock.js';
import { BatonError } from '../core/errors.js';

/** Paths inside one state directory. */
export interface StateDir {
  root: string;
  db: string;
  token: string;
  controller: string;
  lock: string;
  gateway: string;
  gatewayState: string;
  logs: string;
}

/** What `controller.json` holds. */
export interface ControllerInfo {
  pid: number;
  /** Control API base URL, e.g. http://127.0.0.1:7070. */
  api: string;
  gateway: string;
  startedAt: number;
}

/** `--state-dir`, else `BATON_STATE_DIR`, else `.baton`, resolved against the working directory. */
export function resolveStateDir(flag?: string, env: NodeJS.ProcessEnv = process.env): StateDir {
  const root = resolve(flag ?? env.BATON_STATE_DIR ?? '.baton');
  return {
    root,
    db: join(root, 'baton.db'),
    token: join(root, 'api.token'),
    controller: join(root, 'controller.json'),
    lock: join(root, 'controller.lock'),
    gateway: join(root, 'gateway.json'),
    gatewayState: join(root, 'gateway'),
    logs: join(root, 'logs'),
  };
}

/**
 * Creates the state directory (and `logs/`), one level at a time: Node's recursive mkdir never
 * returns for some paths (under /proc it keeps retrying ENOENT), and an error here must name the
 * directory, not surface as a stack trace.
 */
export function ensureStateDir(dir: StateDir): void {
  for (const target of [dir.root, dir.logs]) {
    const missing: string[] = [];
    let p = target;
    while (!existsSync(p) && dirname(p) !== p) {
      missing.unshift(p);
      p = dirname(p);
    }
    for (const m of missing) {
      try {
        mkdirSync(m);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        throw new BatonError('state-dir-unusable', `cannot create the state directory ${dir.root} (${m}: ${code ?? String(e)}); pass --state-dir with a writable path`, { stateDir: dir.root });
      }
    }
  }
}

/** Writes `data` as JSON atomically (temp file + rename). */
export function writeJsonAtomic(path: string, data: unknown, mode = 0o644): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode });
  renameSync(tmp, path);
}

/** Reads a JSON file, or undefined when it does not exist or does not parse. */
export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The token, created (mode 0600) on first use. */
export function ensureToken(dir: StateDir): string {
  ensureStateDir(dir);
  if (existsSync(dir.token)) {
    chmodSync(dir.token, 0o600);
    return readFileSync(dir.token, 'utf8').trim();
  }
  const token = randomBytes(24).toString('base64url');
  const fd = openSync(dir.token, 'wx', 0o600);
  writeSync(fd, token + '\n');
  closeSync(fd);
  return token;
}

/** Reads the token, or undefined when there is none or it cannot be read (another user's file). */
export function readToken(dir: StateDir): string | undefined {
  try {
    return readFileSync(dir.token, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the state directory for this process: one controller per directory. A lock left by a
 * controller that died (`kill -9`) is taken over; a live one is an error naming its pid.
 */
export function acquireLock(dir: StateDir): () => void {
  ensureStateDir(dir);
  const lock = takePidLock(dir.lock, (pid) => new BatonError('state-dir-locked', `another controller (pid ${pid}) is running on ${dir.root}; stop it with \`baton down\` or use another --state-dir`, { pid, stateDir: dir.root }));
  return () => lock.release();
}

export { isAlive };
