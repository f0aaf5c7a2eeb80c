/**
 * Runs `node bin/baton.js` (from the TypeScript sources) as a user does, in a temp working
 * directory with a state dir that points at a fake controller; and a streaming variant for
 * `--watch` and `status`, whose output the test reads as it comes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tempDir } from '../../support/net.js';
import { startFakeController, type FakeController } from './fake-controller.js';

const BIN = resolve('bin/baton.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Workspace {
  /** The working directory the CLI runs in. */
  cwd: string;
  /** A state dir with controller.json and api.token for the fake controller. */
  stateDir: string;
  remove: () => Promise<void>;
}

/** A temp working dir and, inside it, `state/` pointing at `controller` (token file mode 0600). */
export async function workspace(controller?: FakeController): Promise<Workspace> {
  const dir = await tempDir('baton-cli-');
  const stateDir = join(dir.path, 'state');
  await mkdir(stateDir);
  if (controller) {
    await writeFile(join(stateDir, 'controller.json'), JSON.stringify({ pid: process.pid, api: controller.url, gateway: 'http://127.0.0.1:8080', startedAt: Date.now() }));
    await writeFile(join(stateDir, 'api.token'), `${controller.token}\n`, { mode: 0o600 });
  }
  return { cwd: dir.path, stateDir, remove: dir.remove };
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, BATON_FROM_SOURCE: '1', ...extra };
  if (!('BATON_STATE_DIR' in extra)) delete e.BATON_STATE_DIR;
  return e;
}

/** Runs the CLI to its end. */
export function baton(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: env(opts.env ?? {}), timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(new Error(`baton did not run: ${err.message}\n${stderr}`));
      resolvePromise({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

export interface Running {
  child: ChildProcess;
  /** Everything printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout satisfies `test` (checked on every chunk). */
  until(test: (stdout: string) => boolean, what: string): Promise<string>;
  exit: Promise<number>;
}

/** Starts the CLI and returns while it runs (stdout is a pipe, not a terminal). */
export function startBaton(args: string[], opts: { cwd: string; env?: Record<string, string> }): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: env(opts.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { test: (s: string) => boolean; resolve: (s: string) => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const w of [...waiters]) {
      if (w.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(out);
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<number>((resolveExit) => child.on('close', (code, signal) => resolveExit(code ?? (signal ? 128 : -1))));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    until(test, what) {
      if (test(out)) return Promise.resolve(out);
      return new Promise((resolveWait, reject) => {
        waiters.push({ test, resolve: resolveWait });
        // The process ending first is a failure with its output, not a hang until the test timeout.
        void exit.then((code) => reject(new Error(`baton exited ${code} before ${what}\nstdout:\n${out}\nstderr:\n${err}`)));
      });
    },
    exit,
  };
}

/** A fake controller and a workspace whose state dir points at it; `at` is `--state-dir <dir>`. */
export interface FakeSetup {
  controller: FakeController;
  ws: Workspace;
  at: string[];
}

/**
 * Starts a fake controller and a workspace in `before` (beforeAll or beforeEach) and removes them
 * in `after`; the returned object is filled in once `before` has run.
 */
export function useFakeController(before: (fn: () => Promise<void>) => void, after: (fn: () => Promise<void>) => void): FakeSetup {
  const s = {} as FakeSetup;
  before(async () => {
    s.controller = await startFakeController();
    s.ws = await workspace(s.controller);
    s.at = ['--state-dir', s.ws.stateDir];
  });
  after(async () => {
    await s.controller.close();
    await s.ws.remove();
  });
  return s;
}
