/**
 * What the supervisor remembers about each pod on disk, so that a controller killed with
 * `kill -9` can be replaced by one that re-adopts the still-running processes. One JSON file per
 * pod, written as temp file + fsync + rename so a crash leaves the old or the new record, never a
 * torn one.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PodTemplateSpec } from '../../../core/spec/types.js';

/** One pod as persisted in `stateDir/pods/<name>.json`. */
export interface PodRecord {
  name: string;
  owner: string;
  hash: string;
  revision: number;
  namespace: string;
  /** Pid of the current process (the leader of its own process group); 0 while none runs. */
  pid: number;
  /**
   * The process start time from `/proc/<pid>/stat` (field 22, clock ticks since boot), so a
   * re-adopting supervisor does not mistake a new process that reused the pid for the pod.
   */
  procStart: string | null;
  port: number;
  /** When the pod was created (epoch ms). */
  createdAt: number;
  /** When its current process was started (epoch ms). */
  startedAt: number;
  restarts: number;
  ready: boolean;
  readySince?: number;
  /** Set once the pod is being stopped: an adopting supervisor finishes the stop. */
  terminating?: boolean;
  template: PodTemplateSpec;
  /** The pod's labels (template labels plus the hash label); absent in records of older versions. */
  labels?: Record<string, string>;
  /** argv after `$(VAR)` expansion, working directory and the pod's own environment. */
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  minReadySeconds: number;
  logFile: string;
}

/** Reads and writes pod records under one directory. */
export interface PodRecordStore {
  dir: string;
  write(rec: PodRecord): void;
  remove(name: string): void;
  /** Every record that parses; unreadable files are returned by name for removal. */
  list(): { records: PodRecord[]; broken: string[] };
}

export function createPodRecordStore(stateDir: string): PodRecordStore {
  const dir = join(stateDir, 'pods');
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    write(rec) {
      const file = join(dir, `${rec.name}.json`);
      const tmp = `${file}.tmp-${process.pid}`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify(rec, null, 2));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
    },
    remove(name) {
      rmSync(join(dir, `${name}.json`), { force: true });
    },
    list() {
      const records: PodRecord[] = [];
      const broken: string[] = [];
      for (const entry of readdirSync(dir)) {
        if (!entry.endsWith('.json')) {
          // A temp file left by a crash between write and rename.
          if (entry.includes('.json.tmp-')) rmSync(join(dir, entry), { force: true });
          continue;
        }
        try {
          const rec = JSON.parse(readFileSync(join(dir, entry), 'utf8')) as PodRecord;
          if (typeof rec.name !== 'string' || typeof rec.pid !== 'number') throw new Error('not a pod record');
          records.push(rec);
        } catch {
          broken.push(entry.slice(0, -'.json'.length));
        }
      }
      return { records, broken };
    },
  };
}

/**
 * The start time of `pid` from `/proc/<pid>/stat`, or null where there is no procfs (then only
 * the pid is checked). Field 22 counted after the command name, which may itself hold spaces and
 * parentheses, so the split starts after the last ")" (proc(5)).
 */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); field 22 is rest[19].
    if (rest[0] === 'Z' || rest[0] === 'X') return 'zombie';
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

/** True when `pid` runs and, where procfs tells, is the same process that was recorded. */
export function isSameProcessAlive(pid: number, procStart: string | null): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone; EPERM: it exists but belongs to someone else, so it is not ours.
    return false;
  }
  const now = processStartTime(pid);
  if (now === 'zombie') return false;
  if (procStart === null || now === null) return true;
  return now === procStart;
}

/** Sends `signal` to the process group led by `pid`; false when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * The recorded pods of `stateDir` whose process still runs (same pid and start time), read
 * before any supervisor adopts them: what a new supervisor would re-adopt.
 */
export function livePodRecords(stateDir: string): PodRecord[] {
  if (!existsSync(join(stateDir, 'pods'))) return [];
  return createPodRecordStore(stateDir)
    .list()
    .records.filter((r) => isSameProcessAlive(r.pid, r.procStart));
}
