/**
 * Starting and stopping one pod's process so that it outlives the controller: detached into a
 * process group of its own, output appended to a log file (not a pipe that would break when the
 * controller dies), and unref'd so the controller can exit without waiting for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import type { LifecycleHandler } from '../../../core/spec/types.js';
import { httpProbe, type ProbeTarget } from './probes.js';

/**
 * Spawns `argv` detached with stdout and stderr appended to `logFile`; `pid` undefined if it
 * failed. `inherit` descriptors become the child's 3, 4, ... (a listening socket it takes over).
 */
export function spawnDetached(argv: string[], cwd: string, env: Record<string, string>, logFile: string, inherit: number[] = []): ChildProcess {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a', 0o600);
  try {
    const [file, ...args] = argv;
    const child = spawn(file ?? '', args, {
      cwd,
      env: { ...process.env, ...env },
      detached: true,
      shell: false,
      stdio: ['ignore', fd, fd, ...inherit],
    });
    child.unref();
    return child;
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
}

/** A port that was free on 127.0.0.1 a moment ago, for the next process to listen on. */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves after `ms` or when `signal` aborts. */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, Math.min(ms, 2_147_483_647)));
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs a `lifecycle.preStop` handler to completion or until `budgetMs` runs out (the kubelet
 * counts it against terminationGracePeriodSeconds). exec runs argv (no shell) in the pod's
 * working directory with its environment; sleep waits (times `timeScale`); httpGet asks the pod.
 */
export async function runPreStop(handler: LifecycleHandler, target: ProbeTarget, port: number, budgetMs: number, timeScale: number): Promise<void> {
  const budget = new AbortController();
  const timer = setTimeout(() => budget.abort(), Math.max(0, budgetMs));
  try {
    if (handler.exec) {
      const [file, ...args] = handler.exec.command;
      if (file === undefined) return;
      await new Promise<void>((resolve) => {
        const child = spawn(file, args, { cwd: target.cwd, env: { ...process.env, ...target.env }, stdio: 'ignore', shell: false });
        const onAbort = (): void => void child.kill('SIGKILL');
        budget.signal.addEventListener('abort', onAbort, { once: true });
        const finish = (): void => {
          budget.signal.removeEventListener('abort', onAbort);
          resolve();
        };
        child.once('error', finish);
        child.once('exit', finish);
      });
    } else if (handler.sleep) {
      await delay(handler.sleep.seconds * 1000 * timeScale, budget.signal);
    } else if (handler.httpGet) {
      await httpProbe(port, handler.httpGet.path, handler.httpGet.httpHeaders ?? [], Math.max(1, budgetMs), handler.httpGet.scheme);
    }
  } finally {
    clearTimeout(timer);
  }
}
