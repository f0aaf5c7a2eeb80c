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
 *
 * Everything in it is private to the user running the controller: directories 0700, files 0600,
 * set with chmod (so whatever the umask), and tightened again on every start (a state dir made by
 * an older Baton, or copied with looser modes). The token grants every verb; the database holds
 * every manifest (and any secret written in one); the logs hold what the services print.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
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
  /** What `baton up` said on start besides the addresses (warnings; files that differ from the set in force). */
  notice?: string[];
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
  for (const target of [dir.root, dir.logs, join(dir.root, 'pods'), dir.gatewayState]) {
    const missing: string[] = [];
    let p = target;
    while (!existsSync(p) && dirname(p) !== p) {
      missing.unshift(p);
      p = dirname(p);
    }
    for (const m of missing) {
      try {
        mkdirSync(m, PRIVATE_DIR);
        chmodSync(m, PRIVATE_DIR);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        throw new BatonError('state-dir-unusable', `cannot create the state directory ${dir.root} (${m}: ${code ?? String(e)}); pass --state-dir with a writable path`, { stateDir: dir.root });
      }
    }
  }
}

/** Mode of every directory of a state dir. */
export const PRIVATE_DIR = 0o700;
/** Mode of every file of a state dir. */
export const PRIVATE_FILE = 0o600;

/** The state dir's own files whose modes {@link secureStateDir} sets (the gateway's own files are the gateway's). */
const TIGHTENED_DIRS = ['logs', 'pods'];

/**
 * Makes an existing state dir private again: the directory and its `logs/`, `pods/` and
 * `gateway/` 0700, the files directly in it and in `logs/` and `pods/` 0600 (the SQLite
 * database with its -wal and -shm, the token, the records, the logs). Symbolic links are left
 * alone (chmod would follow them out of the directory). Creates the database file 0600 when it is
 * missing, so SQLite makes its -wal and -shm files with that mode too.
 */
export function secureStateDir(dir: StateDir): void {
  ensureStateDir(dir);
  const chmodIf = (path: string, dirMode: boolean): void => {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return; // gone meanwhile
    }
    if (dirMode ? st.isDirectory() : st.isFile()) chmodSync(path, dirMode ? PRIVATE_DIR : PRIVATE_FILE);
  };
  for (const d of [dir.root, dir.gatewayState, ...TIGHTENED_DIRS.map((n) => join(dir.root, n))]) chmodIf(d, true);
  for (const d of [dir.root, ...TIGHTENED_DIRS.map((n) => join(dir.root, n))]) {
    for (const name of readdirSync(d)) chmodIf(join(d, name), false);
  }
  if (!existsSync(dir.db)) closeSync(openSync(dir.db, 'a', PRIVATE_FILE));
  chmodSync(dir.db, PRIVATE_FILE);
}

/** Writes `data` as JSON atomically (temp file + rename), mode 0600. */
export function writeJsonAtomic(path: string, data: unknown, mode = PRIVATE_FILE): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode });
  chmodSync(tmp, mode);
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
    chmodSync(dir.token, PRIVATE_FILE);
    return readFileSync(dir.token, 'utf8').trim();
  }
  const token = randomBytes(24).toString('base64url');
  const fd = openSync(dir.token, 'wx', PRIVATE_FILE);
  chmodSync(dir.token, PRIVATE_FILE);
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
