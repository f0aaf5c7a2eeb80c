/**
 * Runs one attempt of a job as a local process: argv straight to the OS (never a shell), its
 * own process group so a stop reaches the children it started, output kept bounded (the tail),
 * and a stop that escalates from SIGTERM to SIGKILL after a grace, as the kubelet stops a pod
 * (terminationGracePeriodSeconds).
 */
import { spawn } from 'node:child_process';

/**
 * A delay Node's timers can hold: past 2^31-1 ms Node fires after 1 ms instead, which would turn
 * a very long deadline or grace into an immediate kill.
 */
export function timerDelay(ms: number): number {
  return Math.min(2_147_483_647, Math.max(0, ms));
}

/** Each of stdout and stderr keeps at most this many bytes, the most recent ones. */
export const OUTPUT_LIMIT_BYTES = 64 * 1024;

/** One process: its argv, where and with what environment it runs, and how to stop it. */
export interface RunProcessOptions {
  argv: [string, ...string[]];
  cwd: string;
  env: Record<string, string>;
  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`). */
  stop: AbortSignal;
  graceMs: number;
}

/** How the attempt ended; `stopped` when it was killed through `stop`. */
export type ProcessOutcome =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; stopped: boolean }
  | { kind: 'spawn-error'; message: string; code?: string };

/** Keeps the last `limit` bytes written to it. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= (this.chunks.shift() as Buffer).length;
    if (this.size > this.limit && this.chunks.length === 1) {
      const only = this.chunks[0] as Buffer;
      this.chunks = [only.subarray(only.length - this.limit)];
      this.size = this.limit;
    }
  }
  toString(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** Resolves when the process has exited and its pipes are closed; never rejects. */
export function runProcess(opts: RunProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const [file, ...args] = opts.argv;
    const stdout = new TailBuffer(OUTPUT_LIMIT_BYTES);
    const stderr = new TailBuffer(OUTPUT_LIMIT_BYTES);
    let stopped = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let settled = false;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, {
        cwd: opts.cwd,
        env: opts.env,
        shell: false,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      // Arguments the OS cannot take (a NUL byte in argv or env) are refused before any process.
      const err = e as NodeJS.ErrnoException;
      resolve({ kind: 'spawn-error', message: err.message, code: err.code });
      return;
    }
    const onStop = (): void => {
      if (stopped) return;
      stopped = true;
      killGroup(child.pid, 'SIGTERM');
      graceTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timerDelay(opts.graceMs));
    };
    const finish = (outcome: ProcessOutcome): void => {
      if (settled) return;
      settled = true;
      if (graceTimer) clearTimeout(graceTimer);
      opts.stop.removeEventListener('abort', onStop);
      resolve(outcome);
    };
    child.stdout?.on('data', (b: Buffer) => stdout.push(b));
    child.stderr?.on('data', (b: Buffer) => stderr.push(b));
    child.once('error', (e: NodeJS.ErrnoException) => {
      // spawn failures (ENOENT, EACCES) come here and no 'exit' follows.
      if (child.pid === undefined) finish({ kind: 'spawn-error', message: e.message, code: e.code });
    });
    child.once('exit', () => {
      // The main process is gone: like a pod, whatever it left running goes too, which also
      // lets the pipes close when a grandchild held them.
      killGroup(child.pid, 'SIGKILL');
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      finish({ kind: 'exited', code, signal, stdout: stdout.toString(), stderr: stderr.toString(), stopped });
    });
    if (opts.stop.aborted) onStop();
    else opts.stop.addEventListener('abort', onStop, { once: true });
  });
}
