/**
 * A lock file naming the process that holds something (a state directory, an embedded database):
 * the first line is the pid, the rest a note for whoever finds it taken (e.g. where a database is
 * served). A lock left by a process that died (`kill -9`) is taken over; a live holder is an error
 * the caller words.
 */
import { chmodSync, closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { InvalidInputError } from '../../core/errors.js';

/**
 * Whether `pid` is a running process. A zombie (exited, not yet reaped by a parent that is busy,
 * e.g. blocked in spawnSync on `baton down`) counts as gone: signal 0 still reaches it.
 */
export function isAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

export interface PidLock {
  /** Replaces the note (the pid stays). */
  note(text: string): void;
  /** Removes the lock if this process still holds it. */
  release(): void;
}

function read(path: string): { pid: number; note: string } {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    // Gone meanwhile: free. Unreadable is not free: its holder may well be alive.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new InvalidInputError('lock-unreadable', `cannot read the lock ${path}: ${(e as Error).message}`, { path });
  }
  const [first = '', ...rest] = text.split('\n');
  return { pid: Number(first.trim()), note: rest.join('\n').trim() };
}

/** Takes `path` for this process, or throws `held(pid, note)` while another live process holds it. */
export function takePidLock(path: string, held: (pid: number, note: string) => Error, note = ''): PidLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // 0600: the note may say where a database is served; only its user needs to read it.
      const fd = openSync(path, 'wx', 0o600);
      chmodSync(path, 0o600);
      writeSync(fd, `${process.pid}\n${note}`);
      closeSync(fd);
      return {
        note: (text) => {
          if (read(path).pid === process.pid) writeFileSync(path, `${process.pid}\n${text}`);
        },
        release: () => {
          if (read(path).pid === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = read(path);
      if (isAlive(holder.pid) && holder.pid !== process.pid) throw held(holder.pid, holder.note);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${path}`);
}
